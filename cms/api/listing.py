"""What every collection takes (`page`, `limit`, `sort`, `fields`), checked alike everywhere."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from cms.problems import BadRequest

MAX_LIMIT = 100


@dataclass(frozen=True)
class Pagination:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def get_pagination(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page, 1 to 100.")] = 10,
) -> Pagination:
    return Pagination(page=page, limit=limit)


PaginationDep = Annotated[Pagination, Depends(get_pagination)]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


def parse_sort(value: str | None, allowed: frozenset[str], default: str) -> list[SortKey]:
    """`-published_at,title` -> sort keys; an unknown field is a 400 naming `sort`."""
    keys = []
    for part in (value or default).split(","):
        name = part.strip()
        descending = name.startswith("-")
        name = name.removeprefix("-").removeprefix("+")
        if name not in allowed:
            raise BadRequest(
                f"Cannot sort by {name!r}; sortable fields: {', '.join(sorted(allowed))}",
                field="sort",
            )
        keys.append(SortKey(field=name, descending=descending))
    return keys


def parse_fields(value: str | None, allowed: frozenset[str]) -> frozenset[str] | None:
    """`id,title` -> the set of fields to return; None means "the default set"."""
    if value is None:
        return None
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = sorted(names - allowed)
    if unknown or not names:
        raise BadRequest(
            f"Unknown field(s): {', '.join(unknown) or '(none given)'}; "
            f"fields: {', '.join(sorted(allowed))}",
            field="fields",
        )
    return frozenset(names)


SORT_QUERY = Query(
    description="Comma-separated field names; a leading `-` sorts descending: `-published_at`.",
    max_length=200,
)
FIELDS_QUERY = Query(
    description="Comma-separated top-level fields to return, e.g. `id,slug,title`.",
    max_length=500,
)
