"""Every Admin API collection takes `sort` and `fields` as API.md says: unknown names are a 400."""

import pytest
from sqlmodel import Session

from cms.users.models import Role
from tests.factories import bearer, make_pending_comment, make_post, make_user

ADMIN = "/api/v1/admin"
COLLECTIONS = [
    "/posts",
    "/trash",
    "/users",
    "/tokens",
    "/audit",
    "/comments",
    "/tags",
    "/authors",
]


@pytest.fixture
def headers(client, session: Session, clock) -> dict[str, str]:
    """An owner's headers, with something in every collection: posts, a trashed post, a
    comment, and a tag and a token made through the API (so the audit log has events)."""
    owner_headers = bearer(session, make_user(session, role=Role.OWNER, name="Olive Owner"))
    post = make_post(session, title="Kept")
    make_pending_comment(session, post=post, author_name="Zed")
    make_pending_comment(session, post=post, author_name="Amy")
    trashed = make_post(session, title="Binned")
    url = f"{ADMIN}/posts/{trashed.id}"
    etag = client.get(url, headers=owner_headers).headers["etag"]
    assert client.delete(url, headers={**owner_headers, "If-Match": etag}).status_code == 204
    assert client.post(f"{ADMIN}/tags", json={"name": "Knees"}, headers=owner_headers).is_success
    assert client.post(f"{ADMIN}/tokens", json={"name": "deploy"}, headers=owner_headers).is_success
    return owner_headers


@pytest.mark.parametrize("path", COLLECTIONS)
def test_fields_returns_only_the_fields_named(client, headers, path: str) -> None:
    response = client.get(f"{ADMIN}{path}", params={"fields": "id"}, headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"], "the fixture puts something in every collection"
    assert all(item.keys() == {"id"} for item in body["data"])
    assert "fields=id" in body["links"]["self"]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", COLLECTIONS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "password_hash"}, "sort"),
        ({"sort": "id,-"}, "sort"),
        ({"fields": "id,secret_hash"}, "fields"),
        ({"fields": ""}, "fields"),
    ],
)
def test_unknown_sort_or_field_names_are_a_400_naming_the_parameter(
    client, headers, path: str, query: dict[str, str], field: str
) -> None:
    response = client.get(f"{ADMIN}{path}", params=query, headers=headers)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("path", "sort", "key", "expected"),
    [
        ("/comments", "author_name", "author_name", ["Amy", "Zed"]),
        ("/comments", "-author_name", "author_name", ["Zed", "Amy"]),
        ("/trash", "title", "title", ["Binned"]),
        ("/audit", "action", "action", ["post.trash", "tag.create", "token.create"]),
        ("/audit", "-action", "action", ["token.create", "tag.create", "post.trash"]),
        ("/tokens", "name", "name", ["deploy", "test"]),
        ("/tokens", "-name", "name", ["test", "deploy"]),
    ],
)
def test_sort_orders_each_collection(
    client, headers, path: str, sort: str, key: str, expected: list[str]
) -> None:
    response = client.get(f"{ADMIN}{path}", params={"sort": sort}, headers=headers)

    assert response.status_code == 200, response.text
    assert [item[key] for item in response.json()["data"]] == expected
    assert f"sort={sort}" in response.json()["links"]["self"]


@pytest.mark.parametrize("sort", ["published_at", "-published_at"])
def test_drafts_sort_after_dated_posts_both_ways_on_every_database(
    client, session: Session, headers, sort: str
) -> None:
    # SQLite and PostgreSQL put NULLs at opposite ends unless told: drafts have no date.
    make_post(session, title="Unfinished", published=False, published_at=None)

    response = client.get(f"{ADMIN}/posts", params={"sort": sort}, headers=headers)

    titles = [post["title"] for post in response.json()["data"]]
    assert titles[-1] == "Unfinished" and len(titles) > 1


def test_tokens_never_used_sort_last(client, headers) -> None:
    # The owner's token has been used by now; the "deploy" token never has.
    for sort in ("last_used_at", "-last_used_at"):
        tokens = client.get(f"{ADMIN}/tokens", params={"sort": sort}, headers=headers).json()
        used = [token["last_used_at"] is not None for token in tokens["data"]]
        assert used == sorted(used, reverse=True), sort
        assert used[0] and not used[-1]
