"""The last touches before bytes leave: ETags, 304 Not Modified, and compression.

A pure ASGI layer (not FastAPI middleware) so that it costs little per request.
It sits outside routing, so the ETag describes exactly the bytes sent: the gzip
and the brotli representation each get their own strong ETag.
"""

import gzip

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.api.urls import API_PREFIX
from cms.http.etags import etag_of, not_modified, send_not_modified

ADMIN_PREFIX = f"{API_PREFIX}/admin"

_COMPRESSIBLE = (
    "application/json",
    "application/problem+json",
    "application/xml",
    "application/rss+xml",
    "text/",
)


class DeliveryMiddleware:
    def __init__(self, app: ASGIApp, *, minimum_size: int = 500) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, start, b"".join(chunks), send)
            else:
                await send(message)

        await self.app(scope, receive, buffer)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        request = Headers(scope=scope)
        headers = MutableHeaders(raw=list(start["headers"]))
        status = start["status"]
        coding = self._choose_coding(request, headers, body)
        if coding is not None or _is_compressible(headers):
            headers.add_vary_header("Accept-Encoding")
        if scope["path"].startswith(ADMIN_PREFIX) and "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"  # errors too: nothing of the admin is shared
        if (
            scope["method"] == "GET"
            and status == 200
            and "public" in headers.get("cache-control", "")
        ):
            headers["ETag"] = etag_of(body, coding)
            if not_modified(request, headers):
                await send_not_modified(headers, send)
                return
        if coding is not None:
            body = _compress(body, coding)
            headers["Content-Encoding"] = coding
            headers["Content-Length"] = str(len(body))
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    def _choose_coding(self, request: Headers, headers: MutableHeaders, body: bytes) -> str | None:
        if len(body) < self.minimum_size or "content-encoding" in headers:
            return None
        if not _is_compressible(headers):
            return None
        return preferred_coding(request)


def preferred_coding(request: Headers) -> str | None:
    """The compression the client takes that we like best: brotli, then gzip."""
    accepted = accepted_codings(request.get("accept-encoding", ""))
    return next((coding for coding in ("br", "gzip") if coding in accepted), None)


def _is_compressible(headers: MutableHeaders) -> bool:
    return headers.get("content-type", "").startswith(_COMPRESSIBLE)


def accepted_codings(header: str) -> set[str]:
    accepted = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = params.strip().removeprefix("q=")
        if name and not (params and quality.replace(".", "").strip("0") == ""):
            accepted.add(name.strip().lower())
    return accepted


def _compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        # Quality 4 costs about what gzip does and still compresses better.
        result: bytes = brotli.compress(body, quality=4)
        return result
    # mtime=0: the same body always gives the same bytes, so its ETag holds.
    return gzip.compress(body, compresslevel=6, mtime=0)
