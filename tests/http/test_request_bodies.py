"""Request bodies are bounded in size and depth, and the texts in them are real text."""

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.servers import running_server
from cms.app import create_app
from cms.users.models import Role
from tests.factories import bearer, make_author, make_post, make_user
from tests.processes import shared_post

SESSION = "/api/v1/admin/session"
POSTS = "/api/v1/admin/posts"
JSON = {"Content-Type": "application/json"}


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def test_a_body_over_the_limit_is_refused_by_its_declared_length(client) -> None:
    body = b'{"email": "a@b.c", "password": "' + b"x" * (2**20) + b'"}'

    problem = _problem(client.post(SESSION, content=body, headers=JSON), 413)

    assert problem["status"] == 413
    assert problem["detail"] == "The request body is larger than 1 MB"


def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(client) -> None:
    sent = []

    def chunks():  # no Content-Length: the server can only count
        for _ in range(64):
            sent.append(1)
            yield b"x" * 65536

    for content_type in ("application/json", "text/plain"):
        sent.clear()
        response = client.post(SESSION, content=chunks(), headers={"Content-Type": content_type})
        assert "content-length" not in response.request.headers
        _problem(response, 413)


def test_the_limit_is_a_setting(settings, engine) -> None:
    small = settings.model_copy(update={"max_body_mb": 0.001})  # about 1 KB
    with TestClient(create_app(small, engine=engine), raise_server_exceptions=False) as client:
        response = client.post(SESSION, json={"email": "a@b.c", "password": "x" * 2000})

    assert _problem(response, 413)["detail"] == "The request body is larger than 1.02 KB"


def test_a_body_at_the_limit_reaches_the_route(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    body = "word " * 100_000  # 500 KB, the most characters a post's body may have

    response = client.post(POSTS, json={"title": "Long", "body": body[:-1]}, headers=headers)

    assert response.status_code == 201, response.text


def test_json_nested_too_deeply_is_a_problem_naming_the_body(client) -> None:
    for depth in (65, 10_000):
        body = b"[" * depth + b"]" * depth
        problem = _problem(client.post(SESSION, content=body, headers=JSON), 422)
        assert problem["detail"] == "JSON may be nested at most 64 levels deep"
        assert problem["errors"] == [{"field": "body", "message": problem["detail"]}]
    # Brackets inside strings are text, not nesting; 64 levels are fine.
    text = '{"email": "a@b.c", "password": "' + "[" * 500 + '\\"[["}'
    assert client.post(SESSION, content=text, headers=JSON).status_code == 401
    deep = b"[" * 64 + b"]" * 64
    assert _problem(client.post(SESSION, content=deep, headers=JSON), 422)["detail"] != (
        "JSON may be nested at most 64 levels deep"
    )


def test_a_real_server_refuses_a_huge_chunked_body_without_reading_it(new_database) -> None:
    shared = shared_post(new_database(), title="Any")
    with running_server(shared.url) as base:
        address = urlsplit(base)
        with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
            raw.sendall(
                b"POST /api/v1/admin/session HTTP/1.1\r\nHost: api.test\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
            answer = b""
            try:  # 300 MB, as in the report, unless the server answers first
                for _ in range(300 * 16):
                    raw.sendall(chunk)
            except OSError:  # it closed the connection once it had answered
                pass
            while b"\r\n\r\n" not in answer:
                received = raw.recv(65536)
                if not received:
                    break
                answer += received
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b"application/problem+json" in answer
        assert httpx.get(f"{base}/api/v1/posts/any").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Bell\u0007", "must not contain a control character (U+0007)"),
        ("title", "Escape\u001b[31m", "must not contain a control character (U+001B)"),
        ("title", "Two\nlines", "must be one line: no tab or line break (U+000A)"),
        ("body", "Bell\u0007", "must not contain a control character (U+0007)"),
        ("excerpt", "C1\u0085", "must not contain a control character (U+0085)"),
        ("slug", "a\u007fb", "must not contain a control character (U+007F)"),
        ("title", "Half \ud800", "must not contain a character that is not text (U+D800)"),
        ("title", "Not \ufffe", "must not contain a character that is not text (U+FFFE)"),
    ],
)
def test_control_characters_are_refused_in_every_text_field(
    client, session: Session, field: str, value: str, message: str
) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    body = {"title": "Fine", field: value}

    sent = json.dumps(body)  # escaped as \\u0007: the way JSON carries them
    problem = _problem(client.post(POSTS, content=sent, headers={**headers, **JSON}), 422)

    assert problem["errors"] == [{"field": field, "message": f"Value error, {message}"}]


def test_tabs_and_line_breaks_are_kept_in_texts_of_several_lines(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    body = "Line one\r\n\tindented\n\nLine two"

    response = client.post(POSTS, json={"title": "Lines", "body": body}, headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()["data"]["body"] == body


def test_control_characters_are_refused_in_authors_tags_and_comments(
    client, session: Session
) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    post = make_post(session, title="Open")
    cases = [
        ("/api/v1/admin/authors", {"name": "Jo\u0007"}, "name"),
        ("/api/v1/admin/tags", {"name": "Tag", "description": "\u001b[2J"}, "description"),
        (
            f"/api/v1/posts/{post.slug}/comments",
            {"author_name": "Al\u0008", "author_email": "al@example.com", "body": "Hi"},
            "author_name",
        ),
    ]
    for path, body, field in cases:
        problem = _problem(client.post(path, json=body, headers=headers), 422)
        assert [error["field"] for error in problem["errors"]] == [field]


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_dates_beyond_the_calendar_in_utc_are_a_problem_not_a_500(
    client, session: Session, when: str
) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    post = make_post(session, title="Dated", published_at=None)
    expected = [
        {
            "field": "published_at",
            "message": "Value error, must fall between 0001-01-01 and 9999-12-31 in UTC",
        }
    ]

    created = client.post(POSTS, json={"title": "x", "published_at": when}, headers=headers)
    etag = client.get(f"{POSTS}/{post.id}", headers=headers).headers["etag"]
    patched = client.patch(
        f"{POSTS}/{post.id}",
        json={"published_at": when},
        headers={**headers, "If-Match": etag},
    )
    published = client.post(
        f"{POSTS}/{post.id}/publish", json={"published_at": when}, headers=headers
    )

    for response in (created, patched, published):
        assert _problem(response, 422)["errors"] == expected


def test_the_last_moment_of_the_calendar_is_a_date_like_any_other(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    body = {"title": "Far", "published_at": "9999-12-31T23:59:59Z"}

    response = client.post(POSTS, json=body, headers=headers)

    assert response.status_code == 201, response.text
    post_id = response.json()["data"]["id"]
    published = client.post(f"{POSTS}/{post_id}/publish", headers=headers)
    assert published.json()["data"]["status"] == "scheduled"
    assert published.json()["data"]["published_at"] == "9999-12-31T23:59:59Z"
    assert client.get("/rss.xml").status_code == 200


BAD_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox",
    "//evil.example/x.png",
    "/\\evil.example/x.png",
    "https://",
    "https://cdn.example/a b.png",
    "ftp://files.example/a.png",
    "image.png",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_url_fields_take_only_http_and_paths_on_the_site(
    client, session: Session, url: str
) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    author = make_author(session, name="Jo")
    cases = [
        (client.post, POSTS, {"title": "Pic", "feature_image": url}, "feature_image"),
        (client.post, "/api/v1/admin/authors", {"name": "A", "website": url}, "website"),
        (
            client.post,
            "/api/v1/admin/authors",
            {"name": "B", "profile_image": url},
            "profile_image",
        ),
    ]
    for send, path, body, field in cases:
        problem = _problem(send(path, json=body, headers=headers), 422)
        assert [error["field"] for error in problem["errors"]] == [field]
        assert "must be an http(s) URL or a path on the site" in problem["errors"][0]["message"]
    patched = client.patch(
        f"/api/v1/admin/authors/{author.id}", json={"website": url}, headers=headers
    )
    assert _problem(patched, 422)["errors"][0]["field"] == "website"


def test_http_urls_and_paths_on_the_site_are_kept(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    for url in ("https://cdn.example/a.png?w=800#top", "HTTP://cdn.example", "/media/a.png"):
        response = client.post(POSTS, json={"title": url, "feature_image": url}, headers=headers)
        assert response.status_code == 201, response.text
        assert response.json()["data"]["feature_image"] == url
