"""Stored counts (migration 0009): readers' post_count and a listing's total stay exact through
every change an editor makes, and a scheduled post counts once its time has come."""

from sqlalchemy import text
from sqlmodel import Session

from cms.users.models import Role
from tests.factories import bearer, make_author, make_user

POSTS = "/api/v1/admin/posts"


def shown(client) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What readers see: totals of the listings and each record's post_count."""

    def total(query: str) -> int:
        response = client.get(f"/api/v1/posts{query}")
        assert response.status_code == 200
        return int(response.json()["meta"]["pagination"]["total"])

    tags = client.get("/api/v1/tags?limit=100").json()["data"]
    authors = client.get("/api/v1/authors?limit=100").json()["data"]
    return {
        "all": total(""),
        "featured": total("?featured=true"),
        "unfeatured": total("?featured=false"),
        "knee": total("?tag=knee"),
        "jo": total("?author=jo"),
        "tags": {tag["slug"]: tag["post_count"] for tag in tags},
        "authors": {author["slug"]: author["post_count"] for author in authors},
    }


def recounted(session: Session) -> dict[str, int]:
    """The stored counts, checked against counting every post again."""
    live = "p.status = 'published' AND p.deleted_at IS NULL"
    for records, link, key in (
        ("tags", "post_tags", "tag_id"),
        ("authors", "post_authors", "author_id"),
    ):
        rows = session.execute(
            text(
                f"SELECT r.published_posts, (SELECT count(*) FROM {link} l JOIN posts p"
                f" ON p.id = l.post_id WHERE l.{key} = r.id AND {live}) FROM {records} r"
            )
        ).all()
        assert all(stored == counted for stored, counted in rows), (records, rows)
    stored = session.execute(text("SELECT published, featured FROM post_totals")).one()
    counted = session.execute(
        text(f"SELECT count(*), count(CASE WHEN p.featured THEN 1 END) FROM posts p WHERE {live}")
    ).one()
    assert tuple(stored) == tuple(counted)
    return {"published": stored[0], "featured": stored[1]}


def test_counts_follow_publishing_trashing_retagging_and_deleting(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR, with_author=False))
    jo, amy = make_author(session, name="Jo"), make_author(session, name="Amy")

    def write(**fields: object) -> dict[str, object]:
        body = {"title": "A post", "body": "Words.", "author_ids": [jo.id]} | fields
        response = client.post(POSTS, json=body, headers=headers)
        assert response.status_code == 201
        return dict(response.json()["data"])

    def matching(post: dict[str, object]) -> dict[str, str]:
        etag = client.get(f"{POSTS}/{post['id']}", headers=headers).headers["etag"]
        return {**headers, "If-Match": etag}

    def act(post: dict[str, object], verb: str) -> None:
        response = client.post(f"{POSTS}/{post['id']}/{verb}", headers=headers)
        assert response.status_code == 200

    first = write(tags=["Knee", "Hip"], featured=True)
    second = write(tags=["Knee"], author_ids=[jo.id, amy.id])
    draft = write(tags=["Knee", "Drafts"])
    act(first, "publish")
    act(second, "publish")
    assert shown(client) == {
        "all": 2, "featured": 1, "unfeatured": 1, "knee": 2, "jo": 2,
        "tags": {"hip": 1, "knee": 2}, "authors": {"amy": 1, "jo": 2},
    }  # fmt: skip
    assert recounted(session) == {"published": 2, "featured": 1}

    # Off the knee tag, off Jo's byline: a PATCH of links moves the counts.
    changed = client.patch(
        f"{POSTS}/{second['id']}",
        json={"tags": ["Hip"], "author_ids": [amy.id]},
        headers=matching(second),
    )
    assert changed.status_code == 200
    view = shown(client)
    assert view["tags"] == {"hip": 2, "knee": 1} and view["authors"] == {"amy": 1, "jo": 1}

    trashed = client.delete(f"{POSTS}/{first['id']}", headers=matching(first))
    assert trashed.status_code == 204
    assert shown(client)["featured"] == 0 and shown(client)["knee"] == 0
    restored = client.post(f"/api/v1/admin/trash/{first['id']}/restore", headers=headers)
    assert restored.status_code == 200
    assert shown(client)["featured"] == 1 and shown(client)["knee"] == 1

    act(first, "unpublish")
    assert shown(client)["all"] == 1 and shown(client)["tags"] == {"hip": 1}
    act(draft, "publish")
    deleted = client.delete("/api/v1/admin/tags/" + str(_tag_id(session, "knee")), headers=headers)
    assert deleted.status_code == 204
    assert shown(client)["tags"] == {"drafts": 1, "hip": 1}
    assert recounted(session) == {"published": 2, "featured": 0}


def test_a_scheduled_post_counts_once_it_goes_live(client, session: Session, clock) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR, with_author=False))
    writer = make_author(session, name="Jo")
    created = client.post(
        POSTS,
        json={"title": "Soon", "body": "Words.", "author_ids": [writer.id], "tags": ["Knee"]},
        headers=headers,
    ).json()["data"]
    later = clock.now.replace(year=clock.now.year + 1).isoformat()
    scheduled = client.post(
        f"{POSTS}/{created['id']}/publish", json={"published_at": later}, headers=headers
    )
    assert scheduled.json()["data"]["status"] == "scheduled"
    assert shown(client)["all"] == 0 and shown(client)["tags"] == {}
    assert client.get("/api/v1/posts?tag=knee").json()["meta"]["pagination"]["total"] == 0

    clock.advance(days=366)

    assert shown(client) == {
        "all": 1, "featured": 0, "unfeatured": 1, "knee": 1, "jo": 1,
        "tags": {"knee": 1}, "authors": {"jo": 1},
    }  # fmt: skip


def _tag_id(session: Session, slug: str) -> int:
    return int(
        session.execute(text("SELECT id FROM tags WHERE slug = :s"), {"s": slug}).scalar_one()
    )


def test_links_carry_their_posts_publication_time(client, session: Session, clock) -> None:
    """Migration 0010: each tag and byline link has its post's published_at, kept in step."""
    headers = bearer(session, make_user(session, role=Role.EDITOR, with_author=False))
    writer = make_author(session, name="Jo")
    created = client.post(
        POSTS,
        json={"title": "Dated", "body": "Words.", "author_ids": [writer.id], "tags": ["A", "B"]},
        headers=headers,
    ).json()["data"]

    def link_dates() -> set[object]:
        rows = session.execute(
            text(
                "SELECT published_at FROM post_tags WHERE post_id = :id UNION ALL"
                " SELECT published_at FROM post_authors WHERE post_id = :id"
            ),
            {"id": created["id"]},
        ).scalars()
        return {str(value)[:19].replace("T", " ") if value else None for value in rows}

    assert link_dates() == {None}  # a draft has no publication time yet
    published = client.post(f"{POSTS}/{created['id']}/publish", headers=headers).json()["data"]
    assert link_dates() == {published["published_at"][:19].replace("T", " ")}
    etag = client.get(f"{POSTS}/{created['id']}", headers=headers).headers["etag"]
    moved = client.patch(
        f"{POSTS}/{created['id']}",
        json={"published_at": "2020-05-06T07:08:09Z", "tags": ["A", "C"]},
        headers={**headers, "If-Match": etag},
    )
    assert moved.status_code == 200
    assert link_dates() == {"2020-05-06 07:08:09"}
