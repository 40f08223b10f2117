"""Comments: readers submit, moderators decide, and comment_count counts approved ones only."""

from datetime import UTC, datetime

from sqlmodel import Session, func, select

from cms.comments.models import Comment, CommentStatus
from cms.posts.models import Post
from cms.users.models import Role
from tests.comments.readers import comments_url, moderate, submit
from tests.factories import bearer, make_post, make_user


def assert_count_invariant(client, session: Session, post: Post) -> int:  # type: ignore[no-untyped-def]
    """comment_count = approved comments, the same in the post, the list and related cards."""
    approved = session.exec(
        select(func.count())
        .select_from(Comment)
        .where(Comment.post_id == post.id, Comment.status == CommentStatus.APPROVED)
    ).one()
    single = client.get(f"/api/v1/posts/{post.slug}").json()["data"]["comment_count"]
    listed = {p["slug"]: p["comment_count"] for p in client.get("/api/v1/posts").json()["data"]}
    assert single == listed[post.slug] == approved
    for other in client.get("/api/v1/posts?fields=slug,related").json()["data"]:
        for card in other["related"]:
            if card["slug"] == post.slug:
                assert card["comment_count"] == approved
    return int(approved)


def test_a_comment_waits_for_moderation_then_shows_and_counts(client, session: Session) -> None:
    post = make_post(session, title="Talk", tags=["T"])
    make_post(session, title="Neighbour", tags=["T"])
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    submitted = submit(client, "talk", author_email="Ann@Example.com", body="*Great* read")

    assert submitted.status_code == 202
    data = submitted.json()["data"]
    assert data["status"] == "pending" and data["html"] == "<p><em>Great</em> read</p>\n"
    assert client.get(comments_url("talk")).json()["data"] == []
    assert assert_count_invariant(client, session, post) == 0

    queue = client.get("/api/v1/admin/comments?status=pending", headers=editor).json()["data"]
    assert [c["id"] for c in queue] == [data["id"]]
    assert queue[0]["author_email"] == "ann@example.com" and queue[0]["post"]["slug"] == "talk"

    for status, shown in [
        ("approved", 1),
        ("spam", 0),
        ("approved", 1),
        ("deleted", 0),
        ("approved", 1),
    ]:
        assert moderate(client, editor, data["id"], status).status_code == 200
        assert assert_count_invariant(client, session, post) == shown
        assert len(client.get(comments_url("talk")).json()["data"]) == shown

    public = client.get(comments_url("talk")).json()["data"][0]
    assert "author_email" not in public and "ann@example.com" not in str(public)
    assert public["author_name"] == "Ann"


def test_counting_comments_does_not_touch_updated_at(client, session: Session) -> None:
    post = make_post(session, title="Steady")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    before = client.get("/api/v1/posts/steady").json()["data"]["updated_at"]

    comment_id = submit(client, "steady").json()["data"]["id"]
    moderate(client, editor, comment_id, "approved")

    after = client.get("/api/v1/posts/steady").json()["data"]
    assert after["updated_at"] == before and after["comment_count"] == 1
    assert post.version == 2  # created and published; comments are not edits


def test_replies_nest_oldest_first_up_to_the_depth_limit(client, session: Session, clock) -> None:
    make_post(session, title="Thread")
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    def approved(**fields: object) -> int:
        clock.advance(minutes=1)
        comment_id = submit(client, "thread", **fields).json()["data"]["id"]
        moderate(client, editor, comment_id, "approved")
        return int(comment_id)

    first = approved(body="First")
    second = approved(body="Second")
    reply = approved(body="Reply", parent_id=first)
    reply_2 = approved(body="Reply to reply", parent_id=reply)
    reply_3 = approved(body="Third level", parent_id=reply_2)
    too_deep = submit(client, "thread", body="Fourth level", parent_id=reply_3)

    thread = client.get(comments_url("thread")).json()
    assert [c["id"] for c in thread["data"]] == [first, second]
    level = thread["data"][0]
    for expected in (reply, reply_2, reply_3):
        (level,) = level["replies"]
        assert level["id"] == expected
    assert too_deep.status_code == 422 and too_deep.json()["errors"][0]["field"] == "parent_id"
    assert thread["meta"]["pagination"]["total"] == 2
    page_2 = client.get(f"{comments_url('thread')}?limit=1&page=2").json()["data"]
    assert [c["id"] for c in page_2] == [second]


def test_comments_take_sort_and_fields_like_every_collection(
    client, session: Session, clock
) -> None:
    make_post(session, title="Thread")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    ids = []
    for body in ("Older", "Newer"):
        clock.advance(minutes=1)
        ids.append(submit(client, "thread", body=body).json()["data"]["id"])
        moderate(client, editor, ids[-1], "approved")
    clock.advance(minutes=1)
    reply = submit(client, "thread", body="Reply", parent_id=ids[0]).json()["data"]["id"]
    moderate(client, editor, reply, "approved")

    newest = client.get(comments_url("thread"), params={"sort": "-created_at"}).json()
    narrow = client.get(comments_url("thread"), params={"fields": "id,replies"}).json()

    assert [c["id"] for c in newest["data"]] == list(reversed(ids))
    assert newest["links"]["self"].endswith("sort=-created_at")
    assert narrow["data"][0] == {"id": ids[0], "replies": [{"id": reply, "replies": []}]}
    for query, field in (("sort=author_name", "sort"), ("fields=author_email", "fields")):
        refused = client.get(f"{comments_url('thread')}?{query}")
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == field


def test_a_reply_whose_parent_is_removed_stands_on_its_own(client, session: Session) -> None:
    make_post(session, title="Orphans")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    parent = submit(client, "orphans", body="Parent").json()["data"]["id"]
    moderate(client, editor, parent, "approved")
    child = submit(client, "orphans", body="Child", parent_id=parent).json()["data"]["id"]
    moderate(client, editor, child, "approved")

    moderate(client, editor, parent, "deleted")

    shown = client.get(comments_url("orphans")).json()["data"]
    assert [c["id"] for c in shown] == [child]  # still counted, so still shown


def test_bad_comments_are_problems_naming_the_field(client, session: Session) -> None:
    make_post(session, title="Open")
    other = make_post(session, title="Other")
    make_post(session, title="Draft", published=False)
    foreign = submit(client, "other").json()["data"]["id"]
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    moderate(client, editor, foreign, "approved")
    cases = [
        ("open", {"body": ""}, 422, "body"),
        ("open", {"body": "   \n  "}, 422, "body"),
        ("open", {"body": "x" * 100_000}, 422, "body"),
        ("open", {"author_email": "not-an-email"}, 422, "author_email"),
        ("open", {"author_name": "n" * 101}, 422, "author_name"),
        ("open", {"parent_id": foreign}, 422, "parent_id"),
        ("open", {"parent_id": 999999}, 422, "parent_id"),
        ("open", {"body": "a https://a.example b https://b.example c www.c.example"}, 422, "body"),
        ("draft", {}, 404, None),
        ("no-such-post", {}, 404, None),
    ]
    for slug, fields, status, field in cases:
        response = submit(client, slug, **fields)
        assert response.status_code == status, (fields, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if field:
            assert field in [e["field"] for e in response.json()["errors"]]
    session.refresh(other)
    assert other.comment_count == 1
    assert session.exec(select(func.count()).select_from(Comment)).one() == 1


def test_closed_comments_are_403(client, session: Session, settings, clock) -> None:
    make_post(session, title="Closed", comments_enabled=False)
    make_post(session, title="Old", published_at=datetime(2025, 1, 1, tzinfo=UTC))

    assert submit(client, "closed").status_code == 403
    assert submit(client, "old").status_code == 202
    settings.comments_close_after_days = 30
    response = submit(client, "old")
    assert response.status_code == 403
    assert "30 days" in response.json()["detail"]


def test_the_robot_trap_takes_spam_quietly(client, session: Session) -> None:
    post = make_post(session, title="Trap")

    response = submit(client, "trap", website="https://buy.example")

    assert response.status_code == 202 and response.json()["data"]["status"] == "pending"
    stored = session.exec(select(Comment).where(Comment.post_id == post.id)).one()
    assert stored.status == CommentStatus.SPAM
    assert assert_count_invariant(client, session, post) == 0


def test_an_editors_own_comment_is_approved_at_once(client, session: Session) -> None:
    post = make_post(session, title="Staff", comments_enabled=False)
    editor = bearer(session, make_user(session, role=Role.EDITOR, name="Ed"))

    response = client.post(
        f"/api/v1/admin/posts/{post.id}/comments", json={"body": "Thanks!"}, headers=editor
    )

    assert response.status_code == 201
    assert response.json()["data"]["status"] == "approved"
    assert [c["author_name"] for c in client.get(comments_url("staff")).json()["data"]] == ["Ed"]
    assert assert_count_invariant(client, session, post) == 1


def test_moderation_refuses_unknown_statuses_and_comments(client, session: Session) -> None:
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    make_post(session, title="Mod")
    comment_id = submit(client, "mod").json()["data"]["id"]

    assert moderate(client, editor, comment_id, "burned").status_code == 422
    assert moderate(client, editor, 999999, "approved").status_code == 404
    assert client.get("/api/v1/admin/comments?status=burned", headers=editor).status_code == 400
