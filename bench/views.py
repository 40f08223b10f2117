"""Benchmark: concurrent view counting against running servers, then an exact-count check.

    python bench/views.py                      # two servers on a new SQLite database
    python bench/views.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/views.py --url http://127.0.0.1:8000   # a server you started yourself

First the speed: views from distinct visitors for --seconds, driven by wrk when it is
installed (Debian: apt install wrk), else by a Python async client; it prints requests per
second and latency percentiles. Then the check: a fixed number of views from distinct
visitors, each answered before the count is read again; the script fails unless every one
of them was counted, exactly.
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import running_server

SECRET = uuid.uuid4().hex  # one for all the servers started here, as in any deployment


def main() -> int:
    args = parse_args()
    with ExitStack() as stack:
        servers = [args.url] if args.url else start_servers(stack, args)
        paths = [f"/api/v1/posts/{slug}/views" for slug in discover_posts(servers[0], args.posts)]
        use_wrk = shutil.which("wrk") is not None and not args.python_client
        speed = (
            wrk(servers, paths, args) if use_wrk else asyncio.run(python_load(servers, paths, args))
        )
        report(speed, args, len(servers))
        # The exact check: a fixed number of views, every one answered before counting.
        before = total_views(servers[0])
        check = asyncio.run(python_load(servers, paths, args, requests=args.check_requests))
        counted = total_views(servers[0]) - before
    exact = counted == check.requests and not check.errors
    print(
        f"count check: {'OK' if exact else 'FAILED'}: {check.requests} views sent by distinct "
        f"visitors, {check.errors} errors, {counted} counted"
    )
    return 0 if exact else 1


@dataclass
class Result:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (default: start --servers of our own)")
    parser.add_argument("--database-url", help="for servers started here (default: new SQLite)")
    parser.add_argument("--servers", type=int, default=2, help="processes to start (default 2)")
    parser.add_argument("--seconds", type=int, default=8, help="length of the load (default 8)")
    parser.add_argument("--concurrency", type=int, default=32, help="connections (default 32)")
    parser.add_argument("--posts", type=int, default=4, help="posts to spread views over (4)")
    parser.add_argument("--check-requests", type=int, default=2000, help="views to count (2000)")
    parser.add_argument("--python-client", action="store_true", help="don't use wrk")
    return parser.parse_args()


def start_servers(stack: ExitStack, args: argparse.Namespace) -> list[str]:
    url = args.database_url
    if url is None:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        url = f"sqlite:///{folder}/bench.db"
    subprocess.run(
        [sys.executable, "-m", "cms", "demo"],
        env={**os.environ, "CMS_DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    env = {"CMS_SECRET_KEY": SECRET}
    return [stack.enter_context(running_server(url, **env)) for _ in range(args.servers)]


def discover_posts(server: str, how_many: int) -> list[str]:
    posts = httpx.get(f"{server}/api/v1/posts", params={"limit": how_many, "fields": "slug"})
    posts.raise_for_status()
    return [post["slug"] for post in posts.json()["data"]]


def total_views(server: str) -> int:
    # no-cache: every cache on the way must ask the database.
    posts = httpx.get(
        f"{server}/api/v1/posts",
        params={"limit": 100, "fields": "view_count"},
        headers={"Cache-Control": "no-cache"},
    )
    posts.raise_for_status()
    return sum(post["view_count"] for post in posts.json()["data"])


# Each request a new visitor: a counter, this wrk's name, and the connection's address.
WRK_SCRIPT = """
local paths, prefix, counter = {}, "", 0
init = function(args)
  prefix = args[1]
  for i = 2, #args do paths[#paths + 1] = args[i] end
end
request = function()
  counter = counter + 1
  local body = '{"visitor_id": "' .. prefix .. '-' .. counter .. '-' .. math.random(1e9) .. '"}'
  return wrk.format("POST", paths[counter % #paths + 1],
                    {["Content-Type"] = "application/json"}, body)
end
"""


def wrk(servers: list[str], paths: list[str], args: argparse.Namespace) -> Result:
    """One wrk per server, all at once; their figures summed (rates) or averaged (latency)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        runs = [
            subprocess.Popen(
                ["wrk", "-t1", f"-c{max(1, args.concurrency // len(servers))}",
                 f"-d{args.seconds}s", "--latency", "-s", script.name, server,
                 "--", f"w{n}", *paths],
                stdout=subprocess.PIPE,
                text=True,
            )
            for n, server in enumerate(servers)
        ]  # fmt: skip
        outputs = [run.communicate()[0] for run in runs]
    parsed = [parse_wrk(output) for output in outputs]
    return Result(
        tool="wrk",
        requests=sum(p.requests for p in parsed),
        seconds=max(p.seconds for p in parsed),
        p50_ms=statistics.mean(p.p50_ms for p in parsed),
        p99_ms=max(p.p99_ms for p in parsed),
        errors=sum(p.errors for p in parsed),
    )


def parse_wrk(output: str) -> Result:
    def number(pattern: str, default: str = "0") -> str:
        found = re.search(pattern, output)
        return found.group(1) if found else default

    def millis(percent: str) -> float:
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Result(
        tool="wrk",
        requests=int(number(r"(\d+) requests in")),
        seconds=float(number(r"requests in ([\d.]+)s")),
        p50_ms=millis("50"),
        p99_ms=millis("99"),
        errors=errors,
    )


async def python_load(
    servers: list[str], paths: list[str], args: argparse.Namespace, requests: int | None = None
) -> Result:
    """`requests` views (or as many as fit in --seconds), `--concurrency` in flight."""
    deadline = time.perf_counter() + args.seconds
    sent = 0
    latencies: list[float] = []
    errors = 0

    def more() -> bool:
        return sent < requests if requests is not None else time.perf_counter() < deadline

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent, errors
        while more():
            sent += 1
            url = f"{servers[sent % len(servers)]}{paths[sent % len(paths)]}"
            started = time.perf_counter()
            response = await client.post(url, json={"visitor_id": uuid.uuid4().hex})
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return Result(
        "python client", len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors
    )


def report(result: Result, args: argparse.Namespace, servers: int) -> None:
    print(
        f"POST /views with {result.tool}: {args.concurrency} connections, {servers} server "
        f"process(es), {result.seconds:.0f} s"
    )
    print(
        f"  {result.requests / result.seconds:8.0f} req/s   p50 {result.p50_ms:6.1f} ms   "
        f"p99 {result.p99_ms:6.1f} ms   errors {result.errors}"
    )


if __name__ == "__main__":
    sys.exit(main())
