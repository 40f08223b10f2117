"""Password hashing with argon2id (argon2-cffi): slow to guess, constant-time to check."""

import math

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cms.problems import ServiceUnavailable

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


class PasswordGate:
    """At most `size` password checks at once, each in a worker thread, so that a flood of
    sign-ins cannot take the CPUs, memory (64 MiB a hash) and threads that every other
    request needs. A sign-in waits for a turn at most `wait_seconds`, holding no thread
    while it waits; then it is turned away (503) rather than queued without end."""

    def __init__(self, *, size: int, wait_seconds: float) -> None:
        self._turns = anyio.CapacityLimiter(size)
        self._wait_seconds = wait_seconds

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """verify_password(), when a turn comes; ServiceUnavailable if none comes in time."""
        with anyio.move_on_after(self._wait_seconds) as waiting:
            await self._turns.acquire()
        if waiting.cancelled_caught:
            retry = str(max(1, math.ceil(self._wait_seconds)))
            raise ServiceUnavailable(
                "Too many sign-ins at once; try again in a moment", headers={"Retry-After": retry}
            )
        try:
            return await anyio.to_thread.run_sync(verify_password, password_hash, password)
        finally:
            self._turns.release()
