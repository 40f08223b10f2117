"""CMS_REDIS_URL: every process hears of another's write at once, and Redis is never needed."""

import asyncio
import os
import time

import httpx
import pytest
import redis
from sqlmodel import Session

from bench.servers import running_server
from cms.cache.broadcast import Broadcast
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user
from tests.processes import shared_post

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_up() and os.environ.get("CI") != "true",  # in CI a missing Redis fails
    reason=f"no Redis at {REDIS_URL}",
)


@needs_redis
def test_a_write_reaches_another_process_before_its_version_check(new_database) -> None:
    shared = shared_post(new_database(), title="Shared")
    # Readers check the content version only every 60 s: only Redis can tell them sooner.
    options = {"CMS_REDIS_URL": REDIS_URL, "CMS_CACHE_CHECK_SECONDS": "60"}

    with (
        running_server(shared.url, **options) as writer,
        running_server(shared.url, **options) as reader,
    ):
        path = "/api/v1/posts/shared"
        httpx.get(reader + path)
        assert httpx.get(reader + path).headers["cms-cache"] == "hit"
        assert shared.retitle(writer, "Changed").status_code == 200
        for _ in range(100):
            answer = httpx.get(reader + path)
            if answer.json()["data"]["title"] == "Changed":
                break
            time.sleep(0.05)
        assert answer.json()["data"]["title"] == "Changed"
        assert answer.headers["cms-cache"] == "miss"


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    settings.response_cache = True
    settings.redis_url = "redis://127.0.0.1:1/0"  # nothing listens there
    return settings


def test_without_a_reachable_redis_writes_work_and_this_process_sees_them(
    client, session: Session
) -> None:
    post = make_post(session, title="Before")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    client.get("/api/v1/posts/before")
    etag = client.get(f"/api/v1/admin/posts/{post.id}", headers=editor).headers["etag"]

    changed = client.patch(
        f"/api/v1/admin/posts/{post.id}",
        json={"title": "After"},
        headers={**editor, "If-Match": etag},
    )

    assert changed.status_code == 200
    assert client.get("/api/v1/posts/before").json()["data"]["title"] == "After"


@needs_redis
def test_the_keys_a_write_purged_reach_the_other_processes_and_not_the_writer() -> None:
    channel = f"cms:test:{os.getpid()}"
    writer, reader = (Broadcast(url=REDIS_URL, channel=channel) for _ in range(2))
    heard: dict[str, list[set[str]]] = {"writer": [], "reader": []}

    async def exchange() -> None:
        listening = [
            asyncio.create_task(writer.listen(heard["writer"].append)),
            asyncio.create_task(reader.listen(heard["reader"].append)),
        ]
        await asyncio.sleep(0.3)  # both subscribed
        writer.publish({"post-1", "posts"})
        for _ in range(50):
            await asyncio.sleep(0.05)
            if heard["reader"]:
                break
        for task in listening:
            task.cancel()
        await asyncio.gather(*listening, return_exceptions=True)

    asyncio.run(exchange())
    writer.close()
    reader.close()
    assert heard == {"writer": [], "reader": [{"post-1", "posts"}]}
