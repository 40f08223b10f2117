"""Commenter tokens: the proof that a new comment comes from someone already approved.

A token is a random secret handed to whoever submits a comment; they send it back with
their next one. Only its sha256 is kept (it is long and random, so no salt or slow hash is
needed), and nothing about it derives from an e-mail address, which anyone can type.
"""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
