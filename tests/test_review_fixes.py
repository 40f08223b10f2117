"""Edge cases found in review: each was a 500, a leak or a hole before."""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cms.app import create_app
from cms.auth.models import ApiToken
from cms.config import Settings
from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.factories import PASSWORD, bearer, make_post, make_user


@pytest.fixture
def live_app(new_database) -> Iterator[tuple[TestClient, object]]:  # type: ignore[no-untyped-def]
    """The app with its own session handling on a database of its own: real commits."""
    engine = make_engine(new_database())
    upgrade_database(engine)
    with TestClient(create_app(Settings(database_url="sqlite://"), engine=engine)) as client:
        yield client, engine
    engine.dispose()


def in_parallel(count: int, call) -> list[int]:  # type: ignore[no-untyped-def]
    start, statuses = threading.Barrier(count), []

    def run() -> None:
        start.wait()
        statuses.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_parallel_posts_with_one_new_title_and_tag_never_500(live_app) -> None:  # type: ignore[no-untyped-def]
    client, engine = live_app
    with Session(engine) as session:
        headers = bearer(session, make_user(session, role=Role.EDITOR))
        session.commit()
    body = {"title": "Same title", "tags": ["Brand new tag"]}

    statuses = in_parallel(
        8, lambda: client.post("/api/v1/admin/posts", json=body, headers=headers).status_code
    )

    assert set(statuses) <= {201, 409} and 201 in statuses


def test_over_long_tag_names_and_blank_titles_are_422(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))

    long_tag = client.post(
        "/api/v1/admin/posts", json={"title": "x", "tags": ["a" * 300]}, headers=headers
    )
    blank = client.post("/api/v1/admin/posts", json={"title": "   "}, headers=headers)

    assert long_tag.status_code == 422 and long_tag.json()["errors"][0]["field"] == "tags.0"
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "title"


def test_a_live_post_cannot_lose_its_publish_date(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    post = make_post(session, title="Live one")
    url = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]

    response = client.patch(url, json={"published_at": None}, headers={**headers, "If-Match": etag})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "published_at"
    assert client.get("/api/v1/posts/live-one").status_code == 200


def test_a_new_password_signs_out_old_sessions(client, session: Session) -> None:
    editor = make_user(session, role=Role.EDITOR, email="ed@example.com")
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    signed_in = client.post(
        "/api/v1/admin/session", json={"email": "ed@example.com", "password": PASSWORD}
    ).json()["data"]["token"]
    script = bearer(session, editor)

    client.patch(
        f"/api/v1/admin/users/{editor.id}", json={"password": "a brand new password"}, headers=admin
    )

    old = client.get("/api/v1/admin/posts", headers={"Authorization": f"Bearer {signed_in}"})
    assert old.status_code == 401
    assert client.get("/api/v1/admin/posts", headers=script).status_code == 200  # API tokens stay
    assert session.exec(select(ApiToken).where(ApiToken.user_id == editor.id)).all()
