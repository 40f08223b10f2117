"""The `cms` command: db upgrade, demo, and serve, each on a database of its own."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from cms.cli import app
from cms.config import get_settings
from cms.db import make_engine


@pytest.fixture
def database_url(new_database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = new_database()
    monkeypatch.setenv("CMS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_creates_the_schema(database_url: str) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    engine = make_engine(database_url)
    assert {"posts", "authors", "tags", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_demo_loads_once_and_reports_what_it_added(database_url: str) -> None:
    first = CliRunner().invoke(app, ["demo"])
    second = CliRunner().invoke(app, ["demo"])

    assert first.exit_code == 0 and "15 new posts" in first.output
    assert second.exit_code == 0 and "0 new posts" in second.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_applies_migrations_and_answers(database_url: str) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cms", "serve", "--port", str(port), "--no-access-log"],
        env={**os.environ, "CMS_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        ready = None
        for _ in range(100):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert ready is not None and ready.status_code == 200
        posts = httpx.get(f"http://127.0.0.1:{port}/api/v1/posts")
        assert posts.status_code == 200 and posts.json()["data"] == []
    finally:
        server.terminate()
        server.wait(timeout=10)
