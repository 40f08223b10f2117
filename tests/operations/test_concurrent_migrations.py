"""Any number of processes may migrate one fresh database at once (replicas starting
together): each waits for the one migrating, then finds nothing left to do."""

import os
import subprocess
import sys

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from cms.db import make_engine
from cms.migrations import alembic_config

PROCESSES = 4


def _upgrade_at_once(url: str) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "CMS_DATABASE_URL": url}
    command = [sys.executable, "-m", "cms", "db", "upgrade"]
    started = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(PROCESSES)
    ]
    return [
        subprocess.CompletedProcess(p.args, p.wait(timeout=120), p.communicate()[0])
        for p in started
    ]


@pytest.mark.parametrize("attempt", range(3))
def test_processes_upgrading_a_fresh_database_together_all_succeed(new_database, attempt) -> None:
    url = new_database()

    finished = _upgrade_at_once(url)

    assert [done.returncode for done in finished] == [0] * PROCESSES, [
        done.stdout for done in finished
    ]
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head
    finally:
        engine.dispose()
