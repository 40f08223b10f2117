"""Counting a view without FastAPI's routing: the one write every page view makes.

A view is counted by `POST /api/v1/posts/{slug}/views` once per page load, as often as the
post is read; through routing, dependency solving and body parsing it cost several reads
(py-spy, issue 13's note). This layer, the innermost one, answers the plain case itself: a
well-formed request for a live post. It reads the body as the route does (`ViewCreate`),
tells the visitor and answers with the route's own functions, so the layers outside it
(CORS, delivery, the body limit) treat both answers alike. Everything else (a body that
does not validate, an unknown post, a database error) goes on to the route with the body
already read, so errors are the route's own problem documents. The route stays, and
documents the endpoint.
"""

import json
import re
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from cms.api.responses import private_response
from cms.api.urls import API_PREFIX
from cms.http.bodies import is_json, read_body, replaying
from cms.pageviews.schemas import ViewCreate
from cms.pageviews.service import View, ViewCounter

PATH = re.compile(rf"{re.escape(API_PREFIX)}/posts/([^/]{{1,191}})/views")
VisitorOf = Callable[[Request, ViewCreate | None], str]


class ViewsFastPath:
    def __init__(self, app: ASGIApp, *, counter: Callable[[], ViewCounter], visitor: VisitorOf):
        self.app = app
        self.counter = counter
        self.visitor = visitor  # how the route tells who the visitor is

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        slug = _plain_view(scope)
        if slug is None:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)  # the body limit has read and bounded it already
        try:
            visitor = self.visitor(Request(scope), _view_body(body))
            count = await self.counter().count(View(slug=slug, visitor=visitor))
        except Exception:  # refused, not live, or not written: the route says which
            await self.app(scope, replaying(body, receive), send)
            return
        await private_response({"data": {"view_count": count}})(scope, receive, send)


def _plain_view(scope: Scope) -> str | None:
    """The slug, for a POST to a post's views with no query, and a JSON body or none."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["query_string"]:
        return None
    match = PATH.fullmatch(scope["path"])
    if match is None or not is_json(Headers(scope=scope).get("content-type", "")):
        return None
    return match.group(1)


def _view_body(body: bytes) -> ViewCreate | None:
    """The body as the route takes it; ValueError for what only the route may refuse."""
    if not body:
        return None
    value = json.loads(body)
    if value is None:  # `null`: FastAPI's "no body" too
        return None
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return ViewCreate.model_validate(value)  # its ValidationError is a ValueError
