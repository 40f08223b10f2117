"""Readers submitting comments through the Content API, each from an address of their own."""

import itertools
from typing import Any

import httpx
from fastapi.testclient import TestClient

_readers = itertools.count(1)


def comments_url(slug: str) -> str:
    return f"/api/v1/posts/{slug}/comments"


def new_address() -> str:
    """An address no other reader in the run has (10.0.0.0/8: 16 million of them)."""
    n = next(_readers)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def from_address(client: TestClient, address: str) -> TestClient:
    """A client on the same app whose requests come from `address`, as a server would see it."""
    return TestClient(
        client.app,
        base_url=str(client.base_url),
        raise_server_exceptions=False,
        client=(address, 50000),
    )


def submit(
    client: TestClient,
    slug: str,
    *,
    address: str | None = None,
    agent: str = "Browser",
    **fields: Any,
) -> httpx.Response:
    """Submit as a new reader each time (another address), unless `address` says who."""
    body = {"author_name": "Ann", "author_email": "ann@example.com", "body": "Nice post!"} | fields
    sender = from_address(client, address or new_address())
    return sender.post(comments_url(slug), json=body, headers={"User-Agent": agent})


def moderate(client: TestClient, headers: dict[str, str], comment_id: int, status: str) -> Any:
    return client.patch(
        f"/api/v1/admin/comments/{comment_id}", json={"status": status}, headers=headers
    )
