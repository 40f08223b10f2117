"""Word of every write to every process at once, over Redis pub/sub (CMS_REDIS_URL).

Without Redis, a process learns of another's write by reading the content version, at most
CMS_CACHE_CHECK_SECONDS later. With it, the writer also publishes on a channel that every
process of the same database listens to, and they drop their caches within milliseconds.
The version stays the guarantee: a message lost, or Redis down, costs at most that second,
never a stale answer beyond it, and no write waits on Redis or fails because of it: a
request only notes the cache keys it changed, and a thread of its own sends them (one
message for any number of writes meanwhile, naming all their keys), again and again until
Redis takes it. A process that lost Redis for a while drops everything when it is back.
"""

import asyncio
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable

import redis
import redis.asyncio

from cms.cache.purges import EVERYTHING
from cms.config import Settings

log = logging.getLogger(__name__)
# How long the sending thread waits for Redis before trying again later, in seconds.
PUBLISH_TIMEOUT = 0.5
RETRY_SECONDS = 2.0
Heard = Callable[[set[str]], None]  # the keys another process purged


def from_settings(settings: Settings) -> "Broadcast | None":
    """The broadcast CMS_REDIS_URL asks for, on the channel of CMS_DATABASE_URL (one channel
    per database: two sites sharing a Redis do not disturb each other); None without it."""
    if not settings.redis_url:
        return None
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    return Broadcast(url=settings.redis_url, channel=f"cms:content:{digest}")


class Broadcast:
    """Publishes this process's writes, and hears the other processes' ones."""

    def __init__(self, *, url: str, channel: str) -> None:
        self.channel = channel
        self.url = url
        self.sender = f"{os.getpid()}-{id(self)}"
        self._publisher = redis.Redis.from_url(
            url, socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=PUBLISH_TIMEOUT
        )
        self._state = threading.Condition()
        self._owed: set[str] = set()
        self._closed = False
        self._thread: threading.Thread | None = None

    def publish(self, keys: Iterable[str]) -> None:
        """Tell the other processes which cache keys a commit changed; returns at once,
        whatever state Redis is in."""
        with self._state:
            self._owed.update(keys)
            self._state.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._deliver, name="cms-broadcast")
                self._thread.daemon = True  # a hung Redis must not keep the process alive
                self._thread.start()

    def _deliver(self) -> None:
        failing = False
        while True:
            with self._state:
                self._state.wait_for(lambda: self._owed or self._closed)
                if not self._owed:
                    return  # closed, and nothing left to say
                keys, self._owed = self._owed, set()
            try:
                self._publisher.publish(self.channel, self._message(keys))
            except redis.RedisError as error:  # the content version still tells them, later
                if not failing:
                    log.warning("could not publish a content change to Redis: %s", error)
                failing = True
                with self._state:
                    self._owed.update(keys)
                    if self._state.wait_for(lambda: self._closed, timeout=RETRY_SECONDS):
                        return
                continue
            if failing:
                log.warning("Redis takes content changes again")
            failing = False

    def _message(self, keys: set[str]) -> str:
        return json.dumps({"from": self.sender, "keys": sorted(keys)})

    def _heard(self, data: bytes) -> set[str] | None:
        """The keys another process purged; None for our own message."""
        try:
            message = json.loads(data)
            sender, keys = message["from"], set(message["keys"])
        except (ValueError, KeyError, TypeError):
            return {EVERYTHING}  # a sender we do not understand: assume the worst
        return None if sender == self.sender else keys

    async def listen(self, changed: Heard) -> None:
        """Call `changed` with the keys of every other process's write, until cancelled;
        reconnect after a failure (meanwhile the content version keeps caches in bounds)."""
        lost = False
        while True:
            client = redis.asyncio.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    if lost:  # what was said while we were away is lost: assume the worst
                        changed({EVERYTHING})
                        lost = False
                    async for message in pubsub.listen():
                        keys = (
                            self._heard(message["data"]) if message["type"] == "message" else None
                        )
                        if keys is not None:
                            changed(keys)
            except redis.RedisError as error:
                log.warning("lost Redis (%s); listening again in %s s", error, RETRY_SECONDS)
                lost = True
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                await client.aclose()

    def close(self) -> None:
        """Send what is owed if Redis takes it at once, then stop."""
        with self._state:
            self._closed = True
            self._state.notify()
        if self._thread is not None:
            self._thread.join(timeout=PUBLISH_TIMEOUT * 2)
        self._publisher.close()
