"""No view is lost: two server processes on one database, many threads, real commits; and
most viewed is the order of what they counted."""

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
from cms.pageviews.models import PostViewDay
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
    # same visitor whichever process answers. No response cache: a GET reads the database.
    env = {"CMS_SECRET_KEY": "shared", "CMS_RESPONSE_CACHE": "false"}
    with running_server(url, **env) as first, running_server(url, **env) as second:
        yield engine, [first, second]
    engine.dispose()


def fire(requests: list[tuple[str, str, str]], threads: int) -> list[int]:
    """Send (server, slug, visitor) views from `threads` threads released at once."""
    return [status for status, _slug, _count in answers(requests, threads)]


def answers(requests: list[tuple[str, str, str]], threads: int) -> list[tuple[int, str, int]]:
    """`fire`, answering (status, slug, view count answered) for each view."""
    start, answered = threading.Barrier(threads), []

    def worker(share: list[tuple[str, str, str]]) -> None:
        with httpx.Client(timeout=30) as client:
            start.wait()
            for server, slug, visitor in share:
                url = f"{server}/api/v1/posts/{slug}/views"
                answer = client.post(url, json={"visitor_id": visitor})
                count = answer.json()["data"]["view_count"] if answer.is_success else -1
                answered.append((answer.status_code, slug, count))

    workers = [
        threading.Thread(target=worker, args=(requests[n::threads],)) for n in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return answered


def stored(engine: Engine) -> tuple[dict[str, int], int, int]:
    """(views per post, views in all the day rows, how many day rows hold them)."""
    with Session(engine) as session:
        per_post = dict(session.exec(select(Post.slug, Post.view_count)).all())
        days = session.exec(select(func.sum(PostViewDay.views))).one()
        rows = session.exec(select(func.count()).select_from(PostViewDay)).one()
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
    assert rows > len(SLUGS)  # a day's count spread over shards, not one row per post


def test_one_visitor_at_once_on_both_servers_counts_once(two_servers) -> None:  # type: ignore[no-untyped-def]
    engine, servers = two_servers

    statuses = fire([(servers[n % 2], "hot-1", "the-same-one") for n in range(16)], 16)

    assert statuses == [200] * 16
    assert stored(engine)[0]["hot-1"] == 1


# Views each post gets: hot-3 and hot-4 tie, and most viewed breaks the tie by id.
WANTED = {"hot-1": 24, "hot-2": 60, "hot-3": 40, "hot-4": 40}


def test_most_viewed_is_the_order_of_concurrent_views_counted(two_servers) -> None:  # type: ignore[no-untyped-def]
    engine, servers = two_servers
    # Interleaved, so both processes' batches hold several posts each, gathered in every
    # order: the batches must take the posts' rows in one order, or they would deadlock.
    views = [slug for slug, many in WANTED.items() for _ in range(many)]
    views = views[::2] + views[1::2][::-1]
    requests = [(servers[n % 2], slug, f"visitor-{n}") for n, slug in enumerate(views)]

    answered = answers(requests, THREADS)

    assert {status for status, _, _ in answered} == {200}  # a deadlock would be a 500
    totals, days, _ = stored(engine)
    assert totals == WANTED and days == sum(WANTED.values())
    # The last view of each post to be answered was told the whole count, and none more.
    for slug, many in WANTED.items():
        told = [count for _, viewed, count in answered if viewed == slug]
        assert max(told) == many and len(told) == many
    ids = {post["slug"]: post["id"] for post in most_viewed(servers[0], "id")}
    order = sorted(WANTED, key=lambda slug: (WANTED[slug], ids[slug]))
    for server, sort in ((servers[0], "-view_count"), (servers[1], "view_count")):
        listed = [(post["slug"], post["view_count"]) for post in most_viewed(server, sort)]
        expected = order[::-1] if sort.startswith("-") else order
        assert listed == [(slug, WANTED[slug]) for slug in expected]


def most_viewed(server: str, sort: str) -> list[dict[str, object]]:
    answer = httpx.get(f"{server}/api/v1/posts", params={"sort": sort})
    assert answer.status_code == 200
    return list(answer.json()["data"])
