"""Full-text search over title, excerpt and text: FTS5 on SQLite, tsvector on PostgreSQL.

Readers type words, not query syntax: their text is cut into words, and a post matches when
it has every one of them (stemmed: "running" finds "run"). Quotes, operators and punctuation
are only separators, so no input can be a syntax error. Best matches first: a word in the
title weighs most, then the excerpt, then the text.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlmodel import Session, col

from cms.posts.models import Post

MAX_WORDS = 32
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Search:
    """A search: what it does to a query of posts, and an order (best first) for it."""

    apply: Callable[[Select[Any]], Select[Any]]
    best_first: ColumnElement[Any] | None  # None: no search, no order of its own


EVERYTHING = Search(lambda statement: statement, None)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)[:MAX_WORDS]


def full_text(session: Session, text: str | None) -> Search:
    """The search for `text`; EVERYTHING when there is none (no `q`, or an empty one)."""
    if not text:
        return EVERYTHING
    words = words_of(text)
    if not words:  # only punctuation: nothing can match
        return Search(lambda statement: statement.where(false()), literal(0.0))
    if session.get_bind().dialect.name == "postgresql":
        return _postgres(words)
    return _sqlite(words)


def _postgres(words: list[str]) -> Search:
    vector: ColumnElement[Any] = literal_column("posts.search_vector")
    query = func.plainto_tsquery(literal_column("'english'"), " ".join(words))
    # ts_rank with the weights A (title), B (excerpt), C (text) set by migration 0007.
    return Search(
        lambda statement: statement.where(vector.op("@@")(query)), -func.ts_rank(vector, query)
    )


def _sqlite(words: list[str]) -> Search:
    # Each word a quoted FTS5 string: whatever it holds is a phrase, never an operator.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    fts = table("posts_fts", column("rowid"))
    # One pass over the index gives the matches and their rank (bm25: smaller is better;
    # the weights are for title, excerpt and text), joined to the posts.
    ranked = (
        select(
            fts.c.rowid.label("post_id"),
            func.bm25(literal_column("posts_fts"), 10.0, 4.0, 1.0).label("rank"),
        )
        .where(literal_column("posts_fts").op("MATCH")(match))
        .subquery("matches")
    )
    return Search(
        lambda statement: statement.join(ranked, ranked.c.post_id == col(Post.id)),
        ranked.c.rank,
    )
