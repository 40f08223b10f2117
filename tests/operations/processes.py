"""Real PostgreSQL and Redis servers of a test's own, on free ports of 127.0.0.1, that the
test may stop, freeze and start again without touching anything shared."""

import errno
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

from bench.servers import free_port

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def have_postgresql() -> bool:
    return bool(PG_BIN) and Path(PG_BIN[-1], "initdb").exists()


class Cluster:
    """A PostgreSQL cluster in a temporary folder: `stop()` and `start()` it at will."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _pg(self, tool: str, *args: str) -> None:
        command = [str(Path(PG_BIN[-1], tool)), *args]
        if os.getuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -F"
        log = str(self.folder / "postgres.log")
        self._pg("pg_ctl", "start", "-w", "-D", str(self.data), "-l", log, "-o", options)

    def stop(self) -> None:
        self._pg("pg_ctl", "stop", "-w", "-D", str(self.data), "-m", "immediate")

    def create_database(self, name: str) -> str:
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres", autocommit=True
        ) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def postgresql_cluster() -> Iterator[Cluster]:
    """A fresh cluster of the test's own, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="cms-pg-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with suppress(subprocess.CalledProcessError):  # the test may have stopped it
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def can_mount() -> bool:
    return os.getuid() == 0 and shutil.which("mount") is not None


@contextmanager
def small_filesystem(megabytes: int) -> Iterator[Path]:
    """A tmpfs of `megabytes` of its own, which the test can fill: a real full disk."""
    folder = Path(tempfile.mkdtemp(prefix="cms-disk-"))
    size = f"size={megabytes}m"
    subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
        folder.rmdir()


def fill(folder: Path) -> Path:
    """Take every byte left in `folder`'s filesystem; remove the returned file to free them."""
    filler = folder / "filler"
    with filler.open("wb") as file:
        try:
            while True:
                file.write(b"\0" * 65536)
                file.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler
