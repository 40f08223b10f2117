"""Real `cms serve` processes on 127.0.0.1: for the benchmarks, and for the tests of what
only separate processes can show."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    database_url: str, *options: str, workers: int | str = 1, **env: str
) -> Iterator[str]:
    """Start `cms serve` on `database_url` (with `workers` processes, more `options`, and
    CMS_* settings in `env`); yield its base URL once every worker is ready, and stop it
    afterwards."""
    command = serve_command("--workers", str(workers), *options)
    with (
        tempfile.TemporaryFile() as log,
        logging_to(
            log, command, {"CMS_DATABASE_URL": database_url, **env}, workers=int(workers)
        ) as base,
    ):
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
def bare_starlette(size: int, *, workers: int = 1) -> Iterator[str]:
    """The yardstick (bench/baseline.py): a bare Starlette app answering prebuilt bytes,
    `size` of them, in `workers` processes; yield its base URL once every one is ready."""
    command = [sys.executable, "-m", "uvicorn", "bench.baseline:app", "--no-access-log"]
    env = {"BENCH_BASELINE_BYTES": str(size), "PYTHONPATH": str(ROOT)}
    with (
        tempfile.TemporaryFile() as log,
        logging_to(log, [*command, "--workers", str(workers)], env, workers=workers) as base,
    ):
        yield base


@contextmanager
def logging_to(
    log: IO[bytes], command: list[str], env: dict[str, str], *, workers: int = 1
) -> Iterator[str]:
    """`running`, with the server's output written to `log`, for the caller to read; with
    several `workers`, it waits until each has logged that it started."""
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
        if workers > 1:
            _wait_for_workers(workers, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


# Patience, not a promise: on a busy shared machine a server may take this long to start.
STARTUP_SECONDS = 120
STARTED = b"Application startup complete."  # what each uvicorn worker logs once it serves


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    log.seek(0)
    raise RuntimeError(f"the server did not start:\n{log.read().decode()}")


def _wait_for_workers(workers: int, server: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        log.seek(0)
        if log.read().count(STARTED) >= workers:
            return
        time.sleep(0.1)
    log.seek(0)
    raise RuntimeError(f"not every worker started:\n{log.read().decode()}")


class RedisServer:
    """A redis-server process of our own, on a free port of 127.0.0.1, which a test or a
    benchmark may freeze (SIGSTOP) and thaw."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.port = process, port
        self.url = f"redis://127.0.0.1:{port}/0"

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Start redis-server on 127.0.0.1 (nothing kept on disk); stop it afterwards."""
    port = free_port()
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    process = subprocess.Popen([*command, "--appendonly", "no"], stdout=subprocess.DEVNULL)
    server = RedisServer(process, port)
    try:
        client = redis.Redis.from_url(server.url, socket_timeout=1)
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        yield server
    finally:
        server.thaw()  # a stopped process does not act on SIGTERM until it runs again
        process.terminate()
        process.wait(timeout=10)


def server_memory_mb(base: str, field: str = "VmRSS") -> float:
    """The serving process's resident memory (VmRSS) or its peak so far (VmHWM), found by
    its port (Linux /proc)."""
    pid = _server_pid(base)
    return _memory_mb(pid, field) if pid else 0.0


def children_memory_mb(base: str, field: str = "VmHWM") -> float:
    """The largest of the serving process's children (its image worker, say), the same way."""
    pid = _server_pid(base)
    sizes = [_memory_mb(child, field) for child in _children(pid)] if pid else []
    return max(sizes, default=0.0)


def _server_pid(base: str) -> str | None:
    port = base.rsplit(":", 1)[1]
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and port.encode() in command:
            return status.parent.name
    return None


def _children(pid: str) -> list[str]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == pid:  # the field after the state: the parent's pid
            found.append(stat.parent.name)
    return found


def _memory_mb(pid: str, field: str) -> float:
    try:
        lines = (Path("/proc") / pid / "status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0
