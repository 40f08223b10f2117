"""Telling visitors apart without keeping who they are: keyed hashes with a daily salt.

The salt is derived from the secret key and the day, so a hash cannot be traced back to an
address by anyone without the key, and the same visitor looks different from one day to
the next. Raw addresses are never stored.
"""

import hashlib
import hmac
import ipaddress
from datetime import date, datetime

from starlette.requests import Request


def visitor_hash(secret_key: str, *, now: datetime, address: str, user_agent: str) -> str:
    """A stable-for-today, anonymous fingerprint of a client address and user agent."""
    sender = f"{address}\n{user_agent}".encode()
    return hmac.new(_day_salt(secret_key, now.date()), sender, hashlib.sha256).hexdigest()


def address_hash(secret_key: str, *, day: date, address: str) -> str:
    """A keyed hash, for `day`, of the network a client sends from and nothing it chose.

    For limits that a client must not escape by changing headers. An IPv6 address counts as
    its /64, which one client usually holds whole.
    """
    network = f"address\n{_network(address)}".encode()
    return hmac.new(_day_salt(secret_key, day), network, hashlib.sha256).hexdigest()


def client_address(request: Request) -> str:
    """The client's address as the server saw it (uvicorn has applied X-Forwarded-For from
    trusted proxies only)."""
    return request.client.host if request.client else ""


def client_id_hash(secret_key: str, client_id: str) -> str:
    """A keyed hash of an id the client chose for itself (an app install, a browser)."""
    return hmac.new(
        secret_key.encode(), f"client-id\n{client_id}".encode(), hashlib.sha256
    ).hexdigest()


def request_visitor(request: Request, secret_key: str, *, now: datetime) -> str:
    """The anonymous fingerprint of whoever sent `request`: its address and user agent."""
    return visitor_hash(
        secret_key,
        now=now,
        address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )


def _day_salt(secret_key: str, day: date) -> bytes:
    return hmac.new(secret_key.encode(), day.isoformat().encode(), hashlib.sha256).digest()


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a Unix socket): itself
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)
