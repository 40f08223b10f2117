"""HEAD wherever GET works, and query strings that are not UTF-8."""

import pytest
from sqlmodel import Session

from cms.users.models import Role
from tests.factories import bearer, make_post, make_user


@pytest.mark.parametrize(
    "path", ["/rss.xml", "/sitemap.xml", "/api/v1/posts", "/api/v1/posts/headed", "/health"]
)
def test_head_answers_as_get_would_without_the_body(client, session: Session, path) -> None:
    make_post(session, title="Headed")

    got = client.get(path)
    head = client.head(path)

    assert got.status_code == head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "cache-control", "last-modified"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_head_of_an_admin_route_keeps_its_permission_rule(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))

    assert client.head("/api/v1/admin/posts").status_code == 401
    assert client.head("/api/v1/admin/posts", headers=headers).status_code == 200
    assert client.head("/api/v1/posts/missing").status_code == 404


def test_a_method_not_allowed_lists_head_beside_get(client) -> None:
    response = client.delete("/api/v1/posts")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert client.head("/api/v1/admin/session").headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("query", "name"),
    [("q=%ff%fe", "q"), ("tag=%ff", "tag"), ("author=ok&q=caf%e9", "q"), ("%ff=1", "\ufffd")],
)
def test_a_query_that_is_not_utf8_is_a_bad_request_naming_the_parameter(
    client, query: str, name: str
) -> None:
    response = client.get(f"/api/v1/posts?{query}")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == name
    assert "must be UTF-8 text" in response.json()["detail"]


def test_utf8_queries_and_paths_still_work(client, session: Session) -> None:
    make_post(session, title="Café crème", body="Un café")

    found = client.get("/api/v1/posts?q=caf%C3%A9")

    assert found.status_code == 200
    assert [post["title"] for post in found.json()["data"]] == ["Café crème"]
    assert client.get("/api/v1/posts/%ff%fe").status_code == 400
    assert client.get("/api/v1/posts/caf%C3%A9").status_code == 404  # UTF-8: looked for
