"""The response envelopes of API.md: `{"data": ...}` for one, data + meta + links for a page."""

from collections.abc import Callable, Iterable
from math import ceil
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel

from cms.paging import Pagination


def leaves_out(names: Iterable[str]) -> Callable[[dict[str, Any]], None]:
    """For a model whose answers carry `names` only when `fields` asks for them: every other
    field is promised (`required`, though perhaps null). What `fields` narrows an answer to,
    its parameter says (cms.api.listing.fields_query)."""
    left_out = frozenset(names)

    def promise_the_rest(schema: dict[str, Any]) -> None:
        schema["required"] = [name for name in schema["required"] if name not in left_out]

    return promise_the_rest


class SelfLinks(BaseModel):
    self: str


class PaginationMeta(BaseModel):
    page: int
    limit: int
    total: int
    pages: int
    next: int | None
    prev: int | None


class PageMeta(BaseModel):
    pagination: PaginationMeta


class PageLinks(BaseModel):
    self: str
    next: str | None
    prev: str | None


T = TypeVar("T")


class One(BaseModel, Generic[T]):
    data: T


class Page(BaseModel, Generic[T]):
    data: list[T]
    meta: PageMeta
    links: PageLinks


def page_envelope(
    items: list[dict[str, Any]], *, pagination: Pagination, total: int, self_url: str
) -> dict[str, Any]:
    """A page of `items` with its position among `total`, and links to its neighbours."""
    pages = ceil(total / pagination.limit)
    next_page = pagination.page + 1 if pagination.page < pages else None
    prev_page = pagination.page - 1 if pagination.page > 1 else None
    if prev_page is not None and pages:
        prev_page = min(prev_page, pages)  # from far past the end, "prev" is the last page
    return {
        "data": items,
        "meta": {
            "pagination": {
                "page": pagination.page,
                "limit": pagination.limit,
                "total": total,
                "pages": pages,
                "next": next_page,
                "prev": prev_page,
            }
        },
        "links": {
            "self": self_url,
            "next": _with_page(self_url, next_page),
            "prev": _with_page(self_url, prev_page),
        },
    }


def _with_page(url: str, page: int | None) -> str | None:
    if page is None:
        return None
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "page"]
    query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))
