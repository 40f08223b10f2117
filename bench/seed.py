"""A big blog, fast: N published posts with authors, tags, comments and views, written with
bulk inserts (not through the services: 100,000 posts would take too long that way)."""

import itertools
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlalchemy.engine import make_url
from sqlmodel import Session

from cms.auth.models import TokenKind
from cms.auth.passwords import hash_password
from cms.auth.service import issue_token
from cms.authors.models import Author
from cms.comments.models import Comment
from cms.db import make_engine
from cms.linked.models import PostAuthor, PostTag
from cms.migrations import upgrade_database
from cms.pageviews.models import PostViewDay
from cms.posts.models import Post
from cms.posts.rendering import render
from cms.tags.models import Tag
from cms.timestamps import utcnow
from cms.users.models import Role, User

# The words of the blog, most used first: a few dozen real ones, then made-up ones, used
# with Zipf's law (the n-th most used word about 1/n as often as the first), as in real text.
# Searches in the benchmark look for words of middling use (SEARCH_WORDS), as readers do.
COMMON = [
    "shoulder", "knee", "running", "posture", "needling", "massage", "recovery", "strength",
    "sleep", "stretching", "headache", "jaw", "ankle", "hip", "tendon", "muscle", "fascia",
    "breathing", "desk", "cycling", "swimming", "walking", "marathon", "injury", "pain",
    "mobility", "balance", "core", "spine", "neck", "elbow", "wrist", "hamstring", "calf",
]  # fmt: skip
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
WORDS = COMMON + [a + b + end for a in SYLLABLES[:12] for b in SYLLABLES for end in ("", "n")]
SEARCH_WORDS = WORDS[200:400]
BODY_WORDS = 300
START = datetime(2015, 1, 1, 8, tzinfo=UTC)
CHUNK = 5_000


@contextmanager
def throwaway_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A new database: a SQLite file in `folder`, or a new database on a PostgreSQL server."""
    name = f"cms_bench_{uuid.uuid4().hex[:10]}"
    if not server_url or server_url.startswith("sqlite"):
        yield f"sqlite:///{folder / name}.db"
        return
    server = make_url(server_url)
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def seed_saying(database_url: str, posts: int) -> str:
    """Seed, and say what: "N posts on SQLite, seeded in S s" (to go on with the rest)."""
    started = time.perf_counter()
    seed(database_url, posts)
    engine = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    return f"{posts:,} posts on {engine}, seeded in {time.perf_counter() - started:.0f} s"


def seed(database_url: str, posts: int) -> None:
    engine = make_engine(database_url)
    upgrade_database(engine)
    rng = random.Random(posts)
    authors, tags = max(10, posts // 200), max(20, posts // 50)
    with engine.begin() as connection:
        connection.execute(insert(Author), [_author(n) for n in range(1, authors + 1)])
        connection.execute(insert(Tag), [_tag(n) for n in range(1, tags + 1)])
    for first in range(1, posts + 1, CHUNK):
        numbers = range(first, min(first + CHUNK, posts + 1))
        _insert_posts(engine, numbers, rng, authors=authors, tags=tags)
    # Statistics for the planner, as autovacuum would gather them on a site that grew slowly:
    # without them PostgreSQL plans the first queries after a bulk load 10-50 times slower.
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def _insert_posts(
    engine: Engine, numbers: range, rng: random.Random, *, authors: int, tags: int
) -> None:
    rows, bylines, tagged, comments, days = [], [], [], [], []
    word_weights = list(itertools.accumulate(1 / rank for rank in range(1, len(WORDS) + 1)))
    # Tags by Zipf's law too: a few on many posts, most on few (what related posts weigh).
    tag_weights = list(itertools.accumulate(1 / rank for rank in range(1, tags + 1)))
    for n in numbers:
        title = rng.choices(WORDS, cum_weights=word_weights, k=4)
        body = f"# {title[0].title()}\n\n" + " ".join(
            rng.choices(WORDS, cum_weights=word_weights, k=BODY_WORDS)
        )
        rendered = render(body, "markdown")
        published = START + timedelta(minutes=30 * n)
        approved = n % 5 == 0
        views = rng.randrange(1000)
        rows.append(
            {
                "id": n, "slug": f"post-{n}", "title": f"Post {n}: {' and '.join(title)}",
                "body": body, "body_format": "markdown", "html": rendered.html,
                "plaintext": rendered.plaintext, "excerpt": rendered.excerpt,
                "reading_time": rendered.reading_time, "featured": n % 20 == 0,
                "status": "published", "published_at": published, "created_at": published,
                "updated_at": published, "comment_count": int(approved), "view_count": views,
                "comments_enabled": True, "version": 1,
            }
        )  # fmt: skip
        bylines.append({"post_id": n, "author_id": rng.randrange(1, authors + 1), "position": 0})
        chosen = dict.fromkeys(rng.choices(range(1, tags + 1), cum_weights=tag_weights, k=3))
        tagged += [{"post_id": n, "tag_id": t, "position": i} for i, t in enumerate(chosen)]
        if approved:
            comments.append(_comment(n, published))
        days.append({"post_id": n, "day": published.date(), "shard": 0, "views": views})
    with engine.begin() as connection:
        for model, batch in (
            (Post, rows), (PostAuthor, bylines), (PostTag, tagged), (Comment, comments),
            (PostViewDay, days),
        ):  # fmt: skip
            if batch:
                connection.execute(insert(model), batch)


def _author(n: int) -> dict[str, object]:
    now = START
    return {"id": n, "slug": f"author-{n}", "name": f"Author {n}", "bio": "Writes.",
            "created_at": now, "updated_at": now}  # fmt: skip


def _tag(n: int) -> dict[str, object]:
    word = WORDS[n % len(COMMON)]
    return {"id": n, "slug": f"{word}-{n}", "name": f"{word.title()} {n}", "description": "",
            "created_at": START, "updated_at": START}  # fmt: skip


def _comment(post_id: int, published: datetime) -> dict[str, object]:
    return {
        "post_id": post_id, "parent_id": None, "depth": 0, "author_name": "Reader",
        "author_email": "reader@example.com", "avatar_hash": "0" * 64, "body": "Thanks!",
        "html": "<p>Thanks!</p>", "status": "approved", "sender_hash": "0" * 64,
        "created_at": published + timedelta(hours=1), "updated_at": published + timedelta(hours=1),
    }  # fmt: skip


def editor_token(url: str) -> str:
    """A new editor's API token on the database at `url`."""
    engine = make_engine(url)
    with Session(engine) as session:
        password = hash_password(uuid.uuid4().hex)
        user = User(
            email="bench@example.com", name="Bench", role=Role.EDITOR, password_hash=password
        )
        session.add(user)
        session.flush()
        issued = issue_token(session, user=user, name="bench", kind=TokenKind.API, now=utcnow())
        session.commit()
    engine.dispose()
    return issued.secret
