"""The OpenAPI document as a code generator reads it: names, required fields, and what it
says about the API as a whole. (test_openapi_contract.py checks answers against it.)"""

import re
from typing import Any

import pytest

from cms.app import create_app
from cms.config import Settings

CAMEL_CASE = re.compile(r"^[a-z]+([A-Z][a-z0-9]*)*$")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # Built from the routes alone: the in-memory database is never opened.
    return create_app(Settings(database_url="sqlite://")).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_unique_camel_case_id(document: dict[str, Any]) -> None:
    ids = {name: operation.get("operationId", "") for name, operation in operations(document)}
    assert not {name: value for name, value in ids.items() if not CAMEL_CASE.match(value)}
    assert not {value for value in ids.values() if list(ids.values()).count(value) > 1}


def test_operation_ids_are_the_handlers_names(document: dict[str, Any]) -> None:
    ids = {name: operation["operationId"] for name, operation in operations(document)}
    assert ids["GET /api/v1/posts"] == "listPosts"
    assert ids["GET /api/v1/posts/{slug}"] == "getPost"
    assert ids["POST /api/v1/posts/{slug}/views"] == "countView"
    assert ids["GET /rss.xml"] == "getRssFeed"
    assert ids["GET /api/v1/tags/{slug}"] == "getTag"
    assert ids["DELETE /api/v1/admin/authors/{author_id}"] == "deleteAuthor"
