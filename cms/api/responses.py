"""JSON responses serialised with orjson: the hot path skips FastAPI's slower default encoder."""

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import orjson
from starlette.responses import Response

from cms.api.listing import Listing
from cms.cache import keys as cache_keys
from cms.config import Settings

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NON_STR_KEYS


def dump_json(payload: Any) -> bytes:
    return orjson.dumps(payload, option=_OPTIONS)


def public_cache_control(settings: Settings) -> str:
    return (
        f"public, max-age={settings.cache_max_age}, "
        f"stale-while-revalidate={settings.cache_stale_while_revalidate}"
    )


def content_response(
    payload: Any,
    *,
    settings: Settings,
    keys: Iterable[str],
    last_modified: datetime | None = None,
) -> Response:
    """A public, cacheable Content API answer (the delivery middleware adds its ETag),
    naming in its headers the cache `keys` of what it shows (cms.cache.keys)."""
    return cacheable(dump_json(payload), settings=settings, keys=keys, last_modified=last_modified)


def cacheable(
    body: bytes,
    *,
    settings: Settings,
    keys: Iterable[str],
    last_modified: datetime | None = None,
    media_type: str = "application/json",
) -> Response:
    headers = {"Cache-Control": public_cache_control(settings), **cache_keys.headers(keys)}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
    return Response(body, media_type=media_type, headers=headers)


def private_response(payload: Any, *, status_code: int = 200) -> Response:
    """An answer that no shared cache may keep (the Admin API's)."""
    return Response(
        dump_json(payload),
        status_code=status_code,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def private_page(
    listing: Listing, items: list[dict[str, Any]], *, total: int, **filters: object
) -> Response:
    """A page of the Admin API's records in the collection envelope, each with only the
    fields asked for."""
    return private_response(listing.envelope(items, total=total, **filters))
