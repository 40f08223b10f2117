"""Telling visitors apart without keeping who they are: keyed hashes with a daily salt.

The salt is derived from the secret key and the day, so a hash cannot be traced back to an
address by anyone without the key, and the same visitor looks different from one day to
the next. Raw addresses are never stored.
"""

import hashlib
import hmac
from datetime import datetime

from starlette.requests import Request


def visitor_hash(secret_key: str, *, now: datetime, address: str, user_agent: str) -> str:
    """A stable-for-today, anonymous fingerprint of a client address and user agent."""
    salt = hmac.new(secret_key.encode(), now.date().isoformat().encode(), hashlib.sha256).digest()
    sender = f"{address}\n{user_agent}".encode()
    return hmac.new(salt, sender, hashlib.sha256).hexdigest()


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
        address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
    )
