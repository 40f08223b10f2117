"""Views: counted once per visitor per window, stored as per-day counts, shown everywhere alike."""

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, cast, literal
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from cms.db import UTCDateTime
from cms.pageviews.models import PostViewDay, PostViewer
from cms.pageviews.service import PURGE_EVERY
from cms.posts.models import Post
from cms.users.models import Role
from tests.factories import bearer, make_pending_comment, make_post, make_user

_browsers = itertools.count()


def view(client, slug: str, agent: str | None = None, **body: object):  # type: ignore[no-untyped-def]
    """A view from a new visitor each time (another browser), unless `agent` says who."""
    headers = {"User-Agent": agent or f"Browser {next(_browsers)}"}
    return client.post(f"/api/v1/posts/{slug}/views", json=body or None, headers=headers)


def stored_views(session: Session) -> tuple[int, int, int]:
    """(views in totals, views in days, visitors remembered) across every post."""
    totals = session.exec(select(func.coalesce(func.sum(Post.view_count), 0))).one()
    days = session.exec(select(func.coalesce(func.sum(PostViewDay.views), 0))).one()
    viewers = session.exec(select(func.count()).select_from(PostViewer)).one()
    return int(totals), int(days), int(viewers)


def test_a_view_counts_and_answers_the_new_count(client, session: Session) -> None:
    make_post(session, title="Seen")

    first = view(client, "seen")
    second = view(client, "seen")

    assert first.status_code == 200 and first.json() == {"data": {"view_count": 1}}
    assert second.json() == {"data": {"view_count": 2}}
    assert first.headers["cache-control"] == "no-store"
    assert stored_views(session) == (2, 2, 2)


def test_a_repeat_within_the_window_counts_once(client, session: Session, clock) -> None:
    make_post(session, title="Seen")

    counts = [view(client, "seen", agent="Same browser").json()["data"]["view_count"]]
    clock.advance(minutes=29)
    counts.append(view(client, "seen", agent="Same browser").json()["data"]["view_count"])
    clock.advance(minutes=1)  # 30 minutes after the counted view: the window has passed
    counts.append(view(client, "seen", agent="Same browser").json()["data"]["view_count"])
    counts.append(view(client, "seen", agent="Another browser").json()["data"]["view_count"])

    assert counts == [1, 1, 2, 3]


def test_the_window_is_a_setting(client, session: Session, settings) -> None:
    settings.view_window_minutes = 0  # every request counts
    make_post(session, title="Seen")

    counts = [view(client, "seen", agent="Same").json()["data"]["view_count"] for _ in range(3)]

    assert counts == [1, 2, 3]


def test_a_visitor_id_from_the_client_tells_visitors_apart(client, session: Session) -> None:
    make_post(session, title="Seen")

    # The same device (address and user agent) with two app installs: two visitors.
    counts = [
        view(client, "seen", agent="App", visitor_id="install-1"),
        view(client, "seen", agent="App", visitor_id="install-2"),
        # One install whose user agent changed after an update: still one visitor.
        view(client, "seen", agent="App 2.0", visitor_id="install-1"),
    ]

    assert [r.json()["data"]["view_count"] for r in counts] == [1, 2, 2]


def test_visitors_are_stored_as_keyed_hashes_not_addresses(client, session: Session) -> None:
    make_post(session, title="Seen")

    view(client, "seen", agent="Firefox")
    view(client, "seen", agent="Firefox", visitor_id="my-own-id")

    stored = session.exec(select(PostViewer.visitor)).all()
    assert len(stored) == 2
    for visitor in stored:
        assert len(visitor) == 64 and int(visitor, 16) >= 0
        assert "testclient" not in visitor and "my-own-id" not in visitor


def test_the_count_is_the_same_in_the_post_the_list_and_related_cards(
    client, session: Session
) -> None:
    make_post(session, title="Seen", tags=["Shared"])
    make_post(session, title="Neighbour", tags=["Shared"])
    for _ in range(3):
        view(client, "seen")

    single = client.get("/api/v1/posts/seen").json()["data"]
    listed = {p["slug"]: p for p in client.get("/api/v1/posts").json()["data"]}
    card = client.get("/api/v1/posts/neighbour").json()["data"]["related"][0]

    assert single["view_count"] == listed["seen"]["view_count"] == card["view_count"] == 3
    assert card["slug"] == "seen"
    assert listed["neighbour"]["view_count"] == 0


def test_posts_sort_by_view_count(client, session: Session) -> None:
    for title, views in (("Few", 1), ("Many", 3), ("None", 0)):
        make_post(session, title=title)
        for _ in range(views):
            view(client, title.lower())

    posts = client.get("/api/v1/posts?sort=-view_count").json()["data"]

    assert [(p["slug"], p["view_count"]) for p in posts] == [("many", 3), ("few", 1), ("none", 0)]


def test_counting_a_view_is_not_an_edit(client, session: Session) -> None:
    post = make_post(session, title="Seen")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    before = client.get(f"/api/v1/admin/posts/{post.id}", headers=editor)

    view(client, "seen")

    after = client.get(f"/api/v1/admin/posts/{post.id}", headers=editor)
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json()["data"]["updated_at"] == before.json()["data"]["updated_at"]
    assert after.json()["data"]["view_count"] == 1


@pytest.mark.parametrize("kind", ["draft", "scheduled", "trashed", "unknown"])
def test_only_published_posts_count_views(client, session: Session, kind: str) -> None:
    if kind == "draft":
        make_post(session, title="Hidden", published=False)
    elif kind == "scheduled":
        make_post(session, title="Hidden", published_at=datetime(2030, 1, 1, tzinfo=UTC))
    elif kind == "trashed":
        post = make_post(session, title="Hidden")
        post.deleted_at = datetime(2026, 1, 14, tzinfo=UTC)
        session.add(post)
        session.flush()

    response = view(client, "hidden")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert stored_views(session) == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visitor_id": ""}, "visitor_id"),
        ({"visitor_id": "x" * 201}, "visitor_id"),
        ({"visitor_id": 12}, "visitor_id"),
        ({"visitor_id": "a\u0000b"}, "visitor_id"),
        ({"visitor_id": "a\u001bb"}, "visitor_id"),
        ({"visitor_id": "line\nbreak"}, "visitor_id"),
        ({"visitor_id": "a\u007fb"}, "visitor_id"),
        ({"visitor": "x"}, "visitor"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(
    client, session: Session, body: dict[str, object], field: str
) -> None:
    make_post(session, title="Seen")

    response = client.post("/api/v1/posts/seen/views", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert stored_views(session) == (0, 0, 0)


def test_a_body_that_is_not_json_is_422(client, session: Session) -> None:
    make_post(session, title="Seen")

    response = client.post(
        "/api/v1/posts/seen/views",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"
    assert stored_views(session) == (0, 0, 0)


def test_a_former_slug_counts_no_view(client, session: Session) -> None:
    post = make_post(session, title="Old name")
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    address = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(address, headers=headers).headers["etag"]
    moved = {**headers, "If-Match": etag}
    assert client.patch(address, json={"slug": "new-name"}, headers=moved).status_code == 200

    response = view(client, "old-name")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert stored_views(session) == (0, 0, 0)
    assert view(client, "new-name").json()["data"]["view_count"] == 1


@pytest.mark.parametrize("body", [b"[]", b'"visitor"', b"12"])
def test_json_that_is_not_an_object_is_422_naming_the_body(
    client, session: Session, body: bytes
) -> None:
    make_post(session, title="Seen")

    response = client.post(
        "/api/v1/posts/seen/views", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert stored_views(session) == (0, 0, 0)


def test_a_flood_from_one_visitor_counts_once(client, session: Session) -> None:
    make_post(session, title="Seen")

    answers = [view(client, "seen", agent="Flooder", visitor_id="one") for _ in range(50)]

    assert {answer.status_code for answer in answers} == {200}
    assert {answer.json()["data"]["view_count"] for answer in answers} == {1}
    assert stored_views(session) == (1, 1, 1)


def test_the_view_answer_carries_cors_headers(client, session: Session) -> None:
    make_post(session, title="Seen")

    response = client.post("/api/v1/posts/seen/views", headers={"Origin": "https://app.example"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "no-store"


def test_old_visitor_records_are_purged(client, session: Session, clock) -> None:
    make_post(session, title="Seen")
    view(client, "seen", agent="Early")
    view(client, "seen", agent="Also early")

    clock.advance(seconds=PURGE_EVERY.total_seconds(), minutes=30)
    view(client, "seen", agent="Later")

    remembered = session.exec(select(PostViewer.counted_at)).all()
    assert remembered == [clock.now]
    assert client.get("/api/v1/posts/seen").json()["data"]["view_count"] == 3


def test_view_times_are_stored_as_every_other_time_is(client, session: Session, clock) -> None:
    # Written on the DBAPI cursor (cms.pageviews.statements): in SQLAlchemy's own form, or
    # SQLite's text comparisons with times SQLAlchemy binds would order them wrongly.
    make_post(session, title="Seen")
    view(client, "seen")

    def as_text(value: object) -> str:
        return str(session.exec(select(cast(value, String))).one())  # type: ignore[call-overload]

    expected = as_text(literal(clock.now, UTCDateTime()))
    assert as_text(select(PostViewer.counted_at).scalar_subquery()) == expected
    assert as_text(select(Post.viewed_at).scalar_subquery()) == expected


def test_a_purge_that_fails_leaves_the_views_of_its_batch_counted(
    client, session: Session, clock, monkeypatch
) -> None:
    make_post(session, title="Seen")
    view(client, "seen")
    clock.advance(seconds=PURGE_EVERY.total_seconds())

    def refused(session: Session, *, before: datetime) -> None:
        raise OperationalError("DELETE FROM post_viewers", {}, Exception("disk I/O error"))

    monkeypatch.setattr("cms.pageviews.service.purge_viewers", refused)
    response = view(client, "seen")

    assert response.status_code == 200  # committed before the purge began
    assert response.json()["data"]["view_count"] == 2
    assert stored_views(session) == (2, 2, 2)


def stats(client, post_id: int, headers, **query: str):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/admin/posts/{post_id}/stats", params=query, headers=headers)


def test_stats_give_views_and_comments_per_day(client, session: Session, clock) -> None:
    post = make_post(session, title="Charted")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    view(client, "charted")  # 2026-01-15
    clock.advance(days=2)
    view(client, "charted")  # 2026-01-17
    view(client, "charted")
    approved = make_pending_comment(session, post=post, created_at=clock.now)
    client.patch(
        f"/api/v1/admin/comments/{approved.id}", json={"status": "approved"}, headers=editor
    )
    make_pending_comment(session, post=post, created_at=clock.now)

    response = stats(client, post.id or 0, editor, **{"from": "2026-01-14", "to": "2026-01-17"})

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert response.json()["data"] == {
        "post_id": post.id,
        "view_count": 3,
        "comment_count": 1,
        "pending_comment_count": 1,
        "range": {"from": "2026-01-14", "to": "2026-01-17", "views": 3, "comments": 1},
        "days": [
            {"date": "2026-01-14", "views": 0, "comments": 0},
            {"date": "2026-01-15", "views": 1, "comments": 0},
            {"date": "2026-01-16", "views": 0, "comments": 0},
            {"date": "2026-01-17", "views": 2, "comments": 1},
        ],
    }


def test_stats_default_to_the_last_30_days(client, session: Session) -> None:
    post = make_post(session, title="Charted")
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    data = stats(client, post.id or 0, editor).json()["data"]

    assert data["range"]["from"] == "2025-12-17" and data["range"]["to"] == "2026-01-15"
    assert len(data["days"]) == 30


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-01-10", "to": "2026-01-09"}, "from"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
        ({"from": "2026-1-1"}, "from"),
        ({"from": "20260101"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"to": "yesterday"}, "to"),
    ],
)
def test_bad_stats_ranges_are_400_naming_the_parameter(
    client, session: Session, query: dict[str, str], field: str
) -> None:
    post = make_post(session, title="Charted")
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    response = stats(client, post.id or 0, editor, **query)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_stats_of_a_missing_post_are_404(client, session: Session) -> None:
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    assert stats(client, 999999, editor).status_code == 404


def test_views_of_a_purged_post_go_with_it(client, session: Session) -> None:
    post = make_post(session, title="Gone")
    view(client, "gone")
    session.delete(session.get(Post, post.id))
    session.flush()

    assert stored_views(session) == (0, 0, 0)
