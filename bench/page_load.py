"""The page-load scenario of bench/run.py: readers who are each counted.

A page load is what a blog's front end makes of one page view: GET the post, then POST a
view of it from a new visitor (a visitor id of its own, so that every view counts). For
each number of server processes (--workers, default 1 and 2) a new `cms serve`, default
settings, is measured in this order, each for --seconds, all by the same client
(bench/page_load_client.py: wrk with one connection per thread):

1. the bare Starlette yardstick (GETs), in as many processes;
2. warm single-post reads alone (GETs of the same posts the page loads read);
3. page loads on the same posts, from the same number of connections.

GET latency during the mix is measured by the client itself, apart from the POSTs': with
one connection per wrk thread its Lua script knows which answer is a GET's and times it,
and reads alone are timed the same way, so the two p99s compare like with like (wrk's own
percentiles would mix GETs and POSTs).

After the mix the views are checked: once CMS_VIEW_COUNT_MAX_AGE_SECONDS +
CMS_CACHE_CHECK_SECONDS have passed since the last view was answered, each post's
view_count, as a GET shows it and as posts.view_count holds it, must have grown by exactly
the views answered for it. The client stops only between page loads, so no view is in
flight when it stops: a count higher than the answers is a mismatch too.
"""

import argparse
import sys
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlmodel import col

from bench.load import warm
from bench.page_load_client import PageLoads, page_loads
from bench.servers import bare_starlette, running_server
from cms.config import Settings
from cms.db import make_engine
from cms.posts.models import Post

SAMPLE = 100  # posts the readers cycle through
IDENTITY = {"Accept-Encoding": "identity"}  # as wrk asks: the answers it gets


@dataclass
class Row:
    workers: int
    yardstick: PageLoads
    reads: PageLoads
    mix: PageLoads
    counted: bool  # every answered view stored and shown, no other
    check: str


@dataclass
class Counts:
    shown: dict[str, int]  # by slug: view_count in a GET of the post
    stored: dict[str, int]  # by slug: posts.view_count


def measure(url: str, size: int, args: argparse.Namespace) -> list[Row]:
    """A row for each number of processes in `args.workers`; `size`: the yardstick's
    answer's, a single post's."""
    return [at_processes(url, size, workers, args) for workers in args.workers]


def at_processes(url: str, size: int, workers: int, args: argparse.Namespace) -> Row:
    def client(base: str, paths: list[str], *, mix: bool, seconds: int = args.seconds) -> PageLoads:
        return page_loads(
            base, paths, mix=mix, connections=args.connections, seconds=seconds,
            python_client=args.python_client,
        )  # fmt: skip

    with (
        bare_starlette(size, workers=workers) as yardstick,
        running_server(url, workers=workers) as base,
    ):
        paths = post_paths(base)
        warm(base, paths)
        client(base, paths, mix=False, seconds=1)  # warms every process, not only one
        print(f"  page load, {workers} process(es): yardstick, reads, mix", file=sys.stderr)
        bare = client(yardstick, ["/"], mix=False)
        reads = client(base, paths, mix=False)
        slugs = [path.rsplit("/", 1)[1] for path in paths]
        before = read_counts(base, url, slugs)
        mix = client(base, paths, mix=True)
        counted, check = check_counts(base, url, before, mix)
    return Row(workers, bare, reads, mix, counted, check)


def post_paths(base: str) -> list[str]:
    posts = httpx.get(f"{base}/api/v1/posts", params={"limit": SAMPLE, "fields": "slug"})
    return [f"/api/v1/posts/{post['slug']}" for post in posts.json()["data"]]


def read_counts(base: str, url: str, slugs: list[str]) -> Counts:
    # A connection for each GET: with several processes, each answers some of them.
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, headers=IDENTITY, limits=fresh, timeout=60) as client:
        shown = {s: client.get(f"/api/v1/posts/{s}").json()["data"]["view_count"] for s in slugs}
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(col(Post.slug), col(Post.view_count)).where(col(Post.slug).in_(slugs))
            )
            stored = {slug: int(views) for slug, views in rows}
    finally:
        engine.dispose()
    return Counts(shown, stored)


def check_counts(base: str, url: str, before: Counts, mix: PageLoads) -> tuple[bool, str]:
    """Whether each post's count, shown and stored, grew by the views answered for it."""
    settings = Settings()  # the environment the server was started in
    allowed = settings.view_count_max_age_seconds + settings.cache_check_seconds
    last = mix.last_view_at or time.monotonic()
    time.sleep(max(0.0, last + allowed - time.monotonic()))
    waited = time.monotonic() - last
    after = read_counts(base, url, list(before.stored))
    answered = {slug: mix.views[f"/api/v1/posts/{slug}"] for slug in before.stored}
    stored = {slug: after.stored[slug] - before.stored[slug] for slug in answered}
    shown = {slug: after.shown[slug] - before.shown[slug] for slug in answered}
    wrong = [slug for slug, n in answered.items() if not n == stored[slug] == shown[slug]]
    line = (
        f"views answered {mix.answered_views}, stored {sum(stored.values())}, shown by GETs "
        f"{sum(shown.values())} from {waited:.1f} s after the last (allowed {allowed:g} s)"
    )
    if not wrong:
        return True, f"{line}: OK"
    detail = "; ".join(
        f"{slug}: answered {answered[slug]}, stored {stored[slug]}, shown {shown[slug]}"
        for slug in wrong[:5]
    )
    return False, f"{line}: MISMATCH on {len(wrong)} posts ({detail})"


def print_table(rows: list[Row], connections: int) -> None:
    tool = rows[0].mix.tool if rows else ""
    print(f"\npage loads: GET a post, then POST a view from a new visitor; {tool}, "
          f"{connections} readers, a connection each")  # fmt: skip
    print(f"{'processes':>9} {'loads/s':>8} {'mix req/s':>9} {'reads req/s':>11} "
          f"{'mix/reads':>9} {'GET p50/p99 mix':>16} {'reads':>12} {'p99 x':>6} "
          f"{'yardstick':>9} {'reads/yard':>10} {'failed':>6}")  # fmt: skip
    for row in rows:
        mix, reads, bare = row.mix, row.reads, row.yardstick
        print(f"{row.workers:>9} {mix.page_rate:>8.0f} {mix.rate:>9.0f} {reads.rate:>11.0f} "
              f"{_share(mix.rate, reads.rate):>9} {_p50_p99(mix):>16} {_p50_p99(reads):>12} "
              f"{_times(mix.get_p99_ms, reads.get_p99_ms):>6} {bare.rate:>9.0f} "
              f"{_share(reads.rate, bare.rate):>10} {mix.failed + reads.failed:>6}")  # fmt: skip
    print("targets: mix/reads >= 50%; GETs' p99 in the mix <= 2x reads alone (p99 x); warm")
    print("reads >= 60% of the bare Starlette yardstick (reads/yard). GET latencies in ms.")
    for row in rows:
        print(f"count check, {row.workers} process(es): {row.check}")
        for name, loads in (("yardstick", row.yardstick), ("reads", row.reads), ("mix", row.mix)):
            if loads.cut_short:
                print(f"  CUT SHORT: a reader of the {name} run did not finish by wrk's cap")


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _times(part: float, whole: float) -> str:
    return f"{part / whole:.1f}x" if whole else "-"


def _p50_p99(loads: PageLoads) -> str:
    return f"{loads.get_p50_ms:.1f}/{loads.get_p99_ms:.1f}"
