"""A page of any collection as services take it: which page, in what order. Plain types, no
web framework, so the CLI, the demo and importers call services with them too."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col

MAX_LIMIT = 100


@dataclass(frozen=True)
class Pagination:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class Sorting:
    """The fields a collection sorts by, and its order when none is asked for (None: the
    service chooses, as the posts' search does by relevance)."""

    allowed: frozenset[str]
    default: str | None


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
