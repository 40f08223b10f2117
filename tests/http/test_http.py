"""HTTP behaviour front ends rely on: validators, compression, CORS, errors."""

import gzip
from datetime import UTC, datetime

import brotli
from sqlmodel import Session

from tests.factories import make_post


def test_content_responses_carry_etag_and_cache_control_and_answer_304(
    client, session: Session
) -> None:
    make_post(session, title="Cached")

    first = client.get("/api/v1/posts/cached")
    etag = first.headers["etag"]

    assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=60"
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get("/api/v1/posts/cached", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get("/api/v1/posts/cached", headers={"If-None-Match": "*"}).status_code == 304


def test_a_post_has_last_modified_and_answers_if_modified_since(client, session: Session) -> None:
    # Written on 2025-06-01 09:00, edited a day later, published after that (the latest).
    post = make_post(session, title="Dated", published_at=datetime(2025, 6, 3, 8, tzinfo=UTC))
    post.updated_at = datetime(2025, 6, 2, 9, tzinfo=UTC)
    session.add(post)
    session.flush()

    first = client.get("/api/v1/posts/dated")
    same = {"If-Modified-Since": "Tue, 03 Jun 2025 08:00:00 GMT"}
    earlier = {"If-Modified-Since": "Tue, 03 Jun 2025 07:59:59 GMT"}

    assert first.headers["last-modified"] == "Tue, 03 Jun 2025 08:00:00 GMT"
    assert client.get("/api/v1/posts/dated", headers=same).status_code == 304
    assert client.get("/api/v1/posts/dated", headers=earlier).status_code == 200
    # If-None-Match, when sent, decides alone.
    both = {**same, "If-None-Match": '"something-else"'}
    assert client.get("/api/v1/posts/dated", headers=both).status_code == 200
    for garbage in ["yesterday", "", "Tue, 99 Jun 2025 08:00:00 GMT", "\x7f"]:
        garbled = {"If-Modified-Since": garbage}
        assert client.get("/api/v1/posts/dated", headers=garbled).status_code == 200


def test_admin_answers_are_never_stored_by_caches_errors_included(client) -> None:
    for path in ("/api/v1/admin/posts", "/api/v1/admin/nothing-here"):
        response = client.get(path)
        assert response.status_code in (401, 404)
        assert response.headers["cache-control"] == "no-store"


def test_etag_changes_when_the_content_does(client, session: Session) -> None:
    post = make_post(session, title="Changing")
    etag = client.get("/api/v1/posts/changing").headers["etag"]

    post.title = "Changed title"
    session.add(post)
    session.flush()

    response = client.get("/api/v1/posts/changing", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_garbage_if_none_match_is_ignored(client, session: Session) -> None:
    make_post(session, title="Plain")

    for garbage in ['"nope"', "W/", ",,,", "\x7f" * 3, "a" * 5000]:
        response = client.get("/api/v1/posts/plain", headers={"If-None-Match": garbage})
        assert response.status_code == 200


def test_large_responses_are_compressed_with_per_encoding_etags(client, session: Session) -> None:
    make_post(session, title="Long", body="Many words here. " * 200)

    plain = client.get("/api/v1/posts/long", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/api/v1/posts/long", headers={"Accept-Encoding": "gzip"})
    brotlied = client.get("/api/v1/posts/long", headers={"Accept-Encoding": "br, gzip"})

    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert brotlied.headers["content-encoding"] == "br"
    for response in (plain, zipped, brotlied):
        assert "Accept-Encoding" in response.headers["vary"]
    assert len({plain.headers["etag"], zipped.headers["etag"], brotlied.headers["etag"]}) == 3
    # The bodies decode to the same document (httpx decodes gzip and br itself).
    assert zipped.json() == plain.json() == brotlied.json()
    raw = client.get("/api/v1/posts/long", headers={"Accept-Encoding": "gzip"}).content
    assert raw == plain.content or gzip.decompress(raw) == plain.content
    assert brotli is not None
    revalidated = client.get(
        "/api/v1/posts/long",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )
    assert revalidated.status_code == 304


def test_content_api_answers_browsers_on_any_origin(client) -> None:
    response = client.get("/api/v1/posts", headers={"Origin": "https://shop.example"})

    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    preflight = client.options(
        "/api/v1/posts",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200


def test_admin_api_answers_only_its_configured_origins(client) -> None:
    def preflight(origin: str):  # type: ignore[no-untyped-def]
        return client.options(
            "/api/v1/admin/posts",
            headers={"Origin": origin, "Access-Control-Request-Method": "PATCH"},
        )

    allowed = preflight("https://admin.example.com")
    assert allowed.headers["access-control-allow-origin"] == "https://admin.example.com"
    refused = preflight("https://evil.example")
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_unknown_route_and_wrong_method_are_problem_documents(client) -> None:
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Not Found"

    wrong = client.delete("/api/v1/posts")
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405
    assert "GET" in wrong.headers["allow"]


def test_an_unexpected_error_is_a_500_problem_without_a_traceback(app, client) -> None:
    @app.get("/explode")
    def explode() -> None:
        raise RuntimeError("secret internals: SELECT password FROM users")

    response = client.get("/explode")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json()["title"] == "Internal Server Error"
