"""The library in an S3-compatible bucket (a real moto server): files go there with their
type and immutable caching, cms redirects its own /media/ addresses there, and a write the
bucket refuses is a 503 that leaves no row and no file behind."""

import pytest
from sqlmodel import Session, select

from cms.config import Settings
from cms.media.models import Media
from cms.media.storage import S3Storage
from cms.users.models import Role
from tests.factories import bearer, make_user
from tests.media.pictures import picture
from tests.media.storages import client_of, fetch, stored_files

MEDIA = "/api/v1/admin/media"


@pytest.fixture
def storage_kind() -> str:
    return "s3"


def upload(client, session: Session):  # type: ignore[no-untyped-def]
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    files = {"file": ("photo.jpg", picture(700, 400), "image/jpeg")}
    return client.post(MEDIA, files=files, headers=headers), headers


def test_files_are_in_the_bucket_with_their_type_and_caching(
    client, session: Session, settings: Settings
) -> None:
    response, _ = upload(client, session)

    assert response.status_code == 201, response.text
    item = response.json()["data"]
    digest = session.exec(select(Media)).one().hash
    names = ["", "-320", "-640"]
    assert stored_files(settings) == sorted(
        {f"{digest}{width}.{ext}" for width in names for ext in ("jpg", "webp")}
        - {f"{digest}.webp"}
    )
    head = client_of(settings).head_object(Bucket=settings.media_s3_bucket, Key=f"{digest}.jpg")
    assert head["ContentType"] == "image/jpeg"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert item["url"] == f"{settings.media_public_url}/{digest}.jpg"
    assert (
        fetch(client, item["url"]).content
        == client_of(settings)
        .get_object(Bucket=settings.media_s3_bucket, Key=f"{digest}.jpg")["Body"]
        .read()
    )


def test_cms_media_addresses_redirect_to_the_bucket(client, session: Session) -> None:
    item = upload(client, session)[0].json()["data"]
    name = item["url"].rsplit("/", 1)[1]

    response = client.get(f"/media/{name}", follow_redirects=False)

    assert response.status_code == 301
    assert response.headers["location"] == item["url"]
    assert client.get("/media/..%2Fsecret", follow_redirects=False).status_code == 404


def test_a_delete_removes_the_files_from_the_bucket(
    client, session: Session, settings: Settings
) -> None:
    response, headers = upload(client, session)

    deleted = client.delete(f"{MEDIA}/{response.json()['data']['id']}", headers=headers)

    assert deleted.status_code == 204
    assert stored_files(settings) == []


def test_a_bucket_that_is_not_there_is_503_and_saves_nothing(
    client, session: Session, settings: Settings
) -> None:
    client_of(settings).delete_bucket(Bucket=settings.media_s3_bucket)
    try:
        response, _ = upload(client, session)
    finally:
        client_of(settings).create_bucket(Bucket=settings.media_s3_bucket)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "nothing was saved" in response.json()["detail"]
    assert session.exec(select(Media)).all() == []


class RefusesTheThird(S3Storage):
    """The real bucket, which stops taking files after two (as a full or failing one does)."""

    def put(self, name: str, data: bytes, *, mime_type: str) -> None:
        self.puts = getattr(self, "puts", 0) + 1
        if self.puts == 3:
            self.bucket, real = f"{self.bucket}-gone", self.bucket
            try:
                super().put(name, data, mime_type=mime_type)
            finally:
                self.bucket = real
        super().put(name, data, mime_type=mime_type)


def test_a_write_failing_halfway_takes_back_the_files_before_it(
    app, client, session: Session, settings: Settings
) -> None:
    app.state.media_storage = RefusesTheThird(
        bucket=settings.media_s3_bucket or "",
        public_url=settings.media_public_url or "",
        endpoint=settings.media_s3_endpoint,
        region=settings.media_s3_region,
    )

    response, _ = upload(client, session)

    assert response.status_code == 503
    assert session.exec(select(Media)).all() == []
    assert stored_files(settings) == []
