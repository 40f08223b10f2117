"""Real `cms serve` processes on 127.0.0.1: for the benchmarks, and for the tests of what
only separate processes can show."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(database_url: str, *options: str, **env: str) -> Iterator[str]:
    """Start `cms serve` on `database_url` (with more `options`, and CMS_* settings in `env`);
    yield its base URL once it is ready, and stop it afterwards."""
    with running(serve_command(*options), CMS_DATABASE_URL=database_url, **env) as base:
        yield base


def serve_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "cms", "serve", "--no-access-log", *options]


@contextmanager
def running(command: list[str], **env: str) -> Iterator[str]:
    """Start an HTTP server `command` (given --port here), wait until /ready answers 200,
    yield its base URL, and stop it afterwards."""
    with tempfile.TemporaryFile() as log, logging_to(log, command, env) as base:
        yield base


@contextmanager
def logging_to(log: IO[bytes], command: list[str], env: dict[str, str]) -> Iterator[str]:
    """`running`, with the server's output written to `log`, for the caller to read."""
    port = free_port()
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_ready(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    log.seek(0)
    raise RuntimeError(f"the server did not start:\n{log.read().decode()}")
