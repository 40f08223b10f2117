"""JSON responses serialised with orjson: the hot path skips FastAPI's slower default encoder."""

from typing import Any

import orjson
from starlette.responses import Response

from cms.api.envelopes import page_envelope
from cms.api.listing import Pagination

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NON_STR_KEYS


def dump_json(payload: Any) -> bytes:
    return orjson.dumps(payload, option=_OPTIONS)


def content_response(payload: Any, *, max_age: int, status_code: int = 200) -> Response:
    """A public, cacheable Content API answer (the delivery middleware adds its ETag)."""
    return Response(
        dump_json(payload),
        status_code=status_code,
        media_type="application/json",
        headers={"Cache-Control": f"public, max-age={max_age}"},
    )


def private_response(payload: Any, *, status_code: int = 200) -> Response:
    """An answer that no shared cache may keep (the Admin API's)."""
    return Response(
        dump_json(payload),
        status_code=status_code,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def private_page(
    items: list[dict[str, Any]], *, pagination: Pagination, total: int, self_url: str
) -> Response:
    """A page of the Admin API's records in the collection envelope."""
    envelope = page_envelope(items, pagination=pagination, total=total, self_url=self_url)
    return private_response(envelope)
