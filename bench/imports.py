"""Benchmark: importing a generated WordPress export (issue 18's target).

    python bench/imports.py [--posts 1000 10000] [--comments-per-post 5] [--database-url ...]

For each size, writes a WXR 1.2 file of that many posts (each with its comments, a thread of
replies among them, two tags of twenty and one author of ten), imports it with
`cms import wordpress` into a new database in a process of its own, and prints the time and
that process's peak memory (ru_maxrss): memory should stay flat as the file grows. Then runs
the same import again (nothing to create: the cost of finding what is there).
Figures are for this machine and this run.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.seed import throwaway_database

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Generated</title><link>https://generated.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://generated.example</wp:base_blog_url>
"""
START = datetime(2015, 1, 1, tzinfo=UTC)


def write_export(path: Path, posts: int, comments: int) -> None:
    with path.open("w") as out:
        out.write(HEAD)
        for n in range(10):
            out.write(
                f"<wp:author><wp:author_login>writer{n}</wp:author_login>"
                f"<wp:author_display_name>Writer {n}</wp:author_display_name></wp:author>\n"
            )
        for n in range(20):
            out.write(
                f"<wp:tag><wp:tag_slug>topic-{n}</wp:tag_slug>"
                f"<wp:tag_name>Topic {n}</wp:tag_name></wp:tag>\n"
            )
        for n in range(1, posts + 1):
            out.write(_item(n, comments))
        out.write("</channel></rss>\n")


def _item(n: int, comments: int) -> str:
    when = (START + timedelta(hours=n)).strftime("%Y-%m-%d %H:%M:%S")
    body = escape(
        "\n\n".join(f"Paragraph {p} of post {n}, with some words in it." for p in range(8))
    )
    threads = "".join(
        f"<wp:comment><wp:comment_id>{n * 100 + c}</wp:comment_id>"
        f"<wp:comment_author>Reader {c}</wp:comment_author>"
        f"<wp:comment_author_email>r{c}@example.com</wp:comment_author_email>"
        f"<wp:comment_date_gmt>{when}</wp:comment_date_gmt>"
        f"<wp:comment_content>Comment {c} on post {n}.</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{n * 100 + c - 1 if c % 2 else 0}</wp:comment_parent></wp:comment>"
        for c in range(comments)
    )
    return (
        f"<item><title>Post {n}</title><dc:creator>writer{n % 10}</dc:creator>"
        f"<content:encoded>{body}</content:encoded><excerpt:encoded></excerpt:encoded>"
        f"<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>{when}</wp:post_date_gmt>"
        f"<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>"
        f'<category domain="post_tag" nicename="topic-{n % 20}">Topic {n % 20}</category>'
        f'<category domain="post_tag" nicename="topic-{(n * 7) % 20}">Topic</category>'
        f"{threads}</item>\n"
    )


def run_import(url: str, path: Path) -> tuple[float, float, str]:
    """(seconds, peak MB of the importing process, its summary's first line)."""
    env = {**os.environ, "CMS_DATABASE_URL": url}
    command = [sys.executable, "-m", "cms", "import", "wordpress", str(path)]
    with tempfile.TemporaryFile("w+") as output:
        began = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)  # this process's own peak, not others'
        took = time.perf_counter() - began
        output.seek(0)
        lines = output.read().splitlines()
    if status != 0:
        raise SystemExit("\n".join(lines))
    return took, usage.ru_maxrss / 1024, lines[1]


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    args.add_argument("--comments-per-post", type=int, default=5)
    args.add_argument("--database-url", default=None)
    options = args.parse_args()
    for posts in options.posts:
        with tempfile.TemporaryDirectory() as folder:
            export = Path(folder) / "export.xml"
            write_export(export, posts, options.comments_per_post)
            size = export.stat().st_size / 2**20
            with throwaway_database(options.database_url, Path(folder)) as url:
                took, peak, summary = run_import(url, export)
                print(
                    f"{posts:,} posts, {posts * options.comments_per_post:,} comments "
                    f"({size:.0f} MB): {took:.1f} s ({posts / took:.0f} posts/s), "
                    f"peak memory {peak:.0f} MB; {summary}"
                )
                again, peak, summary = run_import(url, export)
                print(f"  the same import again: {again:.1f} s; {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
