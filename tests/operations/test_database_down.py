"""A database that stops answering: every request is told to come back later (503 with
Retry-After), the outage is logged once, and service resumes as soon as the database does.

PostgreSQL runs here on a cluster of the test's own (whatever CMS_TEST_DATABASE_URL says),
which the test stops and starts: it needs only PostgreSQL's programs, never the shared server.
"""

import os
import tempfile
import time
from collections.abc import Callable

import httpx
import pytest

from bench.servers import logging_to, serve_command
from tests.operations.processes import have_postgresql, postgresql_cluster
from tests.processes import shared_post

needs_postgresql = pytest.mark.skipif(
    not have_postgresql() and os.environ.get("CI") != "true",  # in CI a missing one fails
    reason="PostgreSQL's programs (initdb, pg_ctl) are not installed",
)


def _assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["retry-after"]) > 0
    assert answer.json()["status"] == 503
    assert "cannot be reached" in answer.json()["detail"]


def _until_ok(request: Callable[[], httpx.Response], seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if request().status_code == 200:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"not answering 200 within {seconds} s")


@needs_postgresql
def test_a_stopped_postgresql_answers_503_and_service_resumes_when_it_is_back() -> None:
    with postgresql_cluster() as cluster, tempfile.TemporaryFile() as log:
        shared = shared_post(cluster.create_database("cms"), title="Hello")
        env = {"CMS_DATABASE_URL": shared.url, "CMS_RESPONSE_CACHE": "false"}
        with logging_to(log, serve_command(), env) as server:
            admin = f"{server}/api/v1/admin/posts/{shared.post_id}"
            assert httpx.get(f"{server}/api/v1/posts").status_code == 200

            cluster.stop()
            for _ in range(3):
                _assert_unavailable(httpx.get(f"{server}/api/v1/posts"))
                _assert_unavailable(httpx.get(f"{server}/api/v1/posts/hello"))
                _assert_unavailable(httpx.get(admin, headers=shared.editor))
                edit = {**shared.editor, "If-Match": "*"}
                _assert_unavailable(httpx.patch(admin, json={"title": "New"}, headers=edit))
            assert int(httpx.get(f"{server}/ready").headers["retry-after"]) > 0

            cluster.start()
            back = _until_ok(lambda: httpx.get(f"{server}/api/v1/posts"), seconds=5)
            assert httpx.get(admin, headers=shared.editor).status_code == 200
            assert back < 2

        log.seek(0)
        output = log.read().decode()
    assert output.count("database outage: The database cannot be reached") == 1, output
    assert output.count("database outage over") == 1, output
    assert "Traceback" not in output
