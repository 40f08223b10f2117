"""The server's cache of Content API answers: hits before routing, never stale for long."""

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session

from bench.servers import running_server
from cms.cache import version
from cms.cache.responses import ResponseCache, Stored
from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user
from tests.processes import shared_post


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    settings.response_cache = True
    return settings


def test_a_repeat_is_a_hit_with_the_same_bytes_and_etag(client, session: Session) -> None:
    make_post(session, title="Cached")

    first = client.get("/api/v1/posts/cached")
    second = client.get("/api/v1/posts/cached")

    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == first.headers["cache-control"]
    assert "age" in second.headers
    again = client.get("/api/v1/posts/cached", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["x-cache"] == "HIT"


def test_each_encoding_is_kept_apart(client, session: Session) -> None:
    make_post(session, title="Long", body="Many words here. " * 200)

    for coding in ("gzip", "br", "identity", "gzip"):
        response = client.get("/api/v1/posts/long", headers={"Accept-Encoding": coding})
        assert response.headers.get("content-encoding", "identity") == coding
        assert response.json()["data"]["title"] == "Long"


def test_a_write_here_is_seen_at_once(client, session: Session) -> None:
    post = make_post(session, title="Before")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    client.get("/api/v1/posts/before")
    etag = client.get(f"/api/v1/admin/posts/{post.id}", headers=editor).headers["etag"]

    client.patch(
        f"/api/v1/admin/posts/{post.id}",
        json={"title": "After"},
        headers={**editor, "If-Match": etag},
    )

    fresh = client.get("/api/v1/posts/before")
    assert fresh.headers["x-cache"] == "MISS" and fresh.json()["data"]["title"] == "After"


def test_a_counted_view_is_seen_at_once(client, session: Session) -> None:
    make_post(session, title="Viewed")
    client.get("/api/v1/posts/viewed")

    client.post("/api/v1/posts/viewed/views")

    assert client.get("/api/v1/posts/viewed").json()["data"]["view_count"] == 1


def test_signed_in_admin_and_no_cache_requests_go_to_the_app(client, session: Session) -> None:
    make_post(session, title="Cached")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    client.get("/api/v1/posts/cached")

    assert "x-cache" not in client.get("/api/v1/posts/cached", headers=editor).headers
    no_cache = {"Cache-Control": "no-cache"}
    assert client.get("/api/v1/posts/cached", headers=no_cache).headers["x-cache"] == "MISS"
    assert "x-cache" not in client.get("/api/v1/admin/posts", headers=editor).headers
    assert client.get("/api/v1/posts/missing").status_code == 404
    assert client.get("/api/v1/posts/missing").headers["x-cache"] == "MISS"  # errors: not kept


def test_the_cache_drops_everything_when_the_version_moves_or_a_post_goes_live(
    new_database,
) -> None:
    engine = make_engine(new_database())
    upgrade_database(engine)
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    clock = {"now": now}
    cache = ResponseCache(
        engine=engine, clock=lambda: clock["now"], check_seconds=1, max_bytes=2**20
    )
    key = ("/api/v1/posts", b"", "", b"")

    def store() -> None:
        cache.check()  # as before any answer, when due
        cache.put(key, Stored({"headers": []}, b"{}", 0.0), generation=cache.generation)

    def served() -> bool:
        cache.check()
        return cache.get(key) is not None

    store()
    with Session(engine) as session:  # another process writes
        version.bump(session)
        session.commit()
    assert served()  # within the check interval: still served
    clock["now"] += timedelta(seconds=1)
    assert not served()  # the next check saw the new version

    with Session(engine) as session:
        make_post(session, title="Later", published_at=now + timedelta(minutes=5))
        session.commit()
    clock["now"] += timedelta(seconds=1)
    store()
    clock["now"] = now + timedelta(minutes=5)
    assert not served()  # the scheduled post is live: lists have changed
    engine.dispose()


def test_a_write_through_one_process_reaches_readers_of_another(new_database) -> None:
    shared = shared_post(new_database(), title="Shared")

    with running_server(shared.url) as writer, running_server(shared.url) as reader:
        path = "/api/v1/posts/shared"
        assert httpx.get(reader + path).headers["x-cache"] == "MISS"
        assert httpx.get(reader + path).headers["x-cache"] == "HIT"
        assert shared.retitle(writer, "Changed").status_code == 200
        titles = []
        for _ in range(100):  # CMS_CACHE_CHECK_SECONDS is 1: about a second, not 5
            titles.append(httpx.get(reader + path).json()["data"]["title"])
            if titles[-1] == "Changed":
                break
            time.sleep(0.05)
        assert titles[-1] == "Changed"


def test_a_hit_carries_the_cors_answer_of_its_own_origin(client, session: Session) -> None:
    make_post(session, title="Shared")
    browser = {"Origin": "https://front.example.com"}

    for _ in range(2):
        from_browser = client.get("/api/v1/posts/shared", headers=browser)
        from_app = client.get("/api/v1/posts/shared")

    assert from_browser.headers["x-cache"] == from_app.headers["x-cache"] == "HIT"
    assert from_browser.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in from_app.headers
