"""An upload over CMS_MEDIA_MAX_MB is a 413, found while it streams in: from its declared
length before a byte is read, or by counting a body sent without one."""

import pytest
from sqlmodel import Session, select

from cms.config import Settings
from cms.media.models import Media
from cms.users.models import Role
from tests.factories import bearer, make_user
from tests.media.pictures import picture
from tests.media.storages import stored_files

MEDIA = "/api/v1/admin/media"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.media_max_mb = 0.25  # 256 KiB; JSON bodies keep their own 1 MB
    return settings


def test_a_declared_length_over_the_limit_is_413_at_once(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    big = b"\xff\xd8\xff" + b"\0" * 400_000

    response = client.post(MEDIA, files={"file": ("big.jpg", big, "image/jpeg")}, headers=headers)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert session.exec(select(Media)).all() == []


def test_a_body_without_a_length_is_counted_as_it_streams(
    client, session: Session, settings: Settings
) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    boundary = "cmsboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    def chunks():  # type: ignore[no-untyped-def]
        yield head + b"\xff\xd8\xff"
        for _ in range(40):
            yield b"\0" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        MEDIA,
        content=chunks(),
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 413
    assert session.exec(select(Media)).all() == []
    assert stored_files(settings) == []


def test_an_image_under_the_limit_is_taken(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))

    response = client.post(
        MEDIA, files={"file": ("small.jpg", picture(300, 200), "image/jpeg")}, headers=headers
    )

    assert response.status_code == 201
