"""The server's cache of Content API answers: hits before routing, never stale for long."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session

from bench.servers import running_server
from cms.cache import version
from cms.db import make_engine
from cms.http.cache import Stored
from cms.migrations import upgrade_database
from cms.pageviews.service import View, count_views
from cms.posts import content_routes
from cms.posts.models import Post
from cms.users.models import Role
from tests.factories import bearer, make_post, make_response_cache, make_user
from tests.processes import shared_post


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    settings.response_cache = True
    return settings


def test_a_repeat_is_a_hit_with_the_same_bytes_and_etag(client, session: Session) -> None:
    make_post(session, title="Cached")

    first = client.get("/api/v1/posts/cached")
    second = client.get("/api/v1/posts/cached")

    assert (first.headers["cms-cache"], second.headers["cms-cache"]) == ("miss", "hit")
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == first.headers["cache-control"]
    # No Age: a proxy in front adds its own, and ours next to max-age made its copies stale.
    assert "age" not in second.headers
    again = client.get("/api/v1/posts/cached", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cms-cache"] == "hit"


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
    assert fresh.headers["cms-cache"] == "miss" and fresh.json()["data"]["title"] == "After"


def test_a_view_refreshes_its_posts_answer_once_the_max_age_has_passed(
    client, session: Session, clock
) -> None:
    make_post(session, title="Viewed")
    client.get("/api/v1/posts/viewed")

    counted = client.post("/api/v1/posts/viewed/views")
    soon = client.get("/api/v1/posts/viewed")
    clock.advance(seconds=1)  # CMS_VIEW_COUNT_MAX_AGE_SECONDS
    later = client.get("/api/v1/posts/viewed")

    assert counted.json()["data"]["view_count"] == 1  # the POST's answer is exact
    assert soon.headers["cms-cache"] == "hit" and soon.json()["data"]["view_count"] == 0
    assert later.headers["cms-cache"] == "miss" and later.json()["data"]["view_count"] == 1
    assert client.get("/api/v1/posts/viewed").headers["cms-cache"] == "hit"


def test_a_view_keeps_the_answers_that_do_not_show_its_post(
    client, session: Session, clock
) -> None:
    make_post(session, title="Viewed")
    make_post(session, title="Elsewhere")
    alone = "/api/v1/posts/elsewhere?fields=id,title,view_count"  # no related cards
    for path in (alone, "/api/v1/posts", "/rss.xml"):
        client.get(path)

    client.post("/api/v1/posts/viewed/views")
    clock.advance(seconds=5)

    assert client.get(alone).headers["cms-cache"] == "hit"
    assert client.get("/rss.xml").headers["cms-cache"] == "hit"  # feeds show no counts
    listed = client.get("/api/v1/posts")  # the list shows the viewed post
    assert listed.headers["cms-cache"] == "miss"
    counts = {post["slug"]: post["view_count"] for post in listed.json()["data"]}
    assert counts == {"viewed": 1, "elsewhere": 0}


def test_views_that_count_nothing_keep_cached_answers(client, session: Session, clock) -> None:
    make_post(session, title="Watched")
    reader = {"User-Agent": "One reader"}
    first = client.post("/api/v1/posts/watched/views", headers=reader)
    assert first.json()["data"]["view_count"] == 1
    clock.advance(seconds=1)
    client.get("/api/v1/posts/watched")

    repeat = client.post("/api/v1/posts/watched/views", headers=reader)
    missing = client.post("/api/v1/posts/no-such-post/views", headers=reader)
    clock.advance(seconds=1)
    cached = client.get("/api/v1/posts/watched")

    assert (repeat.status_code, missing.status_code) == (200, 404)
    assert repeat.json()["data"]["view_count"] == 1
    assert cached.headers["cms-cache"] == "hit" and cached.json()["data"]["view_count"] == 1
    client.post("/api/v1/posts/watched/views", headers={"User-Agent": "Another reader"})
    clock.advance(seconds=1)
    counted = client.get("/api/v1/posts/watched")
    assert counted.headers["cms-cache"] == "miss" and counted.json()["data"]["view_count"] == 2


def test_a_content_change_still_drops_answers_at_once(client, session: Session) -> None:
    post = make_post(session, title="Viewed")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    client.get("/api/v1/posts/viewed")
    client.post("/api/v1/posts/viewed/views")

    address = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(address, headers=editor).headers["etag"]
    edit = {**editor, "If-Match": etag}
    assert client.patch(address, json={"title": "Renamed"}, headers=edit).status_code == 200
    fresh = client.get("/api/v1/posts/viewed")

    assert fresh.headers["cms-cache"] == "miss"
    assert fresh.json()["data"]["title"] == "Renamed"


def test_views_counted_by_another_process_refresh_only_their_posts(new_database) -> None:
    engine = make_engine(new_database())
    upgrade_database(engine)
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    clock = {"now": now}
    cache = make_response_cache(engine, clock=lambda: clock["now"])
    with Session(engine) as session:
        viewed, other = make_post(session).id or 0, make_post(session).id or 0
        session.commit()
    cache.check()
    for post_id in (viewed, other):
        stored = Stored({"headers": []}, b"{}", clock["now"], frozenset({f"post-{post_id}"}))
        cache.put(("", f"/{post_id}", b"", ""), stored, generation=cache.generation)

    def served(post_id: int) -> bool:
        if cache.check_due():
            cache.check()
        return cache.get(("", f"/{post_id}", b"", "")) is not None

    clock["now"] += timedelta(seconds=0.5)
    with Session(engine) as session:  # another process counts a view of one post
        slug = session.get(Post, viewed).slug  # type: ignore[union-attr]
        count_views(session, views=[View(slug, "someone")], now=clock["now"], window=timedelta())
        session.commit()
    assert served(viewed) and served(other)  # not checked yet
    clock["now"] += timedelta(seconds=0.6)
    assert not served(viewed)  # checked: older than the max age, and its post was viewed
    assert served(other)
    clock["now"] += timedelta(seconds=5)
    assert served(other)  # a view is heard of once, not at every check after it
    engine.dispose()


def test_signed_in_admin_and_no_cache_requests_go_to_the_app(client, session: Session) -> None:
    make_post(session, title="Cached")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    client.get("/api/v1/posts/cached")

    assert "cms-cache" not in client.get("/api/v1/posts/cached", headers=editor).headers
    no_cache = {"Cache-Control": "no-cache"}
    assert client.get("/api/v1/posts/cached", headers=no_cache).headers["cms-cache"] == "miss"
    assert "cms-cache" not in client.get("/api/v1/admin/posts", headers=editor).headers
    assert client.get("/api/v1/posts/missing").status_code == 404
    assert client.get("/api/v1/posts/missing").headers["cms-cache"] == "miss"  # errors: not kept


def test_the_cache_drops_everything_when_the_version_moves_or_a_post_goes_live(
    new_database,
) -> None:
    engine = make_engine(new_database())
    upgrade_database(engine)
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    clock = {"now": now}
    cache = make_response_cache(engine, clock=lambda: clock["now"])
    key = ("/api/v1/posts", b"", "", b"")

    def store() -> None:
        cache.check()  # as before any answer, when due
        stored = Stored({"headers": []}, b"{}", clock["now"], frozenset())
        cache.put(key, stored, generation=cache.generation)

    def served() -> bool:
        cache.check()
        return cache.get(key) is not None

    store()
    with Session(engine) as session:  # another process writes
        version.record(session, {"*"})
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
        assert httpx.get(reader + path).headers["cms-cache"] == "miss"
        assert httpx.get(reader + path).headers["cms-cache"] == "hit"
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

    assert from_browser.headers["cms-cache"] == from_app.headers["cms-cache"] == "hit"
    assert from_browser.headers["access-control-allow-origin"] == "*"
    assert from_app.headers["access-control-allow-origin"] == "*"


def test_with_any_origin_allowed_answers_do_not_vary_by_origin(client, session: Session) -> None:
    make_post(session, title="Shared")

    first = client.get("/api/v1/posts/shared", headers={"Origin": "https://a.example"})
    second = client.get("/api/v1/posts/shared", headers={"Origin": "https://b.example"})

    assert second.headers["cms-cache"] == "hit"  # one copy for every front end
    for answer in (first, second):
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "origin" not in answer.headers["vary"].lower()
        assert "ETag" in answer.headers["access-control-expose-headers"]


class TestListedOrigins:
    @pytest.fixture
    def settings(self, settings):  # type: ignore[no-untyped-def]
        settings.cors_origins = ["https://a.example"]
        return settings

    def test_each_origin_gets_its_own_answer(self, client, session: Session) -> None:
        make_post(session, title="Listed")

        allowed = client.get("/api/v1/posts/listed", headers={"Origin": "https://a.example"})
        other = client.get("/api/v1/posts/listed", headers={"Origin": "https://b.example"})

        assert allowed.headers["access-control-allow-origin"] == "https://a.example"
        assert "access-control-allow-origin" not in other.headers
        assert other.headers["cms-cache"] == "miss"
        assert "Origin" in allowed.headers["vary"] and "Origin" in other.headers["vary"]


def test_an_answer_built_for_one_host_is_never_served_to_another(client, session: Session) -> None:
    make_post(session, title="Hosted")
    path = "/api/v1/posts/hosted"

    evil = client.get(path, headers={"Host": "evil.example"})
    plain = client.get(path)
    plain_again = client.get(path)

    assert evil.json()["data"]["links"]["self"].startswith("http://evil.example/")
    assert plain.headers["cms-cache"] == "miss"
    assert plain.json()["data"]["links"]["self"] == "http://api.test/api/v1/posts/hosted"
    assert plain_again.headers["cms-cache"] == "hit"
    assert client.get("https://api.test" + path).headers["cms-cache"] == "miss"
    feed = client.get("/rss.xml", headers={"Host": "evil.example"})
    assert b"evil.example" in feed.content
    assert b"evil.example" not in client.get("/rss.xml").content


def test_with_the_api_url_set_every_host_shares_one_answer(client, session: Session) -> None:
    client.app.state.settings.api_url = "https://api.example.com"
    make_post(session, title="Shared")
    path = "/api/v1/posts/shared"

    first = client.get(path, headers={"Host": "evil.example"})
    second = client.get(path)

    assert second.headers["cms-cache"] == "hit"
    assert first.json() == second.json()
    assert second.json()["data"]["links"]["self"].startswith("https://api.example.com/")


def test_a_real_server_keeps_hosts_and_forwarded_schemes_apart(new_database) -> None:
    shared = shared_post(new_database(), title="Posture")
    # Behind a proxy on 127.0.0.1, which uvicorn trusts by default for X-Forwarded-Proto.
    with running_server(shared.url) as base:
        path = f"{base}/api/v1/posts/posture"
        httpx.get(path, headers={"Host": "evil.example"})
        httpx.get(path, headers={"X-Forwarded-Proto": "https"})
        plain = httpx.get(path)
        feed_evil = httpx.get(f"{base}/rss.xml", headers={"Host": "evil.example"})
        feed = httpx.get(f"{base}/rss.xml")

    assert plain.json()["data"]["links"]["self"] == f"{base}/api/v1/posts/posture"
    assert b"evil.example" in feed_evil.content
    assert (
        b"evil.example" not in feed.content and b"https://" not in feed.content.split(b"<item>")[0]
    )


def test_requests_that_find_the_check_due_together_share_one(
    app, client, session: Session, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_post(session, title="Busy")
    client.get("/api/v1/posts/busy")
    clock.advance(seconds=2)  # past CMS_CACHE_CHECK_SECONDS: the next request checks
    reads = []
    read = version.read

    def slow_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(1)
        time.sleep(0.05)  # long enough for every request below to find the check due
        return read(*args, **kwargs)

    monkeypatch.setattr(version, "read", slow_read)

    answers = at_once(app, "/api/v1/posts/busy", times=8)

    assert [answer.headers["cms-cache"] for answer in answers] == ["hit"] * 8
    assert len(reads) == 1


def test_requests_for_an_answer_being_made_wait_for_it(
    app, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_post(session, title="Popular")
    made = []
    read = content_routes.on_read_thread

    async def slow_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        await asyncio.sleep(0.05)  # as a miss on PostgreSQL waits for the database
        return await read(*args, **kwargs)

    monkeypatch.setattr(content_routes, "on_read_thread", slow_read)

    answers = at_once(app, "/api/v1/posts/popular", times=8)

    assert len(made) == 1  # made once, for all of them
    assert sorted(answer.headers["cms-cache"] for answer in answers) == ["hit"] * 7 + ["miss"]
    assert len({answer.content for answer in answers}) == 1


def at_once(app, path: str, *, times: int) -> list[httpx.Response]:  # type: ignore[no-untyped-def]
    """`times` GETs of `path`, sent together on one event loop, as a busy server gets them."""

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as many:
            return await asyncio.gather(*(many.get(path) for _ in range(times)))

    return asyncio.run(together())
