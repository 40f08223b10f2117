"""Benchmark: what a flood of sign-ins does to readers.

    python bench/sign_ins.py                   # 1,000 posts on SQLite
    python bench/sign_ins.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds a blog, starts `cms serve` (one process) and measures readers (a Python async client,
--readers at a time, fetching single posts) for --seconds: first alone, then while
--sign-ins clients keep signing in with random e-mails and wrong passwords (argon2 at
64 MiB each). It prints the readers' median and worst latency and what the sign-ins were
answered. It runs the flood twice: with the default settings, where every sign-in comes from
this one address (password spraying), and with the per-address limit lifted, as if each
came from an address of its own (a botnet), which only the bound on hashing holds back.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.seed import seed, throwaway_database
from bench.servers import running_server


@dataclass
class Readers:
    requests: int
    median_ms: float
    worst_ms: float
    errors: int


def main() -> int:
    args = parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.database_url, Path(folder)) as url,
    ):
        seed(url, args.posts)
        engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"{args.posts:,} posts on {engine}; {args.readers} readers, "
              f"{args.sign_ins} sign-ins at once, {args.seconds} s a run")  # fmt: skip
        for name, env in (
            ("one address", {}),
            ("many addresses", {"CMS_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000000"}),
        ):
            with running_server(url, CMS_RESPONSE_CACHE="false", **env) as base:
                asyncio.run(scenario(base, name, args))
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000, help="posts to seed (1000)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a database on")
    parser.add_argument("--seconds", type=float, default=10, help="per run (default 10)")
    parser.add_argument("--readers", type=int, default=4, help="default 4")
    parser.add_argument("--sign-ins", type=int, default=40, help="default 40")
    return parser.parse_args()


async def scenario(base: str, name: str, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        page = await client.get("/api/v1/posts", params={"limit": 50, "fields": "slug"})
        paths = [f"/api/v1/posts/{post['slug']}" for post in page.json()["data"]]
        alone = await read_for(client, paths, args.readers, args.seconds)
        stop = asyncio.Event()
        answers: Counter[int] = Counter()
        flood = [asyncio.create_task(sign_in_until(client, stop, answers))
                 for _ in range(args.sign_ins)]  # fmt: skip
        await asyncio.sleep(0.5)  # for the flood to be under way
        loaded = await read_for(client, paths, args.readers, args.seconds)
        stop.set()
        await asyncio.gather(*flood)
    print(f"\n{name}:")
    print(f"  readers alone:        {line(alone)}")
    print(f"  during the sign-ins:  {line(loaded)}")
    print(f"  sign-ins answered:    {', '.join(f'{n}x{s}' for s, n in sorted(answers.items()))}")


async def read_for(
    client: httpx.AsyncClient, paths: list[str], readers: int, seconds: float
) -> Readers:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0

    async def reader(offset: int) -> None:
        nonlocal errors
        n = offset
        while time.perf_counter() < deadline:
            n += 1
            started = time.perf_counter()
            response = await client.get(paths[n % len(paths)])
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    await asyncio.gather(*(reader(i * 7) for i in range(readers)))
    return Readers(
        len(latencies), statistics.median(latencies) * 1000, max(latencies) * 1000, errors
    )


async def sign_in_until(
    client: httpx.AsyncClient, stop: asyncio.Event, answers: Counter[int]
) -> None:
    while not stop.is_set():
        attempt = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": "guess"}
        response = await client.post("/api/v1/admin/session", json=attempt)
        answers[response.status_code] += 1
        if response.status_code in (429, 503):  # an attacker ignores Retry-After; a pause
            await asyncio.sleep(0.05)  # keeps this client from spinning on cheap refusals


def line(result: Readers) -> str:
    return (f"{result.requests:>6} reads, median {result.median_ms:7.1f} ms, "
            f"worst {result.worst_ms:8.1f} ms, {result.errors} errors")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
