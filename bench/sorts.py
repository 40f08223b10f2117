"""Most viewed is a real sort: the first list page by -view_count against -published_at.

    python bench/sorts.py                       # 100,000 posts on SQLite
    python bench/sorts.py --posts 100000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds N posts into a new database (bench/seed.py, timed; a new PostgreSQL database is
dropped afterwards), starts `cms serve` with its response cache off
(CMS_RESPONSE_CACHE=false), so that every answer is a miss, and GETs /api/v1/posts sorted
each way, one request at a time: what a miss costs, not what a queue adds. The sorts take
turns, so that the machine's drift touches each alike. Then the list's page query alone,
run straight on the database the same way, and its plan (EXPLAIN) for each sort. The target
(issue 13): -view_count within 1.5x of -published_at. Figures are for this machine and this
run: compare the ratios, not the numbers.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.seed import seed_saying, throwaway_database
from bench.servers import running_server
from cms.api.listing import parse_sort
from cms.db import make_engine
from cms.posts import queries, reading
from cms.posts.schemas import LIST_DEFAULT_FIELDS

SORTS = ["-published_at", "-view_count", "-comment_count"]  # the first is the yardstick
TARGET = 1.5
WARM = 5  # requests per sort before timing: the server builds each query's shape once


def main() -> int:
    args = parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.database_url, Path(folder)) as url,
    ):
        print(f"{seed_saying(url, args.posts)}; {args.requests} requests a sort, one at a time")
        with (
            running_server(url, CMS_RESPONSE_CACHE="false") as base,
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            answers = time_sorts(lambda sort: _get(client, sort), args.requests)
        queried, plans = on_the_database(url, args.requests)
    print_table(answers, queried)
    for sort, plan in plans.items():
        print(f"\nplan of the page query, sort={sort}:\n  " + "\n  ".join(plan))
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts to seed (100000)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a database on")
    parser.add_argument("--requests", type=int, default=200, help="a sort (default 200)")
    return parser.parse_args()


def _get(client: httpx.Client, sort: str) -> None:
    client.get("/api/v1/posts", params={"sort": sort}).raise_for_status()


def time_sorts(call: Callable[[str], object], requests: int) -> dict[str, list[float]]:
    """Milliseconds each `call` of each sort took, the sorts taking turns."""
    for sort in SORTS:
        for _ in range(WARM):
            call(sort)
    times: dict[str, list[float]] = {sort: [] for sort in SORTS}
    for _ in range(requests):
        for sort in SORTS:
            started = time.perf_counter()
            call(sort)
            times[sort].append((time.perf_counter() - started) * 1000)
    return times


def on_the_database(url: str, requests: int) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """The page query of each sort, timed straight on the database, and its plan."""
    engine = make_engine(url)
    params = {"now": datetime.now(UTC), "offset": 0, "limit": 10}
    try:
        with engine.connect() as connection:
            times = time_sorts(lambda s: connection.execute(page(s), params).all(), requests)
        with engine.connect() as connection:
            plans = {sort: explain(connection, page(sort), params) for sort in SORTS}
    finally:
        engine.dispose()
    return times, plans


def page(sort: str) -> Any:
    """The statement the list runs for its first page sorted by `sort` (cms.posts.reading)."""
    keys = tuple(parse_sort(sort, reading.SORT_FIELDS))
    texts = frozenset(queries.TEXTS) & LIST_DEFAULT_FIELDS
    return queries.page_of_posts(queries.PageShape(sort=keys, texts=texts))


def explain(connection: Connection, statement: Any, params: dict[str, Any]) -> list[str]:
    """`statement`'s plan with `params`: the SQL and parameters SQLAlchemy sends the driver
    for it, run again with EXPLAIN in front."""
    sent: list[tuple[str, Any]] = []

    def record(*event_args: Any) -> None:
        sent.append((event_args[2], event_args[3]))  # the statement and its parameters

    event.listen(connection, "before_cursor_execute", record)
    try:
        connection.execute(statement, params).all()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    (sql, parameters), postgres = sent[-1], connection.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
    rows = connection.exec_driver_sql(prefix + sql, parameters).all()
    return [str(row[0] if postgres else row[-1]) for row in rows]


def print_table(answers: dict[str, list[float]], queried: dict[str, list[float]]) -> None:
    def cuts(times: list[float]) -> tuple[float, float]:
        percentiles = statistics.quantiles(times, n=100)
        return percentiles[49], percentiles[98]

    print(f"\n{'sort':<15} {'GET p50':>8} {'GET p99':>8} {'x p50':>6} {'x p99':>6} "
          f"{'query p50':>9} {'query p99':>9} {'x p50':>6}")  # fmt: skip
    yardstick, query_yardstick = cuts(answers[SORTS[0]]), cuts(queried[SORTS[0]])
    for sort in SORTS:
        (p50, p99), (q50, q99) = cuts(answers[sort]), cuts(queried[sort])
        print(f"{sort:<15} {p50:>8.2f} {p99:>8.2f} {p50 / yardstick[0]:>5.2f}x "
              f"{p99 / yardstick[1]:>5.2f}x {q50:>9.3f} {q99:>9.3f} "
              f"{q50 / query_yardstick[0]:>5.2f}x")  # fmt: skip
    print(f"ms; x: of {SORTS[0]}'s. GET: a whole answer, every one a cache miss; query: the")
    print(f"page query alone, on the database. Target: -view_count within {TARGET}x.")


if __name__ == "__main__":
    sys.exit(main())
