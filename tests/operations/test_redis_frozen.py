"""A Redis that hangs (SIGSTOP) costs writes nothing: the word of a change waits in the
writer's own thread, and reaches the other processes once Redis runs again."""

import threading
import time

import httpx
from fastapi.testclient import TestClient

from bench.servers import redis_server, running_server
from cms.app import create_app
from cms.config import Settings
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
            assert httpx.get(reader + path).headers["cms-cache"] == "hit"

            redis.freeze()  # how long writes take meanwhile: bench/redis_frozen.py
            for number in range(WRITES):
                assert shared.retitle(writer, f"Changed {number}").status_code == 200
                viewed = httpx.post(f"{writer}{path}/views", headers={"User-Agent": f"R{number}"})
                assert viewed.status_code == 200
            stale = httpx.get(reader + path)
            assert (stale.json()["data"]["title"], stale.headers["cms-cache"]) == ("Before", "hit")

            redis.thaw()
            for _ in range(100):
                answer = httpx.get(reader + path)
                if answer.json()["data"]["title"] != "Before":
                    break
                time.sleep(0.05)
            assert answer.json()["data"]["title"] == f"Changed {WRITES - 1}"
            assert answer.headers["cms-cache"] == "miss"


def test_no_request_talks_to_redis_itself(new_database) -> None:
    """What keeps a frozen Redis from slowing writes: the request's thread only leaves word;
    the one thread that talks to Redis is the broadcast's own."""
    shared = shared_post(new_database(), title="Threads")
    with redis_server() as redis:
        settings = Settings(database_url=shared.url, redis_url=redis.url, response_cache=True)
        app = create_app(settings)
        publisher = app.state.broadcast._publisher
        senders: list[str] = []
        real_publish = publisher.publish

        def publish(*args: object) -> object:  # the real call, with who made it noted
            senders.append(threading.current_thread().name)
            return real_publish(*args)

        publisher.publish = publish
        # Without the lifespan: the app's listener is another test's business, this one
        # watches only who publishes.
        client = TestClient(app)
        redis.freeze()
        address = f"/api/v1/admin/posts/{shared.post_id}"
        etag = client.get(address, headers=shared.editor).headers["etag"]
        headers = {**shared.editor, "If-Match": etag}
        assert client.patch(address, json={"title": "New"}, headers=headers).status_code == 200
        assert client.post("/api/v1/posts/threads/views").status_code == 200
        redis.thaw()
        for _ in range(100):
            if senders:
                break
            time.sleep(0.05)
        app.state.broadcast.close()
        app.state.engine.dispose()
    assert senders and set(senders) == {"cms-broadcast"}
