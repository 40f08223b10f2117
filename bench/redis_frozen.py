"""Benchmark: what a frozen Redis (SIGSTOP) costs writes and views, against a running one.

    python bench/redis_frozen.py [--requests 20] [--database-url postgresql+psycopg://...]

Starts a redis-server and a `cms serve` of its own with CMS_REDIS_URL, then times edits
(PATCH) and views one after another, with Redis running and then frozen, and prints the
median and worst of each. A request that waited on Redis would take its 0.5 s timeout.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.seed import editor_token, seed, throwaway_database
from bench.servers import redis_server, running_server


def main() -> int:
    args = parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.database_url, Path(folder)) as url,
    ):
        seed(url, 1)  # post 1, "post-1"
        editor = {"Authorization": f"Bearer {editor_token(url)}"}
        with redis_server() as redis, running_server(url, CMS_REDIS_URL=redis.url) as base:
            print(f"{'Redis':<8} {'request':<8} {'median ms':>10} {'worst ms':>9}")
            measure(base, editor, "running", args.requests)
            redis.freeze()
            measure(base, editor, "frozen", args.requests)
    return 0


def measure(base: str, editor: dict[str, str], state: str, times: int) -> None:
    admin = f"{base}/api/v1/admin/posts/1"
    with httpx.Client() as client:

        def edit(number: int) -> httpx.Response:
            etag = client.get(admin, headers=editor).headers["etag"]
            headers = {**editor, "If-Match": etag}
            return client.patch(admin, json={"title": f"T{number}"}, headers=headers)

        def view(number: int) -> httpx.Response:
            views = f"{base}/api/v1/posts/post-1/views"
            return client.post(views, headers={"User-Agent": f"{state} reader {number}"})

        for name, call in (("PATCH", edit), ("view", view)):
            timings = timed(call, times)
            median, worst = statistics.median(timings), max(timings)
            print(f"{state:<8} {name:<8} {median:>10.1f} {worst:>9.1f}")


def timed(call: Callable[[int], httpx.Response], times: int) -> list[float]:
    took = []
    for number in range(times):
        started = time.perf_counter()
        response = call(number)
        took.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return took


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="of each kind (default 20)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a database on")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
