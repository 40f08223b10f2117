"""Related posts: shared tags weighted by rarity, then the same author, newest first, topped up."""

from datetime import UTC, datetime

from sqlmodel import Session

from cms.posts import related
from cms.posts import service as posts_service
from tests.factories import make_author, make_post


def day(n: int) -> datetime:
    return datetime(2025, 1, n, 9, 0, tzinfo=UTC)


def test_related_ranking_follows_rarity_then_author_then_recency(client, session: Session) -> None:
    jo, sam = make_author(session, name="Jo"), make_author(session, name="Sam")
    # Tag uses among live posts: rare = 2 (weight 1/2), common = 5 (1/5), mid = 3 (1/3).
    make_post(
        session, title="Source", authors=[jo], tags=["Rare", "Common", "Mid"], published_at=day(1)
    )
    make_post(
        session, title="Shares rare", authors=[sam], tags=["Rare"], published_at=day(2)
    )  # 0.5
    make_post(
        session,
        title="Shares mid and common",
        authors=[sam],
        tags=["Mid", "Common"],
        published_at=day(3),
    )  # 1/3 + 1/5
    make_post(session, title="Shares mid", authors=[sam], tags=["Mid"], published_at=day(4))  # 1/3
    make_post(
        session, title="Common by Jo", authors=[jo], tags=["Common"], published_at=day(5)
    )  # 0.2 + author
    make_post(
        session, title="Common by Sam", authors=[sam], tags=["Common"], published_at=day(6)
    )  # 0.2
    make_post(
        session, title="Common by Sam, older", authors=[sam], tags=["Common"], published_at=day(1)
    )  # 0.2, older
    make_post(
        session, title="Nothing shared, by Jo", authors=[jo], published_at=day(7)
    )  # author only
    make_post(session, title="Nothing shared, newest", authors=[sam], published_at=day(9))
    make_post(session, title="Nothing shared, older", authors=[sam], published_at=day(8))
    make_post(session, title="Draft sharing rare", authors=[jo], tags=["Rare"], published=False)

    response = client.get("/api/v1/posts/source/related?limit=10")

    assert response.status_code == 200
    assert [post["title"] for post in response.json()["data"]] == [
        "Shares mid and common",  # 0.533
        "Shares rare",  # 0.5
        "Shares mid",  # 0.333
        "Common by Jo",  # 0.2 and the same author
        "Common by Sam",  # 0.2, newer
        "Common by Sam, older",  # 0.2, older
        "Nothing shared, by Jo",  # same author only
        "Nothing shared, newest",  # topped up with the newest posts
        "Nothing shared, older",
    ]


def test_related_is_topped_up_with_recent_posts_and_never_includes_itself(
    client, session: Session
) -> None:
    make_post(session, title="Lonely", tags=["Unique"], published_at=day(1))
    for n in range(2, 7):
        make_post(session, title=f"Other {n}", published_at=day(n))

    titles = [p["title"] for p in client.get("/api/v1/posts/lonely/related").json()["data"]]

    assert titles == ["Other 6", "Other 5", "Other 4"]


def test_single_post_embeds_three_related_cards_with_links(client, session: Session) -> None:
    for n in range(1, 6):
        make_post(session, title=f"Post {n}", tags=["Shared"], published_at=day(n))

    data = client.get("/api/v1/posts/post-1").json()["data"]

    assert [card["title"] for card in data["related"]] == ["Post 5", "Post 4", "Post 3"]
    card = data["related"][0]
    assert set(card) == {
        "id", "slug", "title", "url", "excerpt", "feature_image", "published_at",
        "reading_time", "view_count", "comment_count", "links",
    }  # fmt: skip
    assert card["url"] == "https://blog.example.com/post/post-5"
    assert card["links"]["self"] == "http://api.test/api/v1/posts/post-5"


def test_related_in_a_list_when_asked_for_with_fields(client, session: Session) -> None:
    for n in range(1, 5):
        make_post(session, title=f"Post {n}", tags=["Shared"], published_at=day(n))

    body = client.get("/api/v1/posts?fields=slug,related").json()

    related = {post["slug"]: [card["slug"] for card in post["related"]] for post in body["data"]}
    assert related["post-4"] == ["post-3", "post-2", "post-1"]
    assert related["post-1"] == ["post-4", "post-3", "post-2"]


def test_related_for_a_draft_or_unknown_post_is_404(client, session: Session) -> None:
    make_post(session, title="Draft", published=False)

    assert client.get("/api/v1/posts/draft/related").status_code == 404
    assert client.get("/api/v1/posts/nope/related").status_code == 404


def test_related_limit_is_checked(client, session: Session) -> None:
    make_post(session, title="Source")

    for bad in ("0", "21", "many"):
        response = client.get(f"/api/v1/posts/source/related?limit={bad}")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "limit"


def test_a_big_site_ranks_among_each_tags_newest_posts(
    client, session: Session, monkeypatch
) -> None:
    """cms.posts.related: candidates are the WINDOW newest posts of each tag and author, and a
    tag's share counts for the posts in its window."""
    monkeypatch.setattr(related, "WINDOW", 2)
    jo, sam = make_author(session, name="Jo"), make_author(session, name="Sam")
    make_post(session, title="Source", authors=[jo], tags=["Big", "Small"], published_at=day(20))
    make_post(session, title="Big and small, old", authors=[sam], tags=["Big", "Small"],
              published_at=day(1))  # fmt: skip
    for n in (10, 11, 12):
        make_post(session, title=f"Big {n}", authors=[sam], tags=["Big"], published_at=day(n))
    make_post(session, title="By Jo, old", authors=[jo], published_at=day(2))
    make_post(session, title="By Jo, new", authors=[jo], published_at=day(15))

    response = client.get("/api/v1/posts/source/related?limit=5")

    assert [post["title"] for post in response.json()["data"]] == [
        "Big and small, old",  # in Small's window (Small has 2 posts): shares Small
        "Big 12",  # Big's two newest besides the source
        "Big 11",
        "By Jo, new",  # Jo's window: the source and the newest
        "By Jo, old",  # Jo has 3 posts: the window of 2 others holds both
    ]


def test_one_post_and_a_list_rank_alike_past_hidden_posts_and_ties(
    client, session: Session, monkeypatch
) -> None:
    """One post's related posts and a list's (`fields=related`) are two statements
    (cms.posts.related): both skip posts hidden inside a window and break ties by id."""
    monkeypatch.setattr(related, "WINDOW", 3)
    jo, sam = make_author(session, name="Jo"), make_author(session, name="Sam")
    make_post(session, title="Source", authors=[jo], tags=["A", "B"], published_at=day(20))
    for title in ("Twin 1", "Twin 2"):  # the same in everything but the id
        make_post(session, title=title, authors=[sam], tags=["A"], published_at=day(10))
    make_post(session, title="A by Jo", authors=[jo], tags=["A"], published_at=day(9))
    make_post(session, title="Both", authors=[sam], tags=["A", "B"], published_at=day(5))
    make_post(session, title="A, old", authors=[sam], tags=["A"], published_at=day(1))
    # Newer than A's window start, so in its window, but no longer shown to readers.
    trashed = make_post(session, title="Trashed", authors=[jo], tags=["A", "B"],
                        published_at=day(11))  # fmt: skip
    posts_service.trash_post(session, post=trashed, actor=None, now=day(21))
    pulled = make_post(session, title="Pulled", authors=[jo], tags=["A", "B"],
                       published_at=day(12))  # fmt: skip
    posts_service.unpublish_post(session, post=pulled, actor=None, now=day(21))

    response = client.get("/api/v1/posts/source/related?limit=5")

    assert [post["title"] for post in response.json()["data"]] == [
        "Both",  # 1/2 for B (out of A's window: 4 newer live posts have A)
        "A by Jo",  # 1/6 for A, and the same author
        "Twin 2",  # 1/6, the same time as Twin 1: the higher id first
        "Twin 1",
        "A, old",  # topped up with the newest
    ]
    listed = client.get("/api/v1/posts?limit=100&fields=slug,related").json()["data"]
    for post in listed:
        alone = client.get(f"/api/v1/posts/{post['slug']}/related?limit=3").json()["data"]
        assert [card["slug"] for card in post["related"]] == [card["slug"] for card in alone]
