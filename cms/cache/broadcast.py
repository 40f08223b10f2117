"""Word of every write to every process at once, over Redis pub/sub (CMS_REDIS_URL).

Without Redis, a process learns of another's write by reading the content version, at most
CMS_CACHE_CHECK_SECONDS later. With it, the writer also publishes on a channel that every
process of the same database listens to, and they drop their caches within milliseconds.
The version stays the guarantee: a message lost, or Redis down, costs at most that second,
never a stale answer beyond it, and no write waits on Redis or fails because of it.
"""

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable

import redis
import redis.asyncio

from cms.config import Settings

log = logging.getLogger(__name__)
# How long a writer waits for Redis before going on without it, in seconds.
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

    def publish(self) -> None:
        """Tell the other processes that content changed (called after a commit)."""
        try:
            self._publisher.publish(self.channel, self.sender)
        except redis.RedisError as error:  # the content version still tells them, later
            log.warning("could not publish a content change to Redis: %s", error)

    async def listen(self, changed: Callable[[], None]) -> None:
        """Call `changed` for every other process's write, until cancelled; reconnect
        after a failure (meanwhile the content version keeps caches within bounds)."""
        while True:
            client = redis.asyncio.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for message in pubsub.listen():
                        if message["type"] == "message" and message["data"] != self.sender:
                            changed()
            except redis.RedisError as error:
                log.warning("lost Redis (%s); listening again in %s s", error, RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                await client.aclose()

    def close(self) -> None:
        self._publisher.close()
