"""Password hashing with argon2id (argon2-cffi): slow to guess, constant-time to check."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Checked against when the e-mail is unknown, so that a wrong e-mail takes as
# long as a wrong password and answers cannot tell accounts apart.
_UNKNOWN_USER_HASH = _hasher.hash("not a password anybody has")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
