"""Benchmark: concurrent view counting against running servers, then an exact-count check.

    python bench/views.py                      # two servers on a new SQLite database
    python bench/views.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/views.py --url http://127.0.0.1:8000   # a server you started yourself

Every request is a distinct visitor (its own visitor_id), so every one must count: the
script reads each post's view_count before and after, and fails unless the difference is
exactly what was sent. It prints requests per second and latency percentiles.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import running_server

SECRET = uuid.uuid4().hex  # one for all the servers started here, as in any deployment


def main() -> int:
    args = parse_args()
    with ExitStack() as stack:
        servers = [args.url] if args.url else start_servers(stack, args)
        slugs = discover_posts(servers[0], args.posts)
        before = {slug: view_count(servers[0], slug) for slug in slugs}
        plan = [(servers[n % len(servers)], slugs[n % len(slugs)]) for n in range(args.requests)]
        elapsed, latencies, failures = asyncio.run(fire(plan, args.concurrency))
        after = {slug: view_count(servers[0], slug) for slug in slugs}

    sent = Counter(slug for _, slug in plan)
    counted = {slug: after[slug] - before[slug] for slug in slugs}
    report(args, len(servers), elapsed, latencies, failures)
    exact = counted == dict(sent) and not failures
    print(
        f"count check: {'OK' if exact else 'FAILED'}: sent {sum(sent.values())}, "
        f"counted {sum(counted.values())} ({', '.join(f'{s}: {counted[s]}' for s in slugs)})"
    )
    return 0 if exact else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (default: start --servers of our own)")
    parser.add_argument("--database-url", help="for the servers started here (default: new SQLite)")
    parser.add_argument("--servers", type=int, default=2, help="processes to start (default 2)")
    parser.add_argument("--requests", type=int, default=4000, help="views to send (default 4000)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (32)")
    parser.add_argument("--posts", type=int, default=4, help="posts to spread them over (4)")
    return parser.parse_args()


def start_servers(stack: ExitStack, args: argparse.Namespace) -> list[str]:
    url = args.database_url
    if url is None:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        url = f"sqlite:///{folder}/bench.db"
    env = {"CMS_SECRET_KEY": SECRET}
    seed(url)
    return [stack.enter_context(running_server(url, **env)) for _ in range(args.servers)]


def seed(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "cms", "demo"],
        env={**os.environ, "CMS_DATABASE_URL": database_url},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def discover_posts(server: str, how_many: int) -> list[str]:
    posts = httpx.get(f"{server}/api/v1/posts", params={"limit": how_many, "fields": "slug"})
    posts.raise_for_status()
    return [post["slug"] for post in posts.json()["data"]]


def view_count(server: str, slug: str) -> int:
    # Ask the database, not a cache: no-cache makes every cache on the way revalidate.
    post = httpx.get(f"{server}/api/v1/posts/{slug}", headers={"Cache-Control": "no-cache"})
    post.raise_for_status()
    return int(post.json()["data"]["view_count"])


async def fire(plan: list[tuple[str, str]], concurrency: int) -> tuple[float, list[float], int]:
    """Send every planned view with `concurrency` in flight; (seconds, latencies, failures)."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            server, slug = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(
                f"{server}/api/v1/posts/{slug}/views", json={"visitor_id": uuid.uuid4().hex}
            )
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 200

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def report(
    args: argparse.Namespace, servers: int, elapsed: float, latencies: list[float], failures: int
) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"POST /views: {len(latencies)} requests, {args.concurrency} in flight, "
        f"{servers} server process(es)"
    )
    print(
        f"  {len(latencies) / elapsed:8.0f} req/s   p50 {cuts[49] * 1000:6.1f} ms   "
        f"p99 {cuts[98] * 1000:6.1f} ms   failures {failures}"
    )


if __name__ == "__main__":
    sys.exit(main())
