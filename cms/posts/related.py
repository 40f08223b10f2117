"""Related posts (API.md): shared tags first, rarer tags weighing more; then the same author;
newest first among equals; topped up with the newest posts. One statement for any number of
posts (of its own shape for one post, the single post's page: the common case).

Candidates come from windows: the WINDOW newest live posts of each of the post's tags and of
each of its authors (the first rows of migration 0010's indexes), and the newest posts of
all. A candidate scores 1 / (live posts with the tag) for each tag whose window it is in,
and counts as by the same author when it is in an author's window; candidates rank by
(score, same author, published_at, id). Where no tag or author has more than WINDOW posts,
this ranks every post exactly so; on a bigger site it ranks among each tag's recent posts,
at a cost that does not grow with the site (ranking every post sharing a popular tag took
seconds at 100,000 posts).
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Numeric,
    Row,
    Select,
    bindparam,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from cms.db import UTCDateTime
from cms.linked.models import PostAuthor, PostTag
from cms.posts import queries
from cms.posts.models import Post
from cms.posts.visibility import NOW, is_live
from cms.tags.service import TAGS

WINDOW = 50  # newest posts taken from each of a post's tags and authors
_BEGINNING = literal(datetime(1, 1, 1, tzinfo=UTC), UTCDateTime())


def related_posts(
    session: Session, *, post_ids: list[int], limit: int, now: datetime
) -> dict[int, list[Row[Any]]]:
    """For each post, up to `limit` other live posts, best first. Deterministic."""
    if not post_ids or limit < 1:
        return {}
    params = {"post_ids": post_ids, "limit": limit, "newest": limit + 1, "window": WINDOW}
    result: dict[int, list[Row[Any]]] = {}
    # The single post's page and /related ask for one post: the common case, made cheaper.
    statement = _FOR_ONE_POST if len(post_ids) == 1 else _FOR_MANY_POSTS
    for row in session.connection().execute(statement, params | {"now": now}):
        result.setdefault(row.source, []).append(row)
    return result


def _window_start(link: Any, key: str, record: Any) -> Any:
    """When the window of `record` (a tag or an author) starts: the publication time of its
    (WINDOW + 1)-th newest live post (the post itself is one of them), or NULL when it has
    no more than that: then its window is all its posts."""
    other = aliased(link)
    return (
        select(col(other.published_at))
        .join(Post, col(Post.id) == other.post_id)
        .where(getattr(other, key) == record, other.published_at <= NOW, is_live(NOW))
        .order_by(col(other.published_at).desc(), col(other.post_id).desc())
        .offset(bindparam("window", type_=Integer()))
        .limit(1)
        .scalar_subquery()
    )


def _in_windows(
    link: Any, key: str, sources: Any, values: Callable[[Any], list[Any]]
) -> Select[Any]:
    """(source, candidate, *values) for every post in the window of a source's record;
    `values` are made from the source's link row."""
    record = getattr(link, key)
    source = aliased(link)
    since = _window_start(link, key, col(getattr(source, key)))
    windows = (
        select(
            col(source.post_id).label("source"), col(getattr(source, key)).label("record"),
            since.label("since"), *values(source),
        )
        .where(col(source.post_id).in_(sources))
        # Materialized: each window's start is found once, not once per candidate row.
        .cte(f"{link.__tablename__}_windows")
        .prefix_with("MATERIALIZED")
    )  # fmt: skip
    published = col(link.published_at)
    return (
        select(windows.c.source, col(link.post_id).label("candidate"), *list(windows.c)[3:])
        .join(link, record == windows.c.record)
        # A range of the index on both ends (an OR here would read all the tag's posts).
        .where(published <= NOW, published >= func.coalesce(windows.c.since, _BEGINNING))
    )


def _tag_weight(source: Any) -> list[Any]:
    """1 / (live posts with the source's tag), and not an author's window."""
    scheduled, live_uses = TAGS.live_counts(NOW)
    weight = (
        select(literal(1.0, Float()) / live_uses)
        .select_from(TAGS.model)
        .outerjoin(scheduled, scheduled.c.record_id == TAGS.id)
        .where(TAGS.id == col(source.tag_id))
        .scalar_subquery()
    )
    return [weight.label("weight"), literal(0).label("same_author")]


def _author_mark(_source: Any) -> list[Any]:
    return [literal(0.0, Float()).label("weight"), literal(1).label("same_author")]


def _scored() -> Any:
    """(source, candidate, score, same_author) for every candidate of every source."""
    sources: Any = bindparam("post_ids", expanding=True)
    by_tag = _in_windows(PostTag, "tag_id", sources, _tag_weight)
    by_author = _in_windows(PostAuthor, "author_id", sources, _author_mark)
    newest = (
        select(col(Post.id).label("candidate"))
        .where(is_live(NOW))
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(bindparam("newest", type_=Integer()))
        .subquery()
    )
    everyone = (
        select(
            col(Post.id).label("source"), newest.c.candidate,
            literal(0.0, Float()).label("weight"), literal(0).label("same_author"),
        )
        .join(newest, true())
        .where(col(Post.id).in_(sources))
    )  # fmt: skip
    hits = union_all(by_tag, by_author, everyone).subquery("hits")
    # Rounded, so that float sums in a different order cannot reorder ties.
    return (
        select(
            hits.c.source,
            hits.c.candidate,
            func.round(cast(func.sum(hits.c.weight), Numeric), 9).label("score"),
            func.max(hits.c.same_author).label("same_author"),
        )
        .where(hits.c.candidate != hits.c.source)
        .group_by(hits.c.source, hits.c.candidate)
        .subquery("scored")
    )


def _best_first(scored: Any) -> tuple[Any, ...]:
    """The ranking of API.md, over `scored` joined with the candidate's posts row."""
    return (
        scored.c.score.desc(),
        scored.c.same_author.desc(),
        col(Post.published_at).desc(),
        col(Post.id).desc(),
    )


def _for_one_post() -> Any:
    """One post's best `limit` candidates: a plain ORDER BY ... LIMIT (numbering every
    candidate cost a third of the statement on SQLite), over their ids and what ranks them,
    and then the cards of those few only (a SQLite posts row is read past its texts)."""
    scored = _scored()
    best = (
        select(scored.c.source, scored.c.candidate, scored.c.score, scored.c.same_author)
        .join(Post, col(Post.id) == scored.c.candidate)
        .where(is_live(NOW))
        .order_by(*_best_first(scored))
        .limit(bindparam("limit", type_=Integer()))
        .subquery("best")
    )
    return (
        select(best.c.source, *queries.CARD)
        .join(Post, col(Post.id) == best.c.candidate)
        .order_by(*_best_first(best))
    )


def _for_many_posts() -> Any:
    """The best `limit` candidates of each post, numbered within each post."""
    scored = _scored()
    position = func.row_number().over(partition_by=scored.c.source, order_by=_best_first(scored))
    ranked = (
        select(scored.c.source, scored.c.candidate, position.label("position"))
        .join(Post, col(Post.id) == scored.c.candidate)
        .where(is_live(NOW))
        .subquery("ranked")
    )
    return (
        select(ranked.c.source, *queries.CARD)
        .join(Post, col(Post.id) == ranked.c.candidate)
        .where(ranked.c.position <= bindparam("limit", type_=Integer()))
        .order_by(ranked.c.source, ranked.c.position)
    )


_FOR_ONE_POST = _for_one_post()
_FOR_MANY_POSTS = _for_many_posts()
