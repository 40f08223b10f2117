"""Telling visitors apart without keeping who they are: keyed hashes with a daily salt.

The salt is derived from the secret key and the day, so a hash cannot be traced back to an
address by anyone without the key, and the same visitor looks different from one day to
the next. Raw addresses are never stored.
"""

import hashlib
import hmac
from datetime import datetime


def visitor_hash(secret_key: str, *, now: datetime, address: str, user_agent: str) -> str:
    """A stable-for-today, anonymous fingerprint of a client address and user agent."""
    salt = hmac.new(secret_key.encode(), now.date().isoformat().encode(), hashlib.sha256).digest()
    sender = f"{address}\n{user_agent}".encode()
    return hmac.new(salt, sender, hashlib.sha256).hexdigest()
