"""Benchmark: concurrent view counting against running servers, then an exact-count check.

    python bench/views.py                      # two servers on a new SQLite database
    python bench/views.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/views.py --url http://127.0.0.1:8000   # a server you started yourself

First the speed: views from distinct visitors for --seconds, driven by wrk when it is
installed (Debian: apt install wrk), else by a Python async client, at every server at once;
it prints requests per second and latency percentiles. Then the check: a fixed number of
views from distinct visitors, each answered before the count is read again; the script
fails unless every one of them was counted, exactly.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load import Result, load, python_load
from bench.seed import throwaway_database
from bench.servers import running_server

SECRET = uuid.uuid4().hex  # one for all the servers started here, as in any deployment


def main() -> int:
    args = parse_args()
    with ExitStack() as stack:
        servers = [args.url] if args.url else start_servers(stack, args)
        slugs = discover_posts(servers[0], args.posts)
        paths = [f"/api/v1/posts/{slug}/views" for slug in slugs]
        speed = at_every_server(servers, paths, args)
        report(speed, args, len(servers))
        # The exact check: a fixed number of views, every one answered before counting.
        before = total_views(servers[0], slugs)
        check = asyncio.run(
            python_load(
                servers[0], paths, post_views=True, connections=args.concurrency,
                requests=args.check_requests,
            )
        )  # fmt: skip
        counted = total_views(servers[0], slugs) - before
    exact = counted == check.requests and not check.errors
    print(
        f"count check: {'OK' if exact else 'FAILED'}: {check.requests} views sent by distinct "
        f"visitors, {check.errors} errors, {counted} counted"
    )
    return 0 if exact else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", help="a running server (default: start --servers of our own)")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to make a throw-away database on"
    )
    parser.add_argument("--servers", type=int, default=2, help="processes to start (default 2)")
    parser.add_argument("--seconds", type=int, default=8, help="length of the load (default 8)")
    parser.add_argument("--concurrency", type=int, default=32, help="connections (default 32)")
    parser.add_argument("--posts", type=int, default=4, help="posts to spread views over (4)")
    parser.add_argument("--check-requests", type=int, default=2000, help="views to count (2000)")
    parser.add_argument("--python-client", action="store_true", help="don't use wrk")
    return parser.parse_args()


def start_servers(stack: ExitStack, args: argparse.Namespace) -> list[str]:
    folder = stack.enter_context(tempfile.TemporaryDirectory())
    url = stack.enter_context(throwaway_database(args.database_url, Path(folder)))
    subprocess.run(
        [sys.executable, "-m", "cms", "demo"],
        env={**os.environ, "CMS_DATABASE_URL": url, "CMS_MEDIA_DIR": f"{folder}/media"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    env = {"CMS_SECRET_KEY": SECRET}
    return [stack.enter_context(running_server(url, **env)) for _ in range(args.servers)]


def discover_posts(server: str, how_many: int) -> list[str]:
    posts = httpx.get(f"{server}/api/v1/posts", params={"limit": how_many, "fields": "slug"})
    posts.raise_for_status()
    return [post["slug"] for post in posts.json()["data"]]


def total_views(server: str, slugs: list[str]) -> int:
    # no-cache: the server's own cache answers from the database.
    fresh = {"Cache-Control": "no-cache"}
    posts = [httpx.get(f"{server}/api/v1/posts/{slug}", headers=fresh) for slug in slugs]
    return sum(post.json()["data"]["view_count"] for post in posts)


def at_every_server(servers: list[str], paths: list[str], args: argparse.Namespace) -> Result:
    """The same load at every server at once; rates added, latencies of the slowest."""
    connections = max(1, args.concurrency // len(servers))
    with ThreadPoolExecutor(len(servers)) as pool:
        results = list(
            pool.map(
                lambda server: load(
                    server, paths, post_views=True, connections=connections,
                    seconds=args.seconds, python_client=args.python_client,
                ),
                servers,
            )
        )  # fmt: skip
    return Result(
        tool=results[0].tool,
        requests=sum(r.requests for r in results),
        seconds=max(r.seconds for r in results),
        p50_ms=max(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
    )


def report(result: Result, args: argparse.Namespace, servers: int) -> None:
    print(
        f"POST /views with {result.tool}: {args.concurrency} connections, {servers} server "
        f"process(es), {result.seconds:.0f} s"
    )
    print(
        f"  {result.rate:8.0f} req/s   p50 {result.p50_ms:6.1f} ms   "
        f"p99 {result.p99_ms:6.1f} ms   errors {result.errors}"
    )


if __name__ == "__main__":
    sys.exit(main())
