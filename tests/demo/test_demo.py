"""The demo content: the reference post exactly as the product's page shows it."""

from datetime import UTC, datetime

from sqlmodel import Session, func, select

from cms.demo.loader import load_demo
from cms.posts.models import Post
from cms.users.models import Role
from tests.factories import bearer, make_user


def test_demo_reference_post_as_the_page_shows_it(client, session: Session) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC))

    response = client.get("/api/v1/posts/dry-needling-why-its-so-awesome")

    assert response.status_code == 200
    post = response.json()["data"]
    assert post["title"] == "Dry needling & why it's so awesome"
    assert post["primary_author"]["name"] == "Jo Goh"
    assert post["primary_author"]["profile_image"].startswith("https://")
    assert post["published_at"] == "2021-01-28T09:00:00Z"
    assert post["updated_at"].startswith("2021-02-02")
    assert post["view_count"] == 62
    assert post["comment_count"] == 0
    assert post["html"].count("<h2 id=") == 4
    assert len(post["related"]) == 3
    for card in post["related"]:
        assert card["links"]["self"].startswith("http://api.test/api/v1/posts/")
        assert card["url"].startswith("https://blog.example.com/post/")
    assert post["related"][0]["slug"] == "massage-vs-dry-needling-which-one-do-you-need"


def test_demo_has_enough_to_paginate_filter_and_relate(client, session: Session) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC))

    posts = client.get("/api/v1/posts?limit=5").json()
    authors = client.get("/api/v1/authors").json()

    assert posts["meta"]["pagination"]["total"] >= 13
    assert posts["meta"]["pagination"]["pages"] >= 3
    assert len(authors["data"]) == 3
    assert client.get("/api/v1/posts?tag=pain-relief").json()["meta"]["pagination"]["total"] >= 3
    # The draft and the scheduled post stay hidden.
    assert client.get("/api/v1/posts/hydration-myths-for-active-people").status_code == 404


def test_loading_the_demo_twice_changes_nothing(session: Session) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = load_demo(session, now=now)
    count = session.exec(select(func.count()).select_from(Post)).one()

    second = load_demo(session, now=now)

    assert first.posts == 15 and first.authors == 3
    assert (second.posts, second.authors, second.tags) == (0, 0, 0)
    assert session.exec(select(func.count()).select_from(Post)).one() == count


def test_demo_views_are_stored_day_by_day_like_counted_ones(client, session: Session) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC))
    post = session.exec(select(Post).where(Post.slug == "dry-needling-why-its-so-awesome")).one()
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    stats = client.get(
        f"/api/v1/admin/posts/{post.id}/stats?from=2021-01-28&to=2021-02-03", headers=editor
    ).json()["data"]

    assert stats["view_count"] == stats["range"]["views"] == 62
    assert [day["views"] for day in stats["days"]] == [31, 16, 8, 4, 2, 1, 0]


def test_the_demos_writes_are_in_the_audit_log_as_the_command_line(
    client, session: Session
) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC))
    admin = bearer(session, make_user(session, role=Role.ADMIN))

    events = client.get("/api/v1/admin/audit", params={"limit": 100}, headers=admin).json()

    posts = session.exec(select(func.count()).select_from(Post)).one()
    actions = [event["action"] for event in events["data"]]
    assert {event["actor"] for event in events["data"]} == {"cli"}
    assert actions.count("post.create") == posts
    assert {"author.create", "tag.create", "post.publish"} <= set(actions)
