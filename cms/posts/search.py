"""Full-text search over title, excerpt and text: FTS5 on SQLite, tsvector on PostgreSQL.

Readers type words, not query syntax: their text is cut into words, and a post matches when
it has every one of them (stemmed: "running" finds "run"). Quotes, operators and punctuation
are only separators, so no input can be a syntax error. Best matches first: a word in the
title weighs most, then the excerpt, then the text.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlmodel import col

from cms.posts.models import Post

MAX_WORDS = 32
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Search:
    """A search: what it does to a query of posts, an order (best first) for it, and the
    values its statements bind. The statements depend only on the engine, never on the
    words (those are bound), so they can be built once and kept (cms.posts.queries)."""

    kind: str  # everything, nothing, or the engine's name
    apply: Callable[[Select[Any]], Select[Any]]
    best_first: ColumnElement[Any] | None  # None: no search, no order of its own
    params: dict[str, str] = field(default_factory=dict)


EVERYTHING = Search("everything", lambda statement: statement, None)
NOTHING = Search("nothing", lambda statement: statement.where(false()), literal(0.0))
_MATCH = bindparam("match", type_=String())


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)[:MAX_WORDS]


def full_text(dialect: str, text: str | None) -> Search:
    """The search for `text` on `dialect`; EVERYTHING when there is none (no `q`, or an
    empty one), NOTHING when it has no words (only punctuation)."""
    if not text:
        return EVERYTHING
    words = words_of(text)
    if not words:
        return NOTHING
    if dialect == "postgresql":
        return replace(_POSTGRES, params={"match": " ".join(words)})
    # Each word a quoted FTS5 string: whatever it holds is a phrase, never an operator.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    return replace(_SQLITE, params={"match": match})


def _postgres() -> Search:
    vector: ColumnElement[Any] = literal_column("posts.search_vector")
    query = func.plainto_tsquery(literal_column("'english'"), _MATCH)
    # ts_rank with the weights A (title), B (excerpt), C (text) set by migration 0007.
    return Search(
        "postgresql",
        lambda statement: statement.where(vector.op("@@")(query)),
        -func.ts_rank(vector, query),
    )


def _sqlite() -> Search:
    # One pass over the index gives the matches and their rank (bm25: smaller is better;
    # the weights are for title, excerpt and text), joined to the posts. The unary + keeps
    # SQLite from planning the other way round, every live post probing the index for its
    # own id: it chose that for counts once statistics changed, 0.9-3.8 s at 100,000 posts
    # instead of 0.04-34 ms (tests/posts/test_query_plans.py checks the plan).
    ranked = (
        select(
            literal_column("+posts_fts.rowid").label("post_id"),
            func.bm25(literal_column("posts_fts"), 10.0, 4.0, 1.0).label("rank"),
        )
        .select_from(table("posts_fts"))
        .where(literal_column("posts_fts").op("MATCH")(_MATCH))
        .subquery("matches")
    )
    return Search(
        "sqlite",
        lambda statement: statement.join(ranked, ranked.c.post_id == col(Post.id)),
        ranked.c.rank,
    )


_POSTGRES, _SQLITE = _postgres(), _sqlite()
_KINDS = {search.kind: search for search in (EVERYTHING, NOTHING, _POSTGRES, _SQLITE)}


def of_kind(kind: str) -> Search:
    """The search whose statements any search of `kind` shares (its words are bound)."""
    return _KINDS[kind]
