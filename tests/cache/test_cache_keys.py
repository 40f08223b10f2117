"""Every cacheable Content API answer names what it shows (Surrogate-Key, Cache-Tag), so a
CDN can purge exactly that: the keys are read here off the body the answer carries."""

from typing import Any

import pytest
from sqlmodel import Session

from tests.factories import make_author, make_pending_comment, make_post


@pytest.fixture
def blog(session: Session) -> dict[str, Any]:
    writer, guest = make_author(session, name="Amy Adams"), make_author(session, name="Jo Goh")
    knees = make_post(session, title="Knees", authors=[writer], tags=["Running", "Knees"])
    make_post(session, title="Hips", authors=[writer, guest], tags=["Running"])
    comment = make_pending_comment(session, post=knees)
    comment.status = "approved"
    session.add(comment)
    session.commit()
    return {"post": knees, "author": writer}


def keys_of(answer: Any) -> set[str]:
    surrogate = set(answer.headers["surrogate-key"].split(" "))
    assert set(answer.headers["cache-tag"].split(",")) == surrogate  # one list, two spellings
    return surrogate


def shown_in(post: dict[str, Any]) -> set[str]:
    """The keys of one post as its JSON shows it."""
    authors = [*post.get("authors", ()), post.get("primary_author")]
    tags = [*post.get("tags", ()), post.get("primary_tag")]
    found = {f"post-{post['id']}"}
    found |= {f"author-{author['id']}" for author in authors if author}
    found |= {f"tag-{tag['id']}" for tag in tags if tag}
    found |= {f"post-{card['id']}" for card in post.get("related", ())}
    return found | ({"posts"} if len(found) > 1 else set())


def test_a_list_of_posts_names_the_list_and_everything_on_it(client, blog) -> None:
    answer = client.get("/api/v1/posts")

    posts = answer.json()["data"]
    assert len(posts) == 2
    assert keys_of(answer) == {"posts"}.union(*(shown_in(post) for post in posts))
    assert f"author-{blog['author'].id}" in keys_of(answer)


def test_a_list_filtered_by_a_tag_also_names_the_tags(client, blog) -> None:
    answer = client.get("/api/v1/posts", params={"tag": "knees"})

    (post,) = answer.json()["data"]
    assert keys_of(answer) == {"posts", "tags"} | shown_in(post)


def test_one_post_names_itself_its_people_tags_and_related_posts(client, blog) -> None:
    answer = client.get("/api/v1/posts/knees")

    post = answer.json()["data"]
    assert post["related"], "the fixture's posts share a tag"
    assert keys_of(answer) == shown_in(post)
    assert f"post-{blog['post'].id}" in keys_of(answer)


def test_fields_narrow_the_keys_to_what_is_shown(client, blog) -> None:
    answer = client.get("/api/v1/posts/knees", params={"fields": "id,title"})

    assert keys_of(answer) == {f"post-{blog['post'].id}"}


@pytest.mark.parametrize(("path", "kind"), [("/api/v1/authors", "author"), ("/api/v1/tags", "tag")])
def test_authors_and_tags_lists_name_each_record_and_the_posts_they_count(
    client, blog, path: str, kind: str
) -> None:
    answer = client.get(path)

    ids = {f"{kind}-{record['id']}" for record in answer.json()["data"]}
    assert ids and keys_of(answer) == {"posts", f"{kind}s", *ids}


def test_one_author_names_the_author_and_the_posts_counted(client, blog) -> None:
    answer = client.get("/api/v1/authors/amy-adams")

    assert keys_of(answer) == {"posts", f"author-{answer.json()['data']['id']}"}


def test_comments_name_their_post(client, blog) -> None:
    answer = client.get("/api/v1/posts/knees/comments")

    assert len(answer.json()["data"]) == 1
    assert keys_of(answer) == {f"comments-{blog['post'].id}"}


@pytest.mark.parametrize("path", ["/rss.xml", "/sitemap.xml", "/sitemap-authors.xml"])
def test_feeds_and_sitemaps_are_feeds(client, blog, path: str) -> None:
    assert keys_of(client.get(path)) == {"feeds"}


def test_answers_that_are_not_kept_name_nothing(client, blog) -> None:
    assert "surrogate-key" not in client.get("/api/v1/posts/missing").headers
    assert "surrogate-key" not in client.get("/api/v1/admin/posts").headers
