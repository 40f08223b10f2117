"""The last touches before bytes leave: ETags, 304 Not Modified, and compression.

A pure ASGI layer (not FastAPI middleware) so that it costs little per request.
It sits outside routing, so the ETag describes exactly the bytes sent: the gzip
and the brotli representation each get their own strong ETag.
"""

import gzip
import hashlib
from email.utils import parsedate_to_datetime
from typing import Any

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.api.urls import API_PREFIX

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
            tag = hashlib.blake2b(body, digest_size=12).hexdigest()
            headers["ETag"] = f'"{tag}-{coding}"' if coding else f'"{tag}"'
            if not_modified(request, headers, tag):
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


def not_modified(request: Headers, headers: MutableHeaders, tag: str) -> bool:
    # If-None-Match decides when it is sent; If-Modified-Since only without it (RFC 9110).
    if "if-none-match" in request:
        return _matches(request["if-none-match"], tag)
    since, modified = request.get("if-modified-since"), headers.get("last-modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # not an HTTP date: ignored, as RFC 9110 says


def _matches(if_none_match: str | None, tag: str) -> bool:
    """Weak comparison (RFC 9110): any representation of the same content matches."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        value = candidate.strip().removeprefix("W/").strip('"')
        if value == "*" or value.split("-", 1)[0] == tag:
            return True
    return False


def _compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        # Quality 4 costs about what gzip does and still compresses better.
        result: bytes = brotli.compress(body, quality=4)
        return result
    # mtime=0: the same body always gives the same bytes, so its ETag holds.
    return gzip.compress(body, compresslevel=6, mtime=0)


async def send_not_modified(headers: MutableHeaders, send: Send) -> None:
    kept: list[tuple[bytes, bytes]] = [
        (name, value)
        for name, value in headers.raw
        if name.lower() not in (b"content-length", b"content-type", b"content-encoding")
    ]
    message: dict[str, Any] = {"type": "http.response.start", "status": 304, "headers": kept}
    await send(message)
    await send({"type": "http.response.body", "body": b""})
