"""Strong ETags for public answers, and the conditional GET they answer (RFC 9110).

One representation per encoding: `"<hash of the identity bytes>-<coding>"`. If-None-Match
compares weakly, by the hash alone, so any encoding of the same content matches.
"""

import hashlib
from email.utils import parsedate_to_datetime
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Send


def etag_of(body: bytes, coding: str | None) -> str:
    """The ETag of `body` (before compression) as sent in `coding`."""
    tag = hashlib.blake2b(body, digest_size=12).hexdigest()
    return f'"{tag}-{coding}"' if coding else f'"{tag}"'


def not_modified(request: Headers, headers: Headers | MutableHeaders) -> bool:
    """Whether the client's copy of the answer with these `headers` is still good."""
    # If-None-Match decides when it is sent; If-Modified-Since only without it (RFC 9110).
    if "if-none-match" in request:
        return _matches(request["if-none-match"], _content(headers.get("etag", "")))
    since, modified = request.get("if-modified-since"), headers.get("last-modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # not an HTTP date: ignored, as RFC 9110 says


def _content(etag: str) -> str:
    """The content part of one of our ETags: the same for every encoding."""
    return etag.removeprefix("W/").strip('"').split("-", 1)[0]


def _matches(if_none_match: str | None, tag: str) -> bool:
    """Weak comparison (RFC 9110): any representation of the same content matches."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        value = candidate.strip().removeprefix("W/").strip('"')
        if value == "*" or value.split("-", 1)[0] == tag:
            return True
    return False


async def send_not_modified(headers: Headers | MutableHeaders, send: Send) -> None:
    kept: list[tuple[bytes, bytes]] = [
        (name, value)
        for name, value in headers.raw
        if name.lower() not in (b"content-length", b"content-type", b"content-encoding")
    ]
    message: dict[str, Any] = {"type": "http.response.start", "status": 304, "headers": kept}
    await send(message)
    await send({"type": "http.response.body", "body": b""})
