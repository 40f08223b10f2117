"""A write drops only the cached answers that show what it changed, by their cache keys."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlmodel import Session

from cms.cache import version
from cms.cache.models import CachePurge, ContentVersion
from cms.db import make_engine
from cms.http.cache import ResponseCache, Stored
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.comments.readers import comments_url, moderate, submit
from tests.factories import bearer, make_post, make_response_cache, make_user

ALONE = "?fields=id,title,comment_count"  # no related cards: the answer shows its post only


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    settings.response_cache = True
    return settings


def cached(client, *paths: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {path: client.get(path).headers["cms-cache"] for path in paths}


def content_version(session: Session) -> int:
    session.expire_all()
    return session.execute(select(ContentVersion.version)).scalar_one()


def test_an_edit_drops_what_shows_the_post_and_keeps_the_rest(client, session: Session) -> None:
    edited = make_post(session, title="Edited", tags=["one"])
    make_post(session, title="Other", tags=["two"])
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    paths = ["/api/v1/posts/edited" + ALONE, "/api/v1/posts/other" + ALONE, "/api/v1/posts"]
    cached(client, *paths)
    address = f"/api/v1/admin/posts/{edited.id}"
    etag = client.get(address, headers=editor).headers["etag"]

    client.patch(address, json={"title": "Renamed"}, headers={**editor, "If-Match": etag})

    assert cached(client, *paths) == dict(zip(paths, ["miss", "hit", "miss"], strict=True))
    assert client.get(paths[0]).json()["data"]["title"] == "Renamed"


def test_drafts_written_and_saved_drop_nothing(client, session: Session) -> None:
    make_post(session, title="Live")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    paths = ["/api/v1/posts/live", "/api/v1/posts", "/rss.xml"]
    cached(client, *paths)
    before = content_version(session)

    draft = client.post(
        "/api/v1/admin/posts", json={"title": "Draft", "body": "Hi"}, headers=editor
    )
    address = f"/api/v1/admin/posts/{draft.json()['data']['id']}"
    etag = client.get(address, headers=editor).headers["etag"]
    saved = client.patch(address, json={"body": "Hi there"}, headers={**editor, "If-Match": etag})

    assert (draft.status_code, saved.status_code) == (201, 200)
    assert cached(client, *paths) == dict.fromkeys(paths, "hit")
    assert content_version(session) == before  # other processes have nothing to drop either


def test_a_pending_comment_drops_nothing_and_its_approval_drops_its_post(
    client, session: Session
) -> None:
    make_post(session, title="Discussed")
    make_post(session, title="Quiet")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    paths = [comments_url("discussed"), "/api/v1/posts/discussed" + ALONE]
    quiet = "/api/v1/posts/quiet" + ALONE
    cached(client, *paths, quiet)

    comment = submit(client, "discussed").json()["data"]
    assert cached(client, *paths, quiet) == dict.fromkeys([*paths, quiet], "hit")
    moderate(client, editor, comment["id"], "approved")

    assert cached(client, *paths, quiet) == {paths[0]: "miss", paths[1]: "miss", quiet: "hit"}
    assert [shown["id"] for shown in client.get(paths[0]).json()["data"]] == [comment["id"]]
    assert client.get(paths[1]).json()["data"]["comment_count"] == 1


def test_a_tag_edit_drops_what_shows_the_tag(client, session: Session) -> None:
    make_post(session, title="Tagged", tags=["Gym"])
    make_post(session, title="Untagged", tags=["Food"])
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    tag_id = client.get("/api/v1/tags/gym").json()["data"]["id"]
    paths = ["/api/v1/posts/tagged" + ALONE, "/api/v1/posts/untagged" + ALONE, "/api/v1/tags"]
    shown = "/api/v1/posts/tagged?fields=id,tags"
    cached(client, *paths, shown)

    renamed = client.patch(f"/api/v1/admin/tags/{tag_id}", json={"name": "Lifting"}, headers=editor)

    assert renamed.status_code == 200
    assert cached(client, *paths, shown) == {
        paths[0]: "hit",  # shows no tag
        paths[1]: "hit",
        paths[2]: "miss",
        shown: "miss",
    }
    assert client.get(shown).json()["data"]["tags"][0]["name"] == "Lifting"


class TestAnotherProcess:
    """A cache hears of other processes' writes, with their keys, at its check."""

    NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)

    @pytest.fixture
    def world(self, new_database):  # type: ignore[no-untyped-def]
        engine = make_engine(new_database())
        upgrade_database(engine)
        clock = {"now": self.NOW}
        cache = make_response_cache(engine, clock=lambda: clock["now"])
        cache.check()
        yield engine, clock, cache
        engine.dispose()

    @staticmethod
    def store(cache: ResponseCache, *names: str, generation: int | None = None) -> None:
        stored = Stored({"headers": []}, b"{}", cache.clock(), frozenset(names))
        begun = cache.generation if generation is None else generation
        cache.put(("", names[0], b"", "", b""), stored, generation=begun)

    @staticmethod
    def kept(cache: ResponseCache, clock: dict[str, datetime], *names: str) -> list[bool]:
        clock["now"] += timedelta(seconds=1)
        cache.check()
        return [cache.get(("", name, b"", "", b"")) is not None for name in names]

    @staticmethod
    def write(engine, *named: str) -> None:  # type: ignore[no-untyped-def]
        with Session(engine) as session:
            version.record(session, set(named))
            session.commit()

    def test_it_drops_what_the_write_named(self, world) -> None:  # type: ignore[no-untyped-def]
        engine, clock, cache = world
        for name in ("post-1", "post-2", "tag-1"):
            self.store(cache, name)

        self.write(engine, "post-1")
        self.write(engine, "tag-1", "feeds")

        assert self.kept(cache, clock, "post-1", "post-2", "tag-1") == [False, True, False]

    def test_it_drops_everything_when_a_purge_was_pruned(self, world) -> None:  # type: ignore[no-untyped-def]
        engine, clock, cache = world
        self.store(cache, "post-2")
        for post in (1, 3, 4):
            self.write(engine, f"post-{post}")
        with Session(engine) as session:  # as if it fell more than PURGES_KEPT behind
            session.execute(delete(CachePurge).where(CachePurge.version == 2))
            session.commit()

        assert self.kept(cache, clock, "post-2") == [False]

    def test_a_post_going_live_drops_lists_and_feeds_only(self, world) -> None:  # type: ignore[no-untyped-def]
        engine, clock, cache = world
        with Session(engine) as session:
            make_post(session, title="Later", published_at=self.NOW + timedelta(minutes=5))
            session.commit()
        clock["now"] += timedelta(seconds=1)
        cache.check()
        self.store(cache, "posts", "post-1")
        self.store(cache, "feeds")
        self.store(cache, "post-2")
        clock["now"] = self.NOW + timedelta(minutes=5)

        assert self.kept(cache, clock, "posts", "feeds", "post-2") == [False, False, True]

    def test_an_answer_begun_before_a_purge_of_its_keys_is_not_stored(self, world) -> None:  # type: ignore[no-untyped-def]
        _engine, _clock, cache = world
        begun = cache.generation
        cache.purge({"post-1"})

        self.store(cache, "post-1", generation=begun)
        self.store(cache, "post-2", generation=begun)

        assert cache.get(("", "post-1", b"", "", b"")) is None
        assert cache.get(("", "post-2", b"", "", b"")) is not None


def test_unpublishing_a_post_drops_its_comments_answer(client, session: Session) -> None:
    post = make_post(session, title="Withdrawn")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    assert client.get(comments_url("withdrawn")).status_code == 200
    address = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(address, headers=editor).headers["etag"]

    withdrawn = client.post(f"{address}/unpublish", headers={**editor, "If-Match": etag})

    assert withdrawn.status_code == 200
    assert client.get(comments_url("withdrawn")).status_code == 404


def test_deleting_a_tag_drops_the_related_posts_it_ranked(client, session: Session) -> None:
    make_post(session, title="First", tags=["Rare"])
    make_post(session, title="Second", tags=["Rare"])
    make_post(session, title="Third", tags=["Common"])
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    path = "/api/v1/posts/first/related?limit=1"
    assert [card["slug"] for card in client.get(path).json()["data"]] == ["second"]
    tag_id = client.get("/api/v1/tags/rare").json()["data"]["id"]

    assert client.delete(f"/api/v1/admin/tags/{tag_id}", headers=editor).status_code == 204

    fresh = client.get(path)
    assert fresh.headers["cms-cache"] == "miss"
    assert [card["slug"] for card in fresh.json()["data"]] == ["third"]


def test_a_site_edit_drops_the_site_and_the_feed_and_keeps_the_posts(
    client, session: Session
) -> None:
    make_post(session, title="Kept")
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    paths = ["/api/v1/site", "/rss.xml", "/api/v1/posts/kept" + ALONE]
    cached(client, *paths)

    client.patch("/api/v1/admin/site", json={"title": "Renamed"}, headers=admin)

    assert cached(client, *paths) == dict(zip(paths, ["miss", "miss", "hit"], strict=True))
    assert client.get(paths[0]).json()["data"]["title"] == "Renamed"


def test_revoking_a_content_key_drops_the_answers_given_to_it(client, session: Session) -> None:
    make_post(session, title="Kept")
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    made = client.post("/api/v1/admin/content-keys", json={"name": "Site"}, headers=admin)
    key = made.json()["data"]["key"]
    path = f"/ghost/api/content/posts/?key={key}"
    assert cached(client, path, path) == {path: "hit"}  # the second GET: from the cache

    client.delete(made.json()["data"]["links"]["self"], headers=admin)

    refused = client.get(path)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["type"] == "UnauthorizedError"
