"""The library and the caches: an upload is no content change, so it empties nothing; a
file answer names its content's cache key, so a delete drops it here and at a CDN."""

import pytest
from sqlmodel import Session

from cms.config import Settings
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user
from tests.media.pictures import picture

MEDIA = "/api/v1/admin/media"


@pytest.fixture
def storage_kind() -> str:
    return "disk"  # what cms serves itself; a bucket's server keeps its own caching


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.response_cache = True
    return settings


def upload(client, headers: dict[str, str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    files = {"file": ("photo.jpg", picture(700, 400), "image/jpeg")}
    response = client.post(MEDIA, files=files, headers=headers)
    assert response.status_code == 201, response.text
    item: dict[str, object] = response.json()["data"]
    return item


def test_an_upload_leaves_cached_answers_cached(client, session: Session) -> None:
    make_post(session, title="Cached")
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    client.get("/api/v1/posts/cached")

    upload(client, headers)

    assert client.get("/api/v1/posts/cached").headers["cms-cache"] == "hit"


def test_a_deleted_images_files_are_gone_from_the_cache_too(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    item = upload(client, headers)
    url = str(item["url"])
    first, second = client.get(url), client.get(url)

    assert client.delete(f"{MEDIA}/{item['id']}", headers=headers).status_code == 204
    after = client.get(url)

    assert (first.headers["cms-cache"], second.headers["cms-cache"]) == ("miss", "hit")
    assert first.headers["surrogate-key"].startswith("media-")
    assert after.status_code == 404
