"""A Redis that hangs (SIGSTOP) costs writes nothing: the word of a change waits in the
writer's own thread, and reaches the other processes once Redis runs again."""

import time

import httpx

from bench.servers import running_server
from cms.cache.broadcast import PUBLISH_TIMEOUT
from tests.operations.processes import redis_server
from tests.processes import shared_post

WRITES = 5


def test_writes_do_not_wait_for_a_frozen_redis_and_others_hear_of_them_after_it_thaws(
    new_database,
) -> None:
    shared = shared_post(new_database(), title="Before")
    path = "/api/v1/posts/before"
    with redis_server() as redis:
        # Readers check the content version only every 60 s: only Redis can tell them sooner.
        options = {"CMS_REDIS_URL": redis.url, "CMS_CACHE_CHECK_SECONDS": "60"}
        with (
            running_server(shared.url, **options) as writer,
            running_server(shared.url, **options) as reader,
        ):
            httpx.get(reader + path)
            assert httpx.get(reader + path).headers["x-cache"] == "HIT"

            redis.freeze()
            started = time.monotonic()
            for number in range(WRITES):
                assert shared.retitle(writer, f"Changed {number}").status_code == 200
                viewed = httpx.post(f"{writer}{path}/views", headers={"User-Agent": f"R{number}"})
                assert viewed.status_code == 200
            took = time.monotonic() - started
            # Waiting on Redis, these 2 x WRITES requests would take PUBLISH_TIMEOUT each at
            # least; allow half of that, however slow the machine.
            assert took < WRITES * PUBLISH_TIMEOUT, f"{took:.2f} s"
            stale = httpx.get(reader + path)
            assert (stale.json()["data"]["title"], stale.headers["x-cache"]) == ("Before", "HIT")

            redis.thaw()
            for _ in range(100):
                answer = httpx.get(reader + path)
                if answer.json()["data"]["title"] != "Before":
                    break
                time.sleep(0.05)
            assert answer.json()["data"]["title"] == f"Changed {WRITES - 1}"
            assert answer.headers["x-cache"] == "MISS"
