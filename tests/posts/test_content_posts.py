"""Content API: GET /api/v1/posts and GET /api/v1/posts/{slug}."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from cms.posts.models import PostSlugRedirect
from tests.factories import make_author, make_post


def test_published_post_has_everything_its_page_needs(client, session: Session) -> None:
    author = make_author(session, name="Jo Goh", profile_image="https://img.example/jo.jpg")
    post = make_post(
        session,
        title="Dry needling & why it's so awesome",
        body="Intro words.\n\n## Does it hurt?\n\nNot much.",
        authors=[author],
        tags=["Dry Needling", "Physio"],
        feature_image="https://img.example/needles.jpg",
        featured=True,
        published_at=datetime(2021, 1, 28, 9, 0, tzinfo=UTC),
    )

    response = client.get("/api/v1/posts/dry-needling-why-its-so-awesome")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()["data"]
    assert data["id"] == post.id
    assert data["title"] == "Dry needling & why it's so awesome"
    assert data["published_at"] == "2021-01-28T09:00:00Z"
    assert data["updated_at"].endswith("Z")
    assert data["primary_author"]["name"] == "Jo Goh"
    assert data["primary_author"]["profile_image"] == "https://img.example/jo.jpg"
    assert data["primary_author"]["post_count"] == 1
    assert [tag["slug"] for tag in data["tags"]] == ["dry-needling", "physio"]
    assert data["primary_tag"]["name"] == "Dry Needling"
    assert '<h2 id="does-it-hurt">Does it hurt?</h2>' in data["html"]
    assert data["excerpt"] == "Intro words. Does it hurt? Not much."
    assert data["reading_time"] == 1
    assert data["view_count"] == 0 and data["comment_count"] == 0
    assert data["featured"] is True
    assert data["url"] == "https://blog.example.com/post/dry-needling-why-its-so-awesome"
    base = "http://api.test/api/v1/posts/dry-needling-why-its-so-awesome"
    assert data["links"] == {
        "self": base,
        "comments": f"{base}/comments",
        "related": f"{base}/related",
        "views": f"{base}/views",
    }
    assert "plaintext" not in data


def test_draft_post_is_not_found_on_content_api(client, session: Session) -> None:
    make_post(session, title="Secret plans", published=False)

    response = client.get("/api/v1/posts/secret-plans")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["title"] == "Not Found"
    assert "secret-plans" in problem["detail"]
    listed = client.get("/api/v1/posts").json()["data"]
    assert listed == []


def test_unknown_slug_is_a_404_problem_document(client) -> None:
    response = client.get("/api/v1/posts/no-such-post")

    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No published post with slug 'no-such-post'",
    }


def test_scheduled_post_goes_live_by_itself_when_its_time_comes(
    client, session: Session, clock
) -> None:
    make_post(session, title="Coming soon", published_at=datetime(2026, 1, 20, tzinfo=UTC))

    assert client.get("/api/v1/posts/coming-soon").status_code == 404
    assert client.get("/api/v1/posts").json()["meta"]["pagination"]["total"] == 0

    clock.advance(days=5)

    assert client.get("/api/v1/posts/coming-soon").status_code == 200
    assert client.get("/api/v1/posts").json()["meta"]["pagination"]["total"] == 1


def test_former_slug_answers_301_to_the_current_one(client, session: Session) -> None:
    post = make_post(session, title="New name")
    session.add(PostSlugRedirect(slug="old-name", post_id=post.id))
    session.flush()

    response = client.get("/api/v1/posts/old-name", follow_redirects=False)

    assert response.status_code == 301
    assert response.headers["location"] == "http://api.test/api/v1/posts/new-name"
    assert client.get("/api/v1/posts/old-name").json()["data"]["slug"] == "new-name"


def test_list_is_newest_first_with_pagination_meta_and_links(client, session: Session) -> None:
    for day in range(1, 13):
        make_post(session, title=f"Day {day}", published_at=datetime(2025, 3, day, tzinfo=UTC))

    body = client.get("/api/v1/posts?limit=5&page=2").json()

    assert [post["title"] for post in body["data"]] == [f"Day {d}" for d in range(7, 2, -1)]
    assert body["meta"]["pagination"] == {
        "page": 2, "limit": 5, "total": 12, "pages": 3, "next": 3, "prev": 1,
    }  # fmt: skip
    assert body["links"]["self"] == "http://api.test/api/v1/posts?page=2&limit=5"
    assert body["links"]["next"] == "http://api.test/api/v1/posts?limit=5&page=3"
    assert body["links"]["prev"] == "http://api.test/api/v1/posts?limit=5&page=1"
    first = body["data"][0]
    assert "html" not in first and "related" not in first and "plaintext" not in first
    assert first["authors"] and first["tags"] == [] and first["primary_tag"] is None


def test_page_past_the_end_is_empty_not_an_error(client, session: Session) -> None:
    make_post(session)

    body = client.get("/api/v1/posts?limit=5&page=100000").json()

    assert body["data"] == []
    assert body["meta"]["pagination"]["total"] == 1
    assert body["meta"]["pagination"]["next"] is None


def test_filters_by_tag_author_and_featured(client, session: Session) -> None:
    jo = make_author(session, name="Jo Goh")
    make_post(session, title="Needles", tags=["Dry Needling"], authors=[jo], featured=True)
    make_post(session, title="Running", tags=["Running"])
    make_post(session, title="More needles", tags=["Dry Needling", "Running"])

    def titles(query: str) -> list[str]:
        return sorted(post["title"] for post in client.get(f"/api/v1/posts?{query}").json()["data"])

    assert titles("tag=dry-needling") == ["More needles", "Needles"]
    assert titles("author=jo-goh") == ["Needles"]
    assert titles("featured=true") == ["Needles"]
    assert titles("featured=false") == ["More needles", "Running"]
    assert client.get("/api/v1/posts?tag=dry-needling&tag=running").status_code == 400
    assert titles("tag=unknown-tag") == []


def test_search_finds_words_in_title_or_text(client, session: Session) -> None:
    make_post(session, title="Shoulder pain", body="Reaching overhead hurts.")
    make_post(session, title="Knee pain", body="Cyclists and saddles.")

    def titles(q: str) -> list[str]:
        return sorted(
            p["title"] for p in client.get("/api/v1/posts", params={"q": q}).json()["data"]
        )

    assert titles("pain") == ["Knee pain", "Shoulder pain"]
    assert titles("SADDLES") == ["Knee pain"]
    assert titles("pain overhead") == ["Shoulder pain"]
    assert titles('100% "quoted" _ \\ OR *') == []


def test_sort_and_fields(client, session: Session) -> None:
    make_post(session, title="Banana")
    make_post(session, title="Apple")

    body = client.get("/api/v1/posts?sort=title&fields=id,title,plaintext").json()

    assert [post["title"] for post in body["data"]] == ["Apple", "Banana"]
    assert set(body["data"][0]) == {"id", "title", "plaintext"}
    assert body["data"][0]["plaintext"].startswith("Some words for post")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("sort=password", "sort"),
        ("sort=-password", "sort"),
        ("fields=nope", "fields"),
        ("fields=id,nope", "fields"),
        ("featured=maybe", "featured"),
        ("q=" + "x" * 10_000, "q"),
        ("q=%00", "q"),
        ("tag=a%00b", "tag"),
    ],
)
def test_bad_list_parameters_are_400_problems_naming_the_parameter(client, query, field) -> None:
    response = client.get(f"/api/v1/posts?{query}")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert [error["field"] for error in problem["errors"]] == [field]
    assert field in problem["detail"]


def test_single_post_rejects_unknown_fields(client, session: Session) -> None:
    make_post(session, title="Hello")

    response = client.get("/api/v1/posts/hello?fields=password")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "fields"


def test_page_of_posts_costs_the_same_number_of_queries_for_1_or_100_posts(
    client, session: Session, count_queries
) -> None:
    def queries_for_page() -> int:
        count_queries.count = 0
        response = client.get(
            "/api/v1/posts?limit=100&fields=id,authors,primary_author,tags,related"
        )
        assert response.status_code == 200
        return count_queries.count

    writer = make_author(session)
    make_post(session, authors=[writer], tags=["A", "B"])
    one = queries_for_page()
    for number in range(99):
        make_post(session, authors=[writer, make_author(session)], tags=[f"T{number}", "A"])
    hundred = queries_for_page()

    assert len(client.get("/api/v1/posts?limit=100").json()["data"]) == 100
    assert one == hundred


def test_single_post_is_read_in_four_statements(client, session: Session, count_queries) -> None:
    """The post, its authors, its tags and its related posts (with their cards): one each."""
    make_post(session, title="Hello", tags=["One", "Two"])
    for _ in range(5):
        make_post(session, tags=["One"])
    start = len(count_queries.statements)

    response = client.get("/api/v1/posts/hello")

    assert response.status_code == 200 and len(response.json()["data"]["related"]) == 3
    assert len(count_queries.reads_since(start)) == 4


def test_single_post_query_count_does_not_grow_with_its_relations(
    client, session: Session, count_queries
) -> None:
    def queries_for(slug: str) -> int:
        count_queries.count = 0
        assert client.get(f"/api/v1/posts/{slug}").status_code == 200
        return count_queries.count

    small = make_post(session, title="Small", tags=["One"])
    big = make_post(
        session,
        title="Big",
        authors=[make_author(session) for _ in range(5)],
        tags=[f"Tag {n}" for n in range(10)],
    )
    for _ in range(10):
        make_post(session, tags=["One", "Tag 1"])

    assert queries_for(small.slug) == queries_for(big.slug)
