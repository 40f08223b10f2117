"""Request bodies are bounded before anything reads them: by size while they stream in,
and, for JSON, by how deeply they nest.

Without a bound, one anonymous POST of 300 MB is held in memory whole before any route can
refuse it. The size is checked against Content-Length when one is sent, and counted as
chunks arrive in any case (chunked bodies have no length to trust). FastAPI's own
`max_body_size` does the counting too, but answers a declared length over it with a plain
text 413 that no handler can turn into a problem document.
"""

import re

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.problems import FieldError, problem_response

MAX_JSON_DEPTH = 64  # a post or comment body is 2 levels deep; 64 leaves room for any client
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


class BodyTooLarge(HTTPException):
    """Raised inside whoever reads the body once it has passed the limit: a 413 problem."""

    def __init__(self, limit: int) -> None:
        size = f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{limit / 2**10:.3g} KB"
        super().__init__(413, f"The request body is larger than {size}")


class BodyLimit:
    """At most `max_bytes` of body per request (CMS_MAX_BODY_MB), 413 otherwise; JSON nested
    at most MAX_JSON_DEPTH levels, 422 otherwise."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # paths that take larger bodies (uploads), and how large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:  # nothing read at all
            detail = BodyTooLarge(limit).detail
            await problem_response(413, detail)(scope, receive, send)
            return
        counted = _counting(receive, limit)
        # FastAPI parses a body sent without a Content-Type as JSON too.
        if not is_json(headers.get("content-type", "")):
            # Read by the route as it streams: a BodyTooLarge there is the route's 413.
            await self.app(scope, counted, send)
            return
        try:
            body = await read_body(counted)
        except BodyTooLarge as error:
            await problem_response(413, error.detail)(scope, receive, send)
            return
        await self._json(body, scope, receive, send)

    async def _json(self, body: bytes, scope: Scope, receive: Receive, send: Send) -> None:
        # JSON routes read the whole body anyway, so reading it first costs nothing and
        # lets its depth be checked before the parser recurses into it.
        if _deeper_than(body, MAX_JSON_DEPTH):
            detail = f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep"
            errors = [FieldError(field="body", message=detail)]
            await problem_response(422, detail, errors)(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


async def read_body(receive: Receive) -> bytes:
    """The whole body (what came of it, if the client left)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app inside: the body already read, then the client's disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # the client's disconnect, when it comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _deeper_than(body: bytes, limit: int) -> bool:
    """Whether JSON text may nest more than `limit` levels: never wrong for valid JSON, and
    for invalid JSON an upper bound (the parser refuses such text anyway)."""
    # Without their escaped quotes, strings have no quotes inside: a linear regex drops
    # them, and their brackets with them. (`\\` goes first: in `\\"` the quote ends.)
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _STRING.sub(b"", unescaped).translate(None, _NOT_BRACKETS)
    brackets = brackets.replace(b"{", b"[").replace(b"}", b"]")
    depth = 0
    while brackets and depth <= limit:
        # Each pass takes away the innermost level of every nesting, in C.
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets, depth = shorter, depth + 1
    # What no pass could pair is unbalanced: each unpaired bracket may add a level.
    return depth + len(brackets) > limit


def is_json(content_type: str) -> bool:
    """Whether FastAPI parses a body of this Content-Type as JSON (none counts)."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type in ("", "application/json") or media_type.endswith("+json")
