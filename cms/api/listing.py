"""What every collection takes (`page`, `limit`, `sort`, `fields`), checked alike everywhere,
and what it answers with them: the page envelope and its `links.self`."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request

from cms.api.envelopes import page_envelope
from cms.api.urls import API_PREFIX, Urls, UrlsDep
from cms.paging import MAX_LIMIT, Pagination, Sorting, SortKey
from cms.problems import BadRequest


@dataclass(frozen=True)
class Listing:
    """A collection request's page, order and fields, parsed; and where it was asked."""

    pagination: Pagination
    sort: list[SortKey] | None  # None: the collection has no default and none was asked
    fields: frozenset[str] | None  # None: the default set
    urls: Urls
    path: str  # below the API prefix, e.g. /posts
    asked: dict[str, str | None]  # sort and fields as sent, for links.self

    def self_url(self, **filters: object) -> str:
        """This page's address: page and limit, the filters given, then sort and fields."""
        page = self.pagination
        return self.urls.api(self.path, page=page.page, limit=page.limit, **filters, **self.asked)

    def envelope(
        self, items: list[dict[str, Any]], *, total: int, **filters: object
    ) -> dict[str, Any]:
        """The page envelope of API.md around `items`, each narrowed to the fields asked."""
        shown = [pick(item, self.fields) for item in items]
        return page_envelope(
            shown, pagination=self.pagination, total=total, self_url=self.self_url(**filters)
        )


def listing(sorting: Sorting, known_fields: frozenset[str]) -> Callable[..., Awaitable[Listing]]:
    """The dependency of a collection sorted by `sorting` whose items have `known_fields`,
    declared once per collection: `Annotated[Listing, Depends(listing(...))]`."""

    async def parse_listing(
        request: Request,
        urls: UrlsDep,
        page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description="Items per page, 1 to 100.")
        ] = 10,
        sort: Annotated[str | None, sort_query(sorting.allowed)] = None,
        fields: Annotated[str | None, fields_query(known_fields)] = None,
    ) -> Listing:
        asked = sort if sort is not None else sorting.default
        return Listing(
            pagination=Pagination(page=page, limit=limit),
            sort=None if asked is None else parse_sort(asked, sorting.allowed),
            fields=parse_fields(fields, known_fields),
            urls=urls,
            path=_route_path(request),
            asked={"sort": sort, "fields": fields},
        )

    return parse_listing


def _route_path(request: Request) -> str:
    """The collection's path below the API prefix, as its route spells it with this
    request's path parameters (not the URL's path, which a proxy's root path may lead)."""
    route = request.scope["route"]
    return str(route.path_format.format(**request.path_params)).removeprefix(API_PREFIX)


def _list_pattern(allowed: frozenset[str], *, signed: bool) -> str:
    """A regex for a comma list of `allowed` names (each optionally `-`-prefixed if `signed`)."""
    name = ("-?" if signed else "") + "(" + "|".join(sorted(allowed)) + ")"
    return f"^{name}(,{name})*$"


def sort_query(allowed: frozenset[str]) -> Any:
    # The pattern documents the valid values; parse_sort enforces the same rule with a
    # message that lists them (a regex in an error is no help to anyone).
    return Query(
        description="Comma-separated field names; a leading `-` sorts descending: "
        f"`-published_at`. Fields: {', '.join(sorted(allowed))}.",
        max_length=500,
        json_schema_extra={"pattern": _list_pattern(allowed, signed=True)},
    )


def fields_query(allowed: frozenset[str]) -> Any:
    # The schema of an answer holds for answers without `fields`, so that code generated from
    # it types every promised field as present; what `fields` makes of an answer is said here
    # (OpenAPI cannot tie a response schema to a parameter's value).
    return Query(
        description="Comma-separated top-level fields to return. The object in `data` (each "
        "one, in a collection) then holds exactly the fields named, each as its schema "
        "describes it, and no others: the schema's `required` list is for answers without "
        "`fields`. "
        f"Fields: {', '.join(sorted(allowed))}.",
        max_length=1000,
        json_schema_extra={"pattern": _list_pattern(allowed, signed=False)},
    )


def parse_sort(value: str, allowed: frozenset[str]) -> list[SortKey]:
    """`-published_at,title` -> sort keys; anything else is a 400 naming `sort`."""
    if not re.fullmatch(_list_pattern(allowed, signed=True), value):
        raise BadRequest(
            f"Cannot sort by {value!r}; sort by one or more of: {', '.join(sorted(allowed))} "
            "(comma-separated, `-` first for descending)",
            field="sort",
        )
    return [
        SortKey(field=name.removeprefix("-"), descending=name.startswith("-"))
        for name in value.split(",")
    ]


def parse_fields(value: str | None, allowed: frozenset[str]) -> frozenset[str] | None:
    """`id,title` -> the set of fields to return; None means "the default set"."""
    if value is None:
        return None
    if not re.fullmatch(_list_pattern(allowed, signed=False), value):
        unknown = sorted(set(value.split(",")) - allowed)
        raise BadRequest(
            f"Unknown field(s): {', '.join(unknown) or repr(value)}; "
            f"fields: {', '.join(sorted(allowed))} (comma-separated)",
            field="fields",
        )
    return frozenset(value.split(","))


def pick(item: dict[str, Any], fields: frozenset[str] | None) -> dict[str, Any]:
    """`item` with only the `fields` asked for (None: all of it)."""
    if fields is None:
        return item
    return {name: value for name, value in item.items() if name in fields}
