"""CPU per request inside the app, with no sockets: a cached read against a counted view.

    python bench/request_cost.py                  # the demo content in a new SQLite file
    python bench/request_cost.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Calls the ASGI app directly, --concurrency requests at a time, and prints the process's CPU
time per request for: a warm single-post read (a cache hit), a view from a new visitor,
and the same view with the counting left out (a counter that answers at once), which
splits a view's cost into the HTTP layers and the counting. Unlike wrk's figures these do
not move with the machine's load, and leave out what the server and the kernel add (about
50 us a request here).
"""

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed import throwaway_database
from cms.app import create_app
from cms.config import Settings
from cms.demo.loader import load_demo
from cms.migrations import upgrade_database
from cms.pageviews.service import View
from cms.posts.models import Post, PostStatus
from cms.timestamps import utcnow

Call = Callable[[], Awaitable[int]]


class AnswersAtOnce:
    """A view counter that counts nothing: what a view costs without its write."""

    async def count(self, view: View) -> int:
        return 1


def main() -> int:
    args = parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.database_url, Path(folder)) as url,
    ):
        app = create_app(Settings(database_url=url, media_dir=str(Path(folder) / "media")))
        upgrade_database(app.state.engine)
        with Session(app.state.engine) as session:
            load_demo(session, now=utcnow(), settings=app.state.settings)
            session.commit()
        slug = _first_slug(app)
        counted = app.state.view_counter
        for name, call in _calls(app, slug):
            if name == "view, counting left out":
                app.state.view_counter = AnswersAtOnce()
            cost = asyncio.run(_measure(call, args.requests, args.concurrency))
            print(f"{name:28} {cost:6.0f} us CPU per request")
            app.state.view_counter = counted
        app.state.engine.dispose()
    return 0


def _calls(app: Any, slug: str) -> list[tuple[str, Call]]:
    visitors = itertools.count()

    async def read() -> int:
        return await _call(app, "GET", f"/api/v1/posts/{slug}", b"")

    async def view() -> int:
        body = b'{"visitor_id": "reader-%d-%d"}' % (time.time_ns(), next(visitors))
        return await _call(app, "POST", f"/api/v1/posts/{slug}/views", body)

    return [("warm read (a hit)", read), ("view", view), ("view, counting left out", view)]


async def _measure(call: Call, requests: int, concurrency: int) -> float:
    for _ in range(concurrency):
        await call()  # warm: the cache, the statements, the pool
    started = time.process_time()
    for _ in range(requests // concurrency):
        statuses = await asyncio.gather(*(call() for _ in range(concurrency)))
        if set(statuses) != {200}:
            raise SystemExit(f"unexpected answers: {sorted(set(statuses))}")
    return 1e6 * (time.process_time() - started) / (requests // concurrency * concurrency)


async def _call(app: Any, method: str, path: str, body: bytes) -> int:
    headers = [(b"host", b"api.test"), (b"accept-encoding", b"gzip")]
    if body:
        headers.append((b"content-type", b"application/json"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    received = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await asyncio.Event().wait()  # the client never leaves
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _first_slug(app: Any) -> str:
    with Session(app.state.engine) as session:
        query = select(col(Post.slug)).where(col(Post.status) == PostStatus.PUBLISHED)
        return str(session.execute(query.limit(1)).scalar_one())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to make a database on")
    parser.add_argument("--requests", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=16, help="requests at a time")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
