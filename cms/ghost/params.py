"""The query parameters Ghost's Content API takes, parsed as Ghost documents them: `limit`
(a number or `all`), `page`, `order` (`published_at desc, title`), `filter` (NQL),
`include`, `fields` and `formats`. Unknown parameters are ignored, as Ghost does (its
client sends `slug` beside a read by slug)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cms.ghost import nql
from cms.ghost.errors import GhostError
from cms.paging import MAX_LIMIT, Pagination, SortKey

DEFAULT_LIMIT = 15
FORMATS = frozenset({"html", "plaintext"})
_SILENT_FORMATS = frozenset({"mobiledoc", "lexical"})  # Ghost's editor formats: never sent
_ORDER = re.compile(r"^[a-z0-9_,. ]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Asked:
    """What one request to the Ghost API asks for."""

    pagination: Pagination
    order: list[SortKey] | None  # None: the resource's default
    filter: nql.Node | None
    include: frozenset[str]
    fields: frozenset[str] | None  # None: every field
    formats: frozenset[str]


def parse(
    query: Mapping[str, str],
    *,
    doing: str,
    order_fields: Mapping[str, str],
    includes: frozenset[str],
) -> Asked:
    """The parameters of `query`; a GhostError for what Ghost refuses. `order_fields` maps
    Ghost's names to the sort fields of our services; `includes` are those known here (any
    other is dropped, as Ghost drops it)."""
    fields = frozenset(_names(query.get("fields"))) or None
    return Asked(
        pagination=Pagination(page=_page(query.get("page"), doing), limit=_limit(query, doing)),
        order=_order(query.get("order"), order_fields, doing),
        filter=_filter(query.get("filter"), doing),
        include=frozenset(_names(query.get("include"))) & includes,
        fields=fields,
        # A format named in `fields` is sent, as Ghost does (`fields=title,plaintext`).
        formats=_formats(query.get("formats"), doing) | (fields or frozenset()) & FORMATS,
    )


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def _limit(query: Mapping[str, str], doing: str) -> int:
    value = query.get("limit")
    if value is None:
        return DEFAULT_LIMIT
    if value == "all":
        return MAX_LIMIT  # as Ghost 6: "all" is at most 100, and `pages` tells how many more
    if not _whole(value, digits=9) or int(value) < 1:
        raise GhostError("ValidationError", "Validation (matches) failed for limit", doing=doing)
    return min(int(value), MAX_LIMIT)


def _page(value: str | None, doing: str) -> int:
    if value is None:
        return 1
    if not _whole(value, digits=7) or not 1 <= int(value) <= 1_000_000:
        raise GhostError("ValidationError", "Validation (matches) failed for page", doing=doing)
    return int(value)


def _whole(value: str, *, digits: int) -> bool:
    """A whole number of at most `digits` digits (checked before int() reads them all)."""
    return value.isascii() and value.isdigit() and len(value) <= digits


def _order(value: str | None, fields: Mapping[str, str], doing: str) -> list[SortKey] | None:
    if value is None or not value.strip():
        return None
    if not _ORDER.match(value) or len(value) > 500:
        raise GhostError("ValidationError", "Validation (matches) failed for order", doing=doing)
    keys = []
    for part in _names(value):
        name, _, direction = part.partition(" ")
        direction = direction.strip().lower() or "asc"
        if name not in fields or direction not in {"asc", "desc"}:
            known = ", ".join(sorted(fields))
            raise GhostError(
                "BadRequestError", f"Cannot order by {part!r}: use one of {known}", doing=doing
            )
        keys.append(SortKey(fields[name], descending=direction == "desc"))
    return keys


def _filter(value: str | None, doing: str) -> nql.Node | None:
    if value is None or not value.strip():
        return None
    try:
        return nql.parse(value)
    except nql.NqlError as error:
        raise GhostError("BadRequestError", f"Error parsing filter: {error}", doing=doing) from None


def _formats(value: str | None, doing: str) -> frozenset[str]:
    asked = set(_names(value)) or {"html"}
    if asked - FORMATS - _SILENT_FORMATS:
        raise GhostError(
            "ValidationError", "Validation (AllowedValues) failed for formats", doing=doing
        )
    return frozenset(asked & FORMATS)
