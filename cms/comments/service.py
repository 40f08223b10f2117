"""Comments: submitted by readers, moderated by editors, counted only once approved."""

import hashlib
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlmodel import Session, col

from cms.audit import service as audit
from cms.comments.models import Comment, CommentStatus
from cms.comments.rendering import count_links, render_comment
from cms.comments.schemas import CommentCreate, EditorCommentCreate
from cms.comments.tokens import new_token, token_hash
from cms.config import Settings
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.posts.models import Post
from cms.posts.visibility import is_live
from cms.problems import Forbidden, NotFound, TooManyRequests, Unprocessable
from cms.users import service as users_service
from cms.users.models import User
from cms.visitors import address_hash
from cms.webhooks import outbox


@dataclass(frozen=True)
class Thread:
    """A page of a post's approved comments, oldest first, with their approved replies."""

    top: list[Comment]
    replies: dict[int, list[Comment]]
    total: int
    post_id: int  # whose comments: what the answer's cache key names


@dataclass(frozen=True)
class Submitted:
    """A reader's accepted comment, the status to tell them, and the token to keep."""

    comment: Comment
    status: str
    commenter_token: str


def submit_comment(
    session: Session,
    *,
    slug: str,
    data: CommentCreate,
    address: str,
    now: datetime,
    settings: Settings,
) -> Submitted:
    """Take a reader's comment: pending, or approved for a commenter proven known; spam is
    kept quiet. Limited per client address and per post."""
    post = _live_post(session, slug=slug, now=now)
    _check_open(post, now=now, settings=settings)
    _check_rates(session, post=post, address=address, now=now, settings=settings)
    body = _check_body(data.body, settings=settings)
    parent = _check_parent(session, post=post, parent_id=data.parent_id, settings=settings)
    email = str(data.author_email).strip().lower()
    token, statuses = _commenter(session, data.commenter_token)
    status = CommentStatus.PENDING
    if data.website:  # only robots fill in the hidden field
        status = CommentStatus.SPAM
    elif settings.comment_auto_approve_known and _is_trusted(session, statuses, email=email):
        status = CommentStatus.APPROVED
    sender = address_hash(settings.secret_key, day=now.date(), address=address)
    name = data.author_name.strip()
    comment = _add(session, post, parent, name, email, body, status, sender, now, token_hash(token))
    told = CommentStatus.APPROVED if status == CommentStatus.APPROVED else CommentStatus.PENDING
    return Submitted(comment=comment, status=told, commenter_token=token)


def add_editor_comment(
    session: Session,
    *,
    post: Post,
    user: User,
    data: EditorCommentCreate,
    now: datetime,
    settings: Settings,
) -> Comment:
    """An editor's own comment, audited: approved at once (comments may even be closed to
    readers)."""
    body = _check_body(data.body, settings=settings)
    parent = _check_parent(session, post=post, parent_id=data.parent_id, settings=settings)
    approved = CommentStatus.APPROVED
    comment = _add(session, post, parent, user.name, user.email, body, approved, "", now)
    _audit(session, user, "create", comment, post.title, now)
    return comment


def list_thread(
    session: Session, *, slug: str, now: datetime, pagination: Pagination, sort: list[SortKey]
) -> Thread:
    """Approved comments on a live post, in `sort` order; replies always oldest first, as a
    conversation reads. A reply whose parent is not shown stands on its own."""
    post = _live_post(session, slug=slug, now=now)
    approved = and_(col(Comment.post_id) == post.id, col(Comment.status) == CommentStatus.APPROVED)
    shown_parents = select(col(Comment.id)).where(approved)
    is_top = or_(col(Comment.parent_id).is_(None), col(Comment.parent_id).not_in(shown_parents))
    top = list(
        session.execute(
            select(Comment)
            .where(approved, is_top)
            .order_by(*order_by(Comment, sort))
            .offset(pagination.offset)
            .limit(pagination.limit)
        ).scalars()
    )
    total = session.execute(
        select(func.count()).select_from(Comment).where(approved, is_top)
    ).scalar_one()
    replies: dict[int, list[Comment]] = {}
    for reply in session.execute(
        select(Comment)
        .where(approved, col(Comment.parent_id).is_not(None))
        .order_by(col(Comment.created_at), col(Comment.id))
    ).scalars():
        replies.setdefault(reply.parent_id or 0, []).append(reply)
    return Thread(top=top, replies=replies, total=total, post_id=post.id or 0)


def moderate(
    session: Session, *, comment_id: int, status: str, actor: User | None, now: datetime
) -> Comment:
    """Set a comment's status (approve, mark spam, delete or back to pending) and recount;
    audited."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment with id {comment_id}")
    if comment.status != status:
        was = comment.status
        comment.status = status
        comment.updated_at = now
        session.add(comment)
        session.flush()
        recount(session, post_id=comment.post_id)
        outbox.comment_moderated(session, comment=comment, was=was, now=now)
    _audit(session, actor, status, comment, comment.author_name, now)
    return comment


def _audit(
    session: Session, actor: User | None, verb: str, comment: Comment, summary: str, now: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"comment.{verb}",
        subject_id=comment.id,
        summary=summary,
        now=now,
    )


# Readers' threads, and the moderation queue.
THREAD_SORTING = Sorting(frozenset({"created_at", "id"}), default="created_at")
MODERATION_SORTING = Sorting(
    frozenset({"id", "created_at", "updated_at", "status", "author_name", "author_email"}),
    default="-created_at",
)


def list_for_moderation(
    session: Session, *, status: str | None, pagination: Pagination, sort: list[SortKey]
) -> tuple[list[tuple[Comment, Post]], int]:
    """Comments for moderators in `sort` order, with their posts."""
    where = [col(Comment.status) == status] if status else []
    rows = session.execute(
        select(Comment, Post)
        .join(Post, col(Post.id) == Comment.post_id)
        .where(*where)
        .order_by(*order_by(Comment, sort))
        .offset(pagination.offset)
        .limit(pagination.limit)
    ).all()
    total = session.execute(select(func.count()).select_from(Comment).where(*where)).scalar_one()
    return [(comment, post) for comment, post in rows], total


def import_comment(
    session: Session,
    *,
    post_id: int,
    parent: Comment | None,
    name: str,
    email: str,
    body: str,
    status: CommentStatus,
    created_at: datetime,
) -> Comment:
    """A comment brought from another blog with its status and date. Nobody is told of it
    (it is old news), and the post's count is the caller's to `recount` once its comments
    are all in: one count per post, not one per comment."""
    comment = Comment(
        post_id=post_id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=name[:100],
        author_email=email[:254],
        avatar_hash=hashlib.sha256(email.strip().lower().encode()).hexdigest(),
        body=body,
        html=render_comment(body),
        status=status,
        sender_hash="imported",  # no sender: the rate limits never count it
        created_at=created_at,
        updated_at=created_at,
    )
    session.add(comment)
    session.flush()
    return comment


def recount(session: Session, *, post_id: int) -> None:
    """comment_count := approved comments. Not an edit: updated_at and version stay."""
    approved = (
        select(func.count())
        .select_from(Comment)
        .where(col(Comment.post_id) == post_id, col(Comment.status) == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    session.execute(
        update(Post)
        .where(col(Post.id) == post_id)
        .values(comment_count=approved)
        # The comment's own flush named what readers may see change (cms.cache.purges).
        .execution_options(synchronize_session=False, cache_keys=())
    )
    post = session.get(Post, post_id)
    if post is not None:
        session.refresh(post, ["comment_count"])


def approved_by_day(session: Session, *, post_id: int, first: date, last: date) -> Counter[date]:
    """How many of the post's approved comments were written on each day (UTC), first to last."""
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last + timedelta(days=1), time(), UTC)
    written = session.execute(
        select(col(Comment.created_at)).where(
            col(Comment.post_id) == post_id,
            col(Comment.status) == CommentStatus.APPROVED,
            col(Comment.created_at) >= start,
            col(Comment.created_at) < end,
        )
    ).scalars()
    return Counter(moment.date() for moment in written)


def count_pending(session: Session, *, post_id: int) -> int:
    return session.execute(
        select(func.count())
        .select_from(Comment)
        .where(col(Comment.post_id) == post_id, col(Comment.status) == CommentStatus.PENDING)
    ).scalar_one()


def _add(
    session: Session,
    post: Post,
    parent: Comment | None,
    name: str,
    email: str,
    body: str,
    status: str,
    sender_hash: str,
    now: datetime,
    commenter_hash: str | None = None,
) -> Comment:
    comment = Comment(
        post_id=post.id or 0,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=name,
        author_email=email,
        avatar_hash=hashlib.sha256(email.strip().lower().encode()).hexdigest(),
        body=body,
        html=render_comment(body),
        status=status,
        sender_hash=sender_hash,
        commenter_hash=commenter_hash,
        created_at=now,
        updated_at=now,
    )
    session.add(comment)
    session.flush()
    if status == CommentStatus.APPROVED:
        recount(session, post_id=comment.post_id)
    outbox.comment_added(session, comment=comment, now=now)
    return comment


def _live_post(session: Session, *, slug: str, now: datetime) -> Post:
    post = session.execute(select(Post).where(col(Post.slug) == slug, is_live(now))).scalar()
    if post is None:
        raise NotFound(f"No published post with slug {slug!r}")
    return post


def _check_open(post: Post, *, now: datetime, settings: Settings) -> None:
    if not post.comments_enabled:
        raise Forbidden("Comments are closed on this post")
    days = settings.comments_close_after_days
    if days and post.published_at and now >= post.published_at + timedelta(days=days):
        raise Forbidden(f"Comments close {days} days after a post is published")


def _check_rates(
    session: Session, *, post: Post, address: str, now: datetime, settings: Settings
) -> None:
    since = now - timedelta(minutes=settings.comment_rate_window_minutes)
    # The hash of an address changes each day: a window that spans midnight needs both.
    days = [since.date() + timedelta(days=n) for n in range((now.date() - since.date()).days + 1)]
    senders = [address_hash(settings.secret_key, day=day, address=address) for day in days]
    _check_recent(
        session,
        col(Comment.sender_hash).in_(senders),
        since=since,
        limit=settings.comment_rate_limit,
        detail="Too many comments from you in a short time; try again later",
    )
    _check_recent(
        session,
        and_(col(Comment.post_id) == post.id, col(Comment.sender_hash) != ""),  # not staff's
        since=since,
        limit=settings.comment_post_rate_limit,
        detail="Too many comments on this post in a short time; try again later",
    )


def _check_recent(
    session: Session,
    where: ColumnElement[bool],
    *,
    since: datetime,
    limit: int,
    detail: str,
) -> None:
    """TooManyRequests when `limit` comments matching `where` came after `since`."""
    recent = list(
        session.execute(
            select(col(Comment.created_at))
            .where(where, col(Comment.created_at) > since)
            .order_by(col(Comment.created_at))
            .limit(limit)
        ).scalars()
    )
    if len(recent) >= limit:
        wait = max(1, math.ceil((recent[0] - since).total_seconds()))
        raise TooManyRequests(detail, headers={"Retry-After": str(wait)})


def _check_body(body: str, *, settings: Settings) -> str:
    text = body.strip()
    if not text:
        raise Unprocessable("The comment is empty", field="body")
    if count_links(text) > settings.comment_max_links:
        raise Unprocessable(
            f"A comment may hold at most {settings.comment_max_links} links", field="body"
        )
    return text


def _check_parent(
    session: Session, *, post: Post, parent_id: int | None, settings: Settings
) -> Comment | None:
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != CommentStatus.APPROVED:
        raise Unprocessable("parent_id is not a comment shown on this post", field="parent_id")
    if parent.depth + 1 > settings.comment_max_depth:
        raise Unprocessable(
            f"Replies nest at most {settings.comment_max_depth} deep", field="parent_id"
        )
    return parent


def _commenter(session: Session, presented: str | None) -> tuple[str, set[str]]:
    """The sender's token (theirs when we know it, else a new one) and the statuses of the
    comments sent with it before."""
    if presented:
        statuses = set(
            session.execute(
                select(col(Comment.status))
                .where(col(Comment.commenter_hash) == token_hash(presented))
                .distinct()
            ).scalars()
        )
        if statuses:
            return presented, statuses
    return new_token(), set()


def _is_trusted(session: Session, statuses: set[str], *, email: str) -> bool:
    """Known by proof: an approved comment and no spam under the token, and not an address
    of an account, which readers must never be able to speak as."""
    if CommentStatus.APPROVED not in statuses or CommentStatus.SPAM in statuses:
        return False
    return users_service.find_user_by_email(session, email=email) is None
