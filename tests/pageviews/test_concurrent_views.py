"""No view is lost: two server processes on one database, many threads, real commits."""

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bench.servers import running_server
from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.pageviews.models import PostViewDay, PostViewTotal
from cms.posts.models import Post
from tests.factories import make_post

THREADS, REQUESTS = 8, 25
SLUGS = ["hot-1", "hot-2", "hot-3", "hot-4"]


@pytest.fixture
def two_servers(new_database) -> Iterator[tuple[Engine, list[str]]]:  # type: ignore[no-untyped-def]
    url = new_database()
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        for slug in SLUGS:
            make_post(session, title=slug.replace("-", " "))
        session.commit()
    # One secret for both, as in any deployment of several processes: a visitor is the
    # same visitor whichever process answers.
    with (
        running_server(url, CMS_SECRET_KEY="shared") as first,
        running_server(url, CMS_SECRET_KEY="shared") as second,
    ):
        yield engine, [first, second]
    engine.dispose()


def fire(requests: list[tuple[str, str, str]], threads: int) -> list[int]:
    """Send (server, slug, visitor) views from `threads` threads released at once."""
    start, statuses = threading.Barrier(threads), []

    def worker(share: list[tuple[str, str, str]]) -> None:
        with httpx.Client(timeout=30) as client:
            start.wait()
            for server, slug, visitor in share:
                url = f"{server}/api/v1/posts/{slug}/views"
                statuses.append(client.post(url, json={"visitor_id": visitor}).status_code)

    workers = [
        threading.Thread(target=worker, args=(requests[n::threads],)) for n in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return statuses


def stored(engine: Engine) -> tuple[dict[str, int], int, int]:
    """(views per post, views in all the day rows, how many total rows hold them)."""
    with Session(engine) as session:
        per_post = dict(session.exec(select(Post.slug, Post.view_count)).all())
        days = session.exec(select(func.sum(PostViewDay.views))).one()
        rows = session.exec(select(func.count()).select_from(PostViewTotal)).one()
    return per_post, int(days or 0), int(rows)


def test_concurrent_views_on_two_servers_add_up_exactly(two_servers) -> None:  # type: ignore[no-untyped-def]
    engine, servers = two_servers
    requests = [
        (servers[n % 2], SLUGS[n % len(SLUGS)], f"visitor-{n}") for n in range(THREADS * REQUESTS)
    ]

    statuses = fire(requests, THREADS)

    assert statuses == [200] * THREADS * REQUESTS
    per_post, days, rows = stored(engine)
    assert per_post == Counter(slug for _, slug, _ in requests)
    assert sum(per_post.values()) == days == THREADS * REQUESTS
    assert rows > len(SLUGS)  # spread over shards, not one row per post


def test_one_visitor_at_once_on_both_servers_counts_once(two_servers) -> None:  # type: ignore[no-untyped-def]
    engine, servers = two_servers

    statuses = fire([(servers[n % 2], "hot-1", "the-same-one") for n in range(16)], 16)

    assert statuses == [200] * 16
    assert stored(engine)[0]["hot-1"] == 1
