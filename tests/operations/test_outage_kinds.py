"""Which errors are an outage (503) and which are the program's own (500): a mistake in SQL
must never pass for an unavailable database, nor a lost one for a bug."""

import errno

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from cms.db import make_engine
from cms.outages import Kind, kind_of


def _error_of(engine: Engine, statement: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
        connection.execute(text(statement))
    return raised.value


@pytest.mark.parametrize(
    "statement",
    ["SELECT * FROM no_such_table", "SELECT no_such_column FROM posts", "SELEC 1"],
)
def test_mistakes_in_sql_are_not_outages(engine: Engine, statement: str) -> None:
    assert kind_of(_error_of(engine, statement)) is None


def test_a_database_that_cannot_be_reached_is_an_outage(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        gone = make_engine("sqlite:////nonexistent-folder/cms.db")
    else:
        gone = make_engine(engine.url.set(port=1).render_as_string(hide_password=False))
    try:
        assert kind_of(_error_of(gone, "SELECT 1")) is Kind.UNREACHABLE
    finally:
        gone.dispose()


def test_no_space_left_is_an_outage_and_other_os_errors_are_not() -> None:
    assert kind_of(OSError(errno.ENOSPC, "No space left on device")) is Kind.STORAGE
    assert kind_of(OSError(errno.EACCES, "Permission denied")) is None
    assert kind_of(ValueError("a bug")) is None
