"""`cms serve` as production runs it: the `cms` script, workers on a busy machine, and
the access log off unless asked for."""

import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from bench.servers import logging_to
from cms.db import make_engine
from cms.migrations import upgrade_database

# The script pip makes for the `cms` entry point, beside this interpreter: what users run.
CMS_SCRIPT = str(Path(sys.executable).with_name("cms"))
PATIENT = httpx.Timeout(60)  # a busy machine answers slowly; the tests time nothing


@pytest.fixture
def database_url(new_database) -> str:
    url = new_database()
    engine = make_engine(url)
    upgrade_database(engine)  # so that the servers here have no migrations to wait on
    engine.dispose()
    return url


@contextmanager
def busy_cpus() -> Iterator[None]:
    """Every CPU kept busy several times over, as on a machine shared by many processes."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(4 * (os.cpu_count() or 2))
    ]
    try:
        yield
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.wait(timeout=10)


class Served:
    def __init__(self, base: str, log: IO[bytes]) -> None:
        self.base, self._log = base, log

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode()

    def worker_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", self.log())]


@contextmanager
def cms_serve(database_url: str, *options: str, workers: int = 1, **env: str) -> Iterator[Served]:
    """`cms serve` through the `cms` script, its log kept for the test to read."""
    command = [CMS_SCRIPT, "serve", *options]
    env = {"CMS_DATABASE_URL": database_url, **env}
    with (
        tempfile.TemporaryFile() as log,
        logging_to(log, command, env, workers=workers) as base,
    ):
        yield Served(base, log)


def answers_while_others_are_stopped(served: Served, worker: int, others: list[int]) -> int:
    """The status of a request on a new connection while every worker but `worker` is
    stopped: only `worker` can accept it."""
    for other in others:
        os.kill(other, signal.SIGSTOP)
    try:
        return httpx.get(f"{served.base}/health", timeout=PATIENT).status_code
    finally:
        for other in others:
            os.kill(other, signal.SIGCONT)


def test_two_workers_come_up_cleanly_while_the_cpus_are_busy(database_url: str) -> None:
    with busy_cpus(), cms_serve(database_url, "--workers", "2", workers=2) as served:
        pids = served.worker_pids()
        statuses = [
            answers_while_others_are_stopped(served, pid, [o for o in pids if o != pid])
            for pid in pids
        ]
        log = served.log()

    # uvicorn's supervisor logs "Child process [pid] died" for each worker it killed, and
    # every worker it started again logs "Started server process" once more.
    assert "died" not in log, log
    assert len(set(pids)) == 2, log
    assert statuses == [200, 200]


def access_lines(log: str) -> list[str]:
    return re.findall(r'.*"GET /api/v1/posts HTTP/1\.1" 200.*', log)


@pytest.mark.parametrize(
    ("options", "env", "logged"),
    [
        ((), {}, False),
        (("--access-log",), {}, True),
        ((), {"CMS_ACCESS_LOG": "true"}, True),
        (("--no-access-log",), {"CMS_ACCESS_LOG": "true"}, False),
    ],
    ids=["off by default", "--access-log", "CMS_ACCESS_LOG=true", "the flag wins"],
)
def test_requests_are_logged_only_when_asked(
    database_url: str, options: tuple[str, ...], env: dict[str, str], logged: bool
) -> None:
    with cms_serve(database_url, *options, **env) as served:
        answer = httpx.get(f"{served.base}/api/v1/posts", timeout=PATIENT)
        # uvicorn writes (and flushes) the line as the answer starts, before it arrives.
        log = served.log()

    assert answer.status_code == 200
    assert bool(access_lines(log)) is logged, log
