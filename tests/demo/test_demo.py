"""The demo content: the reference post exactly as the product's page shows it."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlmodel import Session, func, select

from cms.config import Settings
from cms.demo.loader import load_demo
from cms.media.models import Media
from cms.posts.models import Post
from cms.users.models import Role
from tests.factories import bearer, make_user
from tests.media.pictures import size_of


def test_demo_reference_post_as_the_page_shows_it(
    client, session: Session, settings: Settings
) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC), settings=settings)

    response = client.get("/api/v1/posts/dry-needling-why-its-so-awesome")

    assert response.status_code == 200
    post = response.json()["data"]
    assert post["title"] == "Dry needling & why it's so awesome"
    assert post["primary_author"]["name"] == "Jo Goh"
    assert post["primary_author"]["profile_image"].startswith("http://127.0.0.1:8000/media/")
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


def test_demo_has_enough_to_paginate_filter_and_relate(
    client, session: Session, settings: Settings
) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC), settings=settings)

    posts = client.get("/api/v1/posts?limit=5").json()
    authors = client.get("/api/v1/authors").json()

    assert posts["meta"]["pagination"]["total"] >= 13
    assert posts["meta"]["pagination"]["pages"] >= 3
    assert len(authors["data"]) == 3
    assert client.get("/api/v1/posts?tag=pain-relief").json()["meta"]["pagination"]["total"] >= 3
    # The draft and the scheduled post stay hidden.
    assert client.get("/api/v1/posts/hydration-myths-for-active-people").status_code == 404


def test_loading_the_demo_twice_changes_nothing(session: Session, settings: Settings) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = load_demo(session, now=now, settings=settings)
    count = session.exec(select(func.count()).select_from(Post)).one()

    second = load_demo(session, now=now, settings=settings)

    assert first.posts == 15 and first.authors == 3
    assert (second.posts, second.authors, second.tags) == (0, 0, 0)
    assert session.exec(select(func.count()).select_from(Post)).one() == count


def test_demo_views_are_stored_day_by_day_like_counted_ones(
    client, session: Session, settings: Settings
) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC), settings=settings)
    post = session.exec(select(Post).where(Post.slug == "dry-needling-why-its-so-awesome")).one()
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    stats = client.get(
        f"/api/v1/admin/posts/{post.id}/stats?from=2021-01-28&to=2021-02-03", headers=editor
    ).json()["data"]

    assert stats["view_count"] == stats["range"]["views"] == 62
    assert [day["views"] for day in stats["days"]] == [31, 16, 8, 4, 2, 1, 0]


def test_the_demos_writes_are_in_the_audit_log_as_the_command_line(
    client, session: Session, settings: Settings
) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC), settings=settings)
    admin = bearer(session, make_user(session, role=Role.ADMIN))

    events = client.get("/api/v1/admin/audit", params={"limit": 100}, headers=admin).json()

    posts = session.exec(select(func.count()).select_from(Post)).one()
    actions = [event["action"] for event in events["data"]]
    assert {event["actor"] for event in events["data"]} == {"cli"}
    assert actions.count("post.create") == posts
    assert {"author.create", "tag.create", "post.publish"} <= set(actions)


def test_the_demos_pictures_come_from_the_server_itself(
    client, session: Session, settings: Settings
) -> None:
    load_demo(session, now=datetime(2026, 1, 1, tzinfo=UTC), settings=settings)

    post = client.get("/api/v1/posts/dry-needling-why-its-so-awesome").json()["data"]
    pictures = [post["primary_author"]["profile_image"], post["feature_image"]]
    served = [client.get(urlsplit(url).path) for url in pictures]

    assert [response.status_code for response in served] == [200, 200]
    assert {response.headers["content-type"] for response in served} == {"image/jpeg"}
    assert [size_of(response.content) for response in served] == [(400, 400), (1200, 630)]
    assert post["feature_image_details"]["width"] == 1200
    assert post["feature_image_alt"].endswith("an abstract drawing")
    assert post["primary_author"]["profile_image_details"]["srcset"].count("w,") == 1
    library = session.exec(select(func.count()).select_from(Media)).one()
    assert library == 3 + 15  # a portrait per writer, a cover per post
