"""Views answered before routing (cms.pageviews.fast_path) answer exactly as the route does."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cms.pageviews.fast_path import ViewsFastPath
from tests.factories import make_post
from tests.pageviews.test_views import stored_views

JSON = {"Content-Type": "application/json"}
# (what is sent, whether the fast path answers it itself)
REQUESTS = {
    "no body": ({}, True),
    "a visitor id": ({"content": b'{"visitor_id": "app-1"}', "headers": JSON}, True),
    "an empty object": ({"content": b"{}", "headers": JSON}, True),
    "JSON with a charset": (
        {"content": b"{}", "headers": {"Content-Type": "application/json; charset=utf-8"}},
        True,
    ),
    "from a front end": ({"headers": {"Origin": "https://app.example"}}, True),
    "not JSON": ({"content": b"{nope", "headers": JSON}, False),
    "an array": ({"content": b"[]", "headers": JSON}, False),
    "null": ({"content": b"null", "headers": JSON}, True),
    "an unknown field": ({"content": b'{"visitor": "x"}', "headers": JSON}, False),
    "a long visitor id": (
        {"content": b'{"visitor_id": "%s"}' % (b"x" * 201), "headers": JSON},
        False,
    ),
    "a control character": ({"content": b'{"visitor_id": "a\\u001bb"}', "headers": JSON}, False),
    "a form": ({"content": b"visitor_id=x", "headers": {"Content-Type": "text/plain"}}, False),
}


@pytest.fixture
def routed(app):  # type: ignore[no-untyped-def]
    """Records each request that reaches FastAPI's routing."""
    reached: list[str] = []
    routing = app.router.middleware_stack

    async def recording(scope, receive, send):  # type: ignore[no-untyped-def]
        reached.append("route")
        await routing(scope, receive, send)

    app.router.middleware_stack = recording
    return reached


def without_fast_path(app) -> None:  # type: ignore[no-untyped-def]
    """From now on every view goes through the route."""
    app.user_middleware = [layer for layer in app.user_middleware if layer.cls is not ViewsFastPath]
    app.middleware_stack = None  # built again at the next request


def answer(client: TestClient, slug: str, sent: dict) -> tuple[int, dict[str, str], bytes]:  # type: ignore[type-arg]
    response = client.post(f"/api/v1/posts/{slug}/views", **sent)
    headers = {name: value for name, value in response.headers.items() if name != "date"}
    return response.status_code, headers, response.content


@pytest.mark.parametrize("case", REQUESTS)
def test_plain_views_are_answered_before_routing_and_the_rest_by_the_route(
    client, session: Session, routed: list[str], case: str
) -> None:
    sent, fast = REQUESTS[case]
    make_post(session, title="Seen")

    status, _headers, _body = answer(client, "seen", sent)

    assert (status == 200, routed) == ((True, []) if fast else (False, ["route"]))
    assert stored_views(session)[0] == (1 if fast else 0)


@pytest.mark.parametrize("case", REQUESTS)
def test_the_route_gives_the_same_answer(app, client, session: Session, case: str) -> None:
    sent, _fast = REQUESTS[case]
    make_post(session, title="Seen")
    make_post(session, title="Seen too")  # in the same state as the first
    quick = answer(client, "seen", sent)

    without_fast_path(app)

    assert answer(client, "seen-too", sent) == quick


@pytest.mark.parametrize("slug", ["no-such-post", "x" * 191, "x" * 192])
def test_unknown_posts_get_the_routes_problem_either_way(
    app, client, session: Session, slug: str
) -> None:
    quick = answer(client, slug, {})
    without_fast_path(app)

    assert answer(client, slug, {}) == quick
    assert quick[0] in (400, 404) and quick[1]["content-type"] == "application/problem+json"
    assert stored_views(session) == (0, 0, 0)
