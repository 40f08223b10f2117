"""Benchmark: the Ghost-compatible Content API beside our own (issue 17's target).

    python bench/ghost.py [--posts 2000] [--seconds 5] [--database-url postgresql+psycopg://...]

Starts one `cms serve` on a seeded blog and a content API key, then prints, for a page of
15 posts with their authors and tags:
1. the SQL statements each costs on a cache miss (target: a constant number, the same for a
   page of 2 as of 15);
2. warm req/s (answers from the server's cache, wrk, 32 connections) of a Ghost browse
   `/ghost/api/content/posts/?include=authors,tags&limit=15`, of our own list page
   `/api/v1/posts?limit=15`, and of ours with each post's html as Ghost's default has it
   (target: within 10%), asked without compression and with gzip, as Ghost's client asks;
3. how long the parser takes to refuse the issue's hostile filters (1,000 levels of
   parentheses, 10 KB of text), in-process.
Figures are for this machine and this run: compare the ratios, not the numbers.
"""

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import event
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load import load, warm
from bench.seed import seed, throwaway_database
from bench.servers import running_server
from cms.db import make_engine
from cms.ghost import keys, nql
from cms.posts.schemas import LIST_DEFAULT_FIELDS
from cms.timestamps import utcnow


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--posts", type=int, default=2000)
    args.add_argument("--seconds", type=int, default=5)
    args.add_argument("--database-url", default=None)
    options = args.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(options.database_url, Path(folder)) as url,
    ):
        seed(url, options.posts)
        key = _key(url)
        ghost = f"/ghost/api/content/posts/?key={key}&include=authors,tags&limit=15"
        ours = "/api/v1/posts?limit=15"
        # Ghost's default carries each post's html, our list's does not: ours with it too.
        with_html = f"{ours}&fields={','.join(sorted(LIST_DEFAULT_FIELDS | {'html'}))}"
        statements(url, key)
        with running_server(url, CMS_WEBHOOKS_WORKER="false") as base:
            pages = (("our list page", ours), ("ours + html", with_html), ("Ghost browse", ghost))
            for encoding in ("identity", "gzip"):  # gzip: what Ghost's client asks for
                print(f"Accept-Encoding: {encoding}")
                rates = {
                    name: measure(base, name, path, encoding, options.seconds)
                    for name, path in pages
                }
                for other in ("our list page", "ours + html"):
                    ratio = rates["Ghost browse"] / rates[other]
                    print(f"  Ghost browse / {other}: {ratio:.2f} (target: at least 0.90)")
    hostile()
    return 0


def measure(base: str, name: str, path: str, encoding: str, seconds: int) -> float:
    """Warm req/s of `path` asked with `encoding`, printed with its size as sent."""
    warm(base, [path], encoding=encoding)
    sent = httpx.get(base + path, headers={"Accept-Encoding": encoding})
    size = int(sent.headers["content-length"])
    result = load(base, [path], seconds=seconds, headers={"Accept-Encoding": encoding})
    print(f"  {name:14} {result.rate:8.0f} req/s, p99 {result.p99_ms:.1f} ms, "
          f"{size / 1024:.0f} KB as sent, {result.errors} errors")  # fmt: skip
    return result.rate


def _key(url: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        key = keys.create_key(session, name="bench", actor=None, now=utcnow()).key
        session.commit()
    engine.dispose()
    return key


def statements(url: str, key: str) -> None:
    """SQL statements of a cache-missing browse of 2 and of 15 posts, counted in-process."""
    from fastapi.testclient import TestClient

    from cms.app import create_app
    from cms.config import Settings

    engine = make_engine(url)
    counted: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: counted.append(a[2]))
    settings = Settings(database_url=url, response_cache=False, webhooks_worker=False)
    with TestClient(create_app(settings, engine=engine)) as client:
        for limit in (2, 15):
            counted.clear()
            path = f"/ghost/api/content/posts/?key={key}&include=authors,tags&limit={limit}"
            response = client.get(path)
            response.raise_for_status()
            print(f"Ghost browse of {limit:2} posts with authors and tags: "
                  f"{len(counted)} SQL statements")  # fmt: skip
    engine.dispose()


def hostile() -> None:
    for name, text in (
        ("1,000 levels of parentheses", "(" * 1000 + "tag:a" + ")" * 1000),
        ("10 KB of text", "tag:" + "x" * 10_000),
        ("4,000 characters of escapes", "'" + "\\'" * 1999),
    ):
        began = time.perf_counter()
        for _ in range(100):
            with contextlib.suppress(nql.NqlError):
                nql.parse(text)
        took = (time.perf_counter() - began) / 100 * 1e6
        print(f"filter of {name}: refused or read in {took:.0f} µs ({quote(text[:12])}...)")


if __name__ == "__main__":
    sys.exit(main())
