"""A full disk under SQLite: writes are refused with 503 and Retry-After, none half done,
reads go on, the outage is logged once, and writes work again once there is room.

The disk is a real one: a small tmpfs of the test's own, filled to its last byte, so SQLite
meets ENOSPC as it would in production. Mounting needs root, which CI has.
"""

import os
import tempfile

import httpx
import pytest
from sqlalchemy import text

from bench.servers import logging_to, serve_command
from cms.db import make_engine
from tests.operations.processes import can_mount, fill, small_filesystem
from tests.processes import shared_post

needs_mount = pytest.mark.skipif(
    not can_mount() and os.environ.get("CI") != "true",  # in CI this must run
    reason="mounting a tmpfs needs root",
)


def _post_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        count = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
    engine.dispose()
    return int(count)


@needs_mount
def test_a_full_disk_refuses_writes_with_503_and_keeps_reads_working() -> None:
    with small_filesystem(8) as disk, tempfile.TemporaryFile() as log:
        shared = shared_post(f"sqlite:///{disk}/cms.db", title="Hello")
        env = {"CMS_DATABASE_URL": shared.url, "CMS_RESPONSE_CACHE": "false"}
        with logging_to(log, serve_command(), env) as server:
            posts = f"{server}/api/v1/admin/posts"
            filler = fill(disk)
            for number in range(3):
                body = {"title": f"Long {number}", "body": "words " * 20_000}
                refused = httpx.post(posts, json=body, headers=shared.editor)
                assert refused.status_code == 503, refused.text
                assert refused.headers["content-type"] == "application/problem+json"
                assert int(refused.headers["retry-after"]) > 0
                assert "disk full" in refused.json()["detail"]
            assert httpx.get(f"{server}/api/v1/posts/hello").status_code == 200
            assert httpx.get(f"{server}/api/v1/posts").json()["meta"]["pagination"]["total"] == 1
            # Signed in, a read also notes the token's use: that waits, the read does not.
            listed = httpx.get(posts, headers=shared.editor)
            assert listed.status_code == 200, listed.text
            assert listed.json()["meta"]["pagination"]["total"] == 1

            filler.unlink()
            saved = httpx.post(posts, json={"title": "Room again"}, headers=shared.editor)
            assert saved.status_code == 201, saved.text

        assert _post_count(shared.url) == 2  # the refused ones left nothing behind
        log.seek(0)
        output = log.read().decode()
    assert output.count("database outage: The database cannot store anything") == 1, output
    assert output.count("database outage over") == 1, output
    assert "Traceback" not in output
