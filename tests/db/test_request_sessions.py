"""The per-request session (cms/db.py) under parallel requests: a signed-in request may write
even on GET (a token's last use, the trash's purge), so on SQLite it takes the write lock at
BEGIN, and the others wait for it rather than fail with 'database is locked'."""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cms.app import create_app
from cms.config import Settings
from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.factories import bearer, make_user


@pytest.fixture
def live_app(new_database) -> Iterator[tuple[TestClient, object]]:  # type: ignore[no-untyped-def]
    """The app with its own session handling on a database of its own: real commits."""
    engine = make_engine(new_database())
    upgrade_database(engine)
    with TestClient(create_app(Settings(database_url="sqlite://"), engine=engine)) as client:
        yield client, engine
    engine.dispose()


def in_parallel(count: int, call) -> list[int]:  # type: ignore[no-untyped-def]
    start, statuses = threading.Barrier(count), []

    def run() -> None:
        start.wait()
        statuses.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_parallel_signed_in_reads_all_answer(live_app) -> None:  # type: ignore[no-untyped-def]
    client, engine = live_app
    with Session(engine) as session:
        headers = bearer(session, make_user(session, role=Role.EDITOR))
        session.commit()

    statuses = in_parallel(
        8, lambda: client.get("/api/v1/admin/trash", headers=headers).status_code
    )

    assert statuses == [200] * 8
