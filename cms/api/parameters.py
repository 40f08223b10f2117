"""Checks on every request's parameters, before any route sees them."""

from collections import Counter
from urllib.parse import unquote_to_bytes

from fastapi import Request

from cms.problems import BadRequest


async def check_parameters(request: Request) -> None:
    """400 naming the parameter for text that is not UTF-8 or holds a NUL character (no
    text holds one), or for a parameter given twice (every parameter of this API takes one
    value; silently using one of them would hide the caller's mistake)."""
    _check_utf8(request)
    query = request.query_params.multi_items()
    for name, value in [*query, *request.path_params.items()]:
        if "\x00" in name or "\x00" in str(value):
            raise BadRequest(f"{name!r} must not contain NUL (%00) characters", field=name)
    for name, times in Counter(name for name, _ in query).items():
        if times > 1:
            raise BadRequest(f"{name!r} is given {times} times; give it once", field=name)


def _check_utf8(request: Request) -> None:
    # The server decodes with errors="replace": `?q=%ff` would reach us as "\ufffd" and be
    # searched for, answering 200 to a question nobody asked. Look at the bytes sent.
    raw_path = request.scope.get("raw_path") or b""
    if not _is_utf8(unquote_to_bytes(raw_path)):
        raise BadRequest("The path must be UTF-8 text, percent-encoded", field="path")
    for pair in request.scope.get("query_string", b"").split(b"&"):
        name, _, value = pair.replace(b"+", b" ").partition(b"=")
        name_bytes = unquote_to_bytes(name)
        if not (_is_utf8(name_bytes) and _is_utf8(unquote_to_bytes(value))):
            shown = name_bytes.decode("utf-8", errors="replace")
            raise BadRequest(
                f"{shown!r} must be UTF-8 text, percent-encoded (e.g. %C3%A9 for é)", field=shown
            )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
