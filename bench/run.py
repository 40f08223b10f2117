"""The load benchmark: a seeded blog, the server under wrk, and a bare Starlette yardstick.

    python bench/run.py                       # 10,000 posts on SQLite
    python bench/run.py --posts 100000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/run.py --posts 1000 --only page-load --seconds 3   # page loads alone, quickly

Seeds N posts (authors, tags, comments, views) into a new database (a SQLite file, or a new
database on the PostgreSQL server given, dropped afterwards), starts `cms serve` (one process)
and drives it from another process: wrk if installed, else a Python async client. For each
scenario it prints req/s, p50 and p99, first with the server's cache warm, then with every
answer a cache miss (CMS_RESPONSE_CACHE=false), and the share of what a bare Starlette app
serving prebuilt bytes of the same size manages under the same load, run just before each
scenario. Then the page-load scenario (bench/page_load.py): readers who each GET a post and
POST a view of it, with one and with two server processes (--workers), next to reads alone
and the yardstick of the same run, and a check that every answered view was stored and is
shown; the script exits 1 if one was not. Figures are for this machine and this run:
compare the ratios, not the numbers.
"""

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import page_load
from bench.load import Result, have_wrk, load, warm
from bench.seed import SEARCH_WORDS, seed_saying, throwaway_database
from bench.servers import bare_starlette, running_server, server_memory_mb

SAMPLE = 100  # distinct posts, tags and searches each scenario cycles through


# mode, scenario, its figures under load, the yardstick's req/s, the figures of one client
Row = tuple[str, str, Result, float, Result]


def main() -> int:
    args = parse_args()
    tool = "wrk" if have_wrk() and not args.python_client else "a Python async client"
    rows: list[Row] = []
    rss: dict[str, float] = {}
    loads: list[page_load.Row] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.database_url, Path(folder)) as url,
    ):
        print(f"{seed_saying(url, args.posts)}; load by {tool}, "
              f"{args.connections} connections, {args.seconds} s a scenario")  # fmt: skip
        size = _single_post_size(url)
        if args.only != "page-load":
            # The yardstick runs just before each scenario, and the share is of that run: this
            # machine's speed drifts by a third within a minute, which would swamp the ratios.
            with bare_starlette(size) as yardstick:
                warm(yardstick, ["/"])
                rows, rss = scenarios(url, yardstick, args)
        if args.only != "others":
            loads = page_load.measure(url, size, args)
    if rows:
        print_table(rows, rss)
    if loads:
        page_load.print_table(loads, args.connections)
    return 0 if all(row.counted for row in loads) else 1


def scenarios(
    url: str, yardstick: str, args: argparse.Namespace
) -> tuple[list[Row], dict[str, float]]:
    """Each scenario with the cache warm, then with every answer a miss."""
    rows: list[Row] = []
    rss: dict[str, float] = {}
    for mode, cache in (("warm cache", "true"), ("cache miss", "false")):
        with running_server(url, CMS_RESPONSE_CACHE=cache) as base:
            for name, paths, post in scenario_paths(base):
                print(f"  {mode}: {name}", file=sys.stderr, flush=True)
                if not post:
                    warm(base, paths)
                baseline = run(yardstick, ["/"], False, args)
                loaded = run(base, paths, post, args)
                rows.append((mode, name, loaded, baseline.rate, alone(base, paths, post)))
            rss[mode] = server_memory_mb(base)
    return rows, rss


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts to seed (10000)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a database on")
    parser.add_argument("--seconds", type=int, default=5, help="per scenario (default 5)")
    parser.add_argument("--connections", type=int, default=32, help="default 32")
    parser.add_argument("--python-client", action="store_true", help="don't use wrk")
    parser.add_argument(
        "--only", choices=["page-load", "others"], help="the page-load scenario, or all but it"
    )
    parser.add_argument(
        "--workers", type=_counts, default=[1, 2],
        help="server processes for the page-load scenario, e.g. 1,2 (the default)",
    )  # fmt: skip
    return parser.parse_args()


def _counts(text: str) -> list[int]:
    return [int(number) for number in text.split(",")]


def scenario_paths(base: str) -> list[tuple[str, list[str], bool]]:
    posts = httpx.get(f"{base}/api/v1/posts", params={"limit": SAMPLE, "fields": "slug"})
    slugs = [post["slug"] for post in posts.json()["data"]]
    tags = httpx.get(f"{base}/api/v1/tags", params={"limit": 20, "sort": "-post_count"})
    tag_slugs = [tag["slug"] for tag in tags.json()["data"]]
    return [
        ("list page", ["/api/v1/posts"], False),
        ("single post + related", [f"/api/v1/posts/{slug}" for slug in slugs], False),
        ("tag filter", [f"/api/v1/posts?tag={slug}" for slug in tag_slugs], False),
        ("search", [f"/api/v1/posts?q={a}+{b}" for a, b in _pairs(SEARCH_WORDS)], False),
        # Last: every view changes what readers see, so it empties the cache.
        ("view counting", [f"/api/v1/posts/{slug}/views" for slug in slugs[:20]], True),
    ]  # fmt: skip


def _pairs(words: list[str]) -> list[tuple[str, str]]:
    # Two words of middling use each, as a reader types them: some posts have both.
    return list(itertools.islice(zip(words, words[::-1], strict=True), SAMPLE))


def run(base: str, paths: list[str], post: bool, args: argparse.Namespace) -> Result:
    return load(
        base, paths, post_views=post, connections=args.connections, seconds=args.seconds,
        python_client=args.python_client,
    )  # fmt: skip


def alone(base: str, paths: list[str], post: bool) -> Result:
    """One client, one request at a time: what an answer costs without waiting in a queue
    (p99 under 32 connections is mostly the queue, which grows with any cost)."""
    time.sleep(1)  # for the server to finish what the loaded run left queued
    return load(base, paths, post_views=post, connections=1, seconds=2)


def _single_post_size(url: str) -> int:
    """The size of a single post's answer, for the baseline's body, before any server runs."""
    with running_server(url) as base:
        slug = httpx.get(f"{base}/api/v1/posts", params={"limit": 1, "fields": "slug"})
        return len(httpx.get(f"{base}/api/v1/posts/{slug.json()['data'][0]['slug']}").content)


def print_table(rows: list[Row], rss: dict[str, float]) -> None:
    print(f"\n{'mode':<11} {'scenario':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'baseline':>8} {'share':>6} "
          f"{'alone p50':>9} {'alone p99':>9}")  # fmt: skip
    for mode, name, result, baseline, single in rows:
        share = f"{100 * result.rate / baseline:.0f}%" if baseline else "-"
        print(f"{mode:<11} {name:<22} {result.rate:>8.0f} {result.p50_ms:>8.1f} "
              f"{result.p99_ms:>8.1f} {result.errors:>6} {baseline:>8.0f} {share:>6} "
              f"{single.p50_ms:>9.2f} {single.p99_ms:>9.2f}")  # fmt: skip
    print("\nbaseline: req/s of a bare Starlette app serving prebuilt bytes as big as a post's")
    print("answer, under the same load, run just before each scenario; share: ours of it.")
    print("alone: latency with one client sending one request at a time, for 2 s.")
    for mode, megabytes in rss.items():
        print(f"server memory (RSS) after the {mode} run: {megabytes:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
