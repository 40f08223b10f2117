"""Hot reads walk an index, never sort or probe every post: SQLite's plans, checked under the
statistics ANALYZE leaves on a 100,000-post site (at test sizes any plan is fast, so only the
plan shows what a big site would pay)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, event
from sqlmodel import Session

from cms.posts.reading import SORT_FIELDS as SORTABLE
from tests.factories import make_post

# sqlite_stat1 as ANALYZE left it on such a site, before indexes newer than it.
STATISTICS_OF_A_BIG_SITE = [
    ("posts", "ix_posts_status_published_at", "100000 100000 1 1"),
    ("posts", "sqlite_autoindex_posts_1", "100000 1"),
]


@pytest.fixture
def connection(session: Session, engine: Engine) -> Connection:
    if engine.dialect.name != "sqlite":
        pytest.skip("a plan of SQLite's (PostgreSQL plans by its own statistics)")
    make_post(session, title="Knee pain", featured=True)
    connection = session.connection()
    connection.exec_driver_sql("ANALYZE")
    connection.exec_driver_sql("DELETE FROM sqlite_stat1")
    for row in STATISTICS_OF_A_BIG_SITE:
        connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", row)
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # load them
    return connection


@pytest.fixture
def sent(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """The statements that read posts, with their parameters, as the app sends them."""
    statements: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "FROM posts" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    yield statements
    event.remove(engine, "before_cursor_execute", keep)


def plan_of(connection: Connection, statement: str, parameters: object) -> list[str]:
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
    return [row[3] for row in rows]


@pytest.mark.parametrize("query", ["", "featured=true", "sort=-featured,-published_at"]
    + [f"sort={sign}{name}" for name in sorted(SORTABLE) for sign in ("", "-")])  # fmt: skip
def test_a_sorted_page_is_read_off_an_index(client, connection, sent, query: str) -> None:
    response = client.get(f"/api/v1/posts?{query}")

    assert response.status_code == 200 and response.json()["data"]
    pages = [(s, p) for s, p in sent if "LIMIT" in s]
    assert len(pages) == 1
    plan = plan_of(connection, *pages[0])
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_a_search_starts_from_its_matches(client, connection, sent) -> None:
    # Under these statistics SQLite once planned the count the other way round: every live
    # post probing the full-text index for its own id, 0.9-3.8 s instead of milliseconds.
    first = client.get("/api/v1/posts?q=knee")
    past_the_end = client.get("/api/v1/posts?q=knee&page=2")  # counted apart

    assert [post["title"] for post in first.json()["data"]] == ["Knee pain"]
    assert past_the_end.json()["meta"]["pagination"]["total"] == 1
    searches = [(s, p) for s, p in sent if "posts_fts" in s]
    assert len(searches) == 3  # the first page (which counts too), the empty one, its count
    for statement, parameters in searches:
        plan = plan_of(connection, statement, parameters)
        reads = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
        reads = [step for step in reads if "subquery" not in step]  # a window's wrapping
        assert reads[0].startswith("SCAN posts_fts"), plan


def test_related_posts_read_each_window_off_its_index(client, connection, session, sent) -> None:
    for title in ("Knee exercises", "Knee taping"):
        make_post(session, title=title, tags=["Knee"])

    response = client.get("/api/v1/posts/knee-exercises")

    assert response.json()["data"]["related"][0]["title"] == "Knee taping"
    ((statement, parameters),) = [(s, p) for s, p in sent if "post_tags_windows" in s]
    plan = plan_of(connection, statement, parameters)
    tables = ("posts", "post_tags", "post_authors", "tags")
    assert not any(step.split()[:2] in (["SCAN", t] for t in tables) for step in plan), plan
