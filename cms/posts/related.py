"""Related posts (API.md): shared tags first, rarer tags weighing more; then the same author;
newest first among equals; topped up with the newest posts. One query for any number of posts."""

from datetime import datetime

from sqlalchemy import Numeric, and_, cast, func, literal, select, true, union
from sqlmodel import Session, col

from cms.posts.models import Post, PostAuthor, PostTag
from cms.posts.visibility import is_live


def related_posts(
    session: Session, *, post_ids: list[int], limit: int, now: datetime
) -> dict[int, list[Post]]:
    """For each post, up to `limit` other live posts, best first. Deterministic."""
    if not post_ids or limit < 1:
        return {}
    live = is_live(now)
    post_id, tag_id, author_id = (
        col(PostTag.post_id),
        col(PostTag.tag_id),
        col(PostAuthor.author_id),
    )

    source_tags = select(post_id.label("src"), tag_id).where(post_id.in_(post_ids)).subquery()
    # A tag on few posts says more about a post than one on many: weight 1 / uses.
    weights = (
        select(tag_id, (literal(1.0) / func.count()).label("weight"))
        .join(Post, col(Post.id) == post_id)
        .where(live, tag_id.in_(select(source_tags.c.tag_id)))
        .group_by(tag_id)
        .subquery()
    )
    by_tags = (
        select(
            source_tags.c.src,
            post_id.label("cand"),
            # Rounded so that float sums in a different order cannot reorder ties.
            func.round(cast(func.sum(weights.c.weight), Numeric), 9).label("score"),
        )
        .join(PostTag, tag_id == source_tags.c.tag_id)
        .join(weights, weights.c.tag_id == source_tags.c.tag_id)
        .where(post_id != source_tags.c.src)
        .group_by(source_tags.c.src, post_id)
        .subquery()
    )
    source_authors = (
        select(col(PostAuthor.post_id).label("src"), author_id)
        .where(col(PostAuthor.post_id).in_(post_ids))
        .subquery()
    )
    by_author = (
        select(source_authors.c.src, col(PostAuthor.post_id).label("cand"))
        .join(PostAuthor, author_id == source_authors.c.author_id)
        .where(col(PostAuthor.post_id) != source_authors.c.src)
        .group_by(source_authors.c.src, col(PostAuthor.post_id))
        .subquery()
    )
    sources = select(col(Post.id).label("src")).where(col(Post.id).in_(post_ids)).subquery()
    newest = (
        select(col(Post.id).label("cand"))
        .where(live)
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(limit + 1)
        .subquery()
    )
    candidates = union(
        select(by_tags.c.src, by_tags.c.cand),
        select(by_author.c.src, by_author.c.cand),
        select(sources.c.src, newest.c.cand)
        .join(newest, true())
        .where(newest.c.cand != sources.c.src),
    ).subquery()

    score = func.coalesce(by_tags.c.score, 0)
    same_author = by_author.c.cand.is_not(None)
    rank = func.row_number().over(
        partition_by=candidates.c.src,
        order_by=(
            score.desc(),
            same_author.desc(),
            col(Post.published_at).desc(),
            col(Post.id).desc(),
        ),
    )
    ranked = (
        select(candidates.c.src, candidates.c.cand, rank.label("rank"))
        .join(Post, col(Post.id) == candidates.c.cand)
        .outerjoin(
            by_tags, and_(by_tags.c.src == candidates.c.src, by_tags.c.cand == candidates.c.cand)
        )
        .outerjoin(
            by_author,
            and_(by_author.c.src == candidates.c.src, by_author.c.cand == candidates.c.cand),
        )
        .where(live)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.src, Post)
        .join(Post, col(Post.id) == ranked.c.cand)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.src, ranked.c.rank)
    ).all()
    result: dict[int, list[Post]] = {}
    for source, post in rows:
        result.setdefault(source, []).append(post)
    return result
