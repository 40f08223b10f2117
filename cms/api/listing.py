"""What every collection takes (`page`, `limit`, `sort`, `fields`), checked alike everywhere."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import ColumnElement
from sqlmodel import col

from cms.problems import BadRequest

MAX_LIMIT = 100


@dataclass(frozen=True)
class Pagination:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


async def get_pagination(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page, 1 to 100.")] = 10,
) -> Pagination:
    return Pagination(page=page, limit=limit)


PaginationDep = Annotated[Pagination, Depends(get_pagination)]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


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


def parse_sort(value: str | None, allowed: frozenset[str], default: str) -> list[SortKey]:
    """`-published_at,title` -> sort keys; anything else is a 400 naming `sort`."""
    if value is not None and not re.fullmatch(_list_pattern(allowed, signed=True), value):
        raise BadRequest(
            f"Cannot sort by {value!r}; sort by one or more of: {', '.join(sorted(allowed))} "
            "(comma-separated, `-` first for descending)",
            field="sort",
        )
    return [
        SortKey(field=name.removeprefix("-"), descending=name.startswith("-"))
        for name in (value or default).split(",")
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


def order_by(model: Any, sort: Sequence[SortKey], *, nulls_last: bool = False) -> list[Any]:
    """ORDER BY terms for `sort` on `model`'s columns of the same names, ties broken by id in
    the last key's direction, so pages never overlap.

    `nulls_last` puts empty values last both ways: SQLite and PostgreSQL would otherwise put
    them at opposite ends. Lists that never hold NULLs leave it off, which keeps a descending
    sort able to walk an ascending index on PostgreSQL."""
    terms: list[ColumnElement[Any]] = []
    for key in sort:
        column = col(getattr(model, key.field))
        term = column.desc() if key.descending else column.asc()
        terms.append(term.nulls_last() if nulls_last else term)
    last_descending = bool(sort) and sort[-1].descending
    terms.append(col(model.id).desc() if last_descending else col(model.id).asc())
    return terms
