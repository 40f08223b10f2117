"""Word of every write to every process at once, over Redis pub/sub (CMS_REDIS_URL).

Without Redis, a process learns of another's write by reading the content version, at most
CMS_CACHE_CHECK_SECONDS later. With it, the writer also publishes on a channel that every
process of the same database listens to, and they drop their caches within milliseconds.
The version stays the guarantee: a message lost, or Redis down, costs at most that second,
never a stale answer beyond it, and no write waits on Redis or fails because of it: a
request only notes that a message is owed, and a thread of its own sends it (one message for
any number of writes meanwhile, since each says the same: "content changed"), again and
again until Redis takes it.
"""

import asyncio
import hashlib
import logging
import os
import threading
from collections.abc import Callable

import redis
import redis.asyncio

from cms.config import Settings

log = logging.getLogger(__name__)
# How long the sending thread waits for Redis before trying again later, in seconds.
PUBLISH_TIMEOUT = 0.5
RETRY_SECONDS = 2.0


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
        self.sender = f"{os.getpid()}-{id(self)}".encode()
        self._publisher = redis.Redis.from_url(
            url, socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=PUBLISH_TIMEOUT
        )
        self._state = threading.Condition()
        self._owed = self._closed = False
        self._thread: threading.Thread | None = None

    def publish(self) -> None:
        """Tell the other processes that content changed (called after a commit); returns at
        once, whatever state Redis is in."""
        with self._state:
            self._owed = True
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
                self._owed = False
            try:
                self._publisher.publish(self.channel, self.sender)
            except redis.RedisError as error:  # the content version still tells them, later
                if not failing:
                    log.warning("could not publish a content change to Redis: %s", error)
                failing = True
                with self._state:
                    self._owed = True
                    if self._state.wait_for(lambda: self._closed, timeout=RETRY_SECONDS):
                        return
                continue
            if failing:
                log.warning("Redis takes content changes again")
            failing = False

    async def listen(self, changed: Callable[[], None]) -> None:
        """Call `changed` for every other process's write, until cancelled; reconnect
        after a failure (meanwhile the content version keeps caches within bounds)."""
        lost = False
        while True:
            client = redis.asyncio.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    if lost:  # what was said while we were away is lost: assume a change
                        changed()
                        lost = False
                    async for message in pubsub.listen():
                        if message["type"] == "message" and message["data"] != self.sender:
                            changed()
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
