"""Events written where changes are made: in the same transaction, so what rolls back is
never announced and what commits always is (the worker sends them: worker.py).

Services call `post_changed` with the post's state from before the change, and the comment
hooks; an event is stored only when some enabled webhook hears it, except a scheduled post's
`post.published`, kept for its time to come whoever listens by then."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from cms.comments.models import Comment, CommentStatus
from cms.posts.models import Post
from cms.posts.visibility import SCHEDULED, status_of
from cms.webhooks.models import Webhook, WebhookEvent

POST_PUBLISHED = "post.published"
EVENTS = (
    POST_PUBLISHED,
    "post.published.edited",
    "post.unpublished",
    "post.scheduled",
    "post.deleted",
    "comment.created",
    "comment.approved",
)
EVERY = "*"
PING = "ping"
PUBLISHED, DRAFT = "published", "draft"
# What `previous` may name: the fields readers see change.
_WATCHED = ("title", "slug", "html", "custom_excerpt", "featured", "feature_image", "published_at")
_NEWS = "webhook_news"
_QUIET = "webhooks_quiet"
_wakers: set[Callable[[], None]] = set()


@dataclass(frozen=True)
class PostState:
    status: str  # draft, scheduled or published, as editors see it
    trashed: bool
    fields: dict[str, Any]


def state(post: Post, now: datetime) -> PostState:
    """What a post is now, to compare with after a change."""
    fields = {name: getattr(post, name) for name in _WATCHED}
    return PostState(status_of(post, now), post.deleted_at is not None, fields)


def post_changed(session: Session, *, post: Post, before: PostState | None, now: datetime) -> None:
    """Announce what the change from `before` (None: a new post) did for readers."""
    after = state(post, now)
    was = before.status if before and not before.trashed else None
    if SCHEDULED in (was, after.status):
        _reschedule(session, post, after, now)
    types = _post_events(before, after)
    if not types:
        return
    previous = _previous(before, after) if before else None
    for kind in heard(session, types):
        _store(
            session, WebhookEvent(type=kind, post_id=post.id, previous=previous, due_at=now), now
        )


def _post_events(before: PostState | None, after: PostState) -> list[str]:
    if after.trashed:
        return ["post.deleted"] if before is not None and not before.trashed else []
    was = before.status if before and not before.trashed else None
    found = []
    if after.status == PUBLISHED:
        if was != PUBLISHED:
            found.append(POST_PUBLISHED)
        elif before is not None:  # services call only when something changed
            found.append("post.published.edited")
    elif was == PUBLISHED or (was == SCHEDULED and after.status == DRAFT):
        found.append("post.unpublished")  # readers saw it, or were to
    if after.status == SCHEDULED and (
        was != SCHEDULED or (before and before.fields["published_at"] != post_time(after))
    ):
        found.append("post.scheduled")
    return found


def waits_for_its_time(event: WebhookEvent) -> bool:
    """A scheduled post's own `post.published`, written before its time came."""
    return event.due_at is not None and event.due_at > event.created_at


def post_time(state: PostState) -> datetime | None:
    value: datetime | None = state.fields["published_at"]
    return value


def _previous(before: PostState, after: PostState) -> str:
    changed: dict[str, Any] = {
        ("excerpt" if name == "custom_excerpt" else name): value
        for name, value in before.fields.items()
        if after.fields[name] != value
    }
    if before.status != after.status or before.trashed != after.trashed:
        changed["status"] = before.status
    return json.dumps(changed, default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(type(value).__name__)


def _reschedule(session: Session, post: Post, after: PostState, now: datetime) -> None:
    """Keep exactly one `post.published` waiting for a scheduled post's time."""
    session.execute(
        delete(WebhookEvent).where(
            col(WebhookEvent.post_id) == post.id,
            col(WebhookEvent.type) == POST_PUBLISHED,
            col(WebhookEvent.due_at) > now,
        )
    )
    if after.status == SCHEDULED and not after.trashed:
        going_live = post_time(after)
        previous = json.dumps({"status": SCHEDULED})
        waiting = WebhookEvent(
            type=POST_PUBLISHED, post_id=post.id, previous=previous, due_at=going_live
        )
        _store(session, waiting, now)


def comment_added(session: Session, *, comment: Comment, now: datetime) -> None:
    if comment.status == CommentStatus.SPAM:
        return  # kept quiet, as for the robot that sent it
    types = ["comment.created"]
    if comment.status == CommentStatus.APPROVED:
        types.append("comment.approved")
    for kind in heard(session, types):
        _store(session, WebhookEvent(type=kind, comment_id=comment.id, due_at=now), now)


def comment_moderated(session: Session, *, comment: Comment, was: str, now: datetime) -> None:
    if comment.status == CommentStatus.APPROVED and was != CommentStatus.APPROVED:
        previous = json.dumps({"status": was})
        for kind in heard(session, ["comment.approved"]):
            _store(
                session,
                WebhookEvent(type=kind, comment_id=comment.id, previous=previous, due_at=now),
                now,
            )


def ping(session: Session, *, webhook: Webhook, now: datetime) -> WebhookEvent:
    """A `ping` for one webhook, whatever it hears."""
    return _store(session, WebhookEvent(type=PING, webhook_id=webhook.id, due_at=now), now)


def quiet(session: Session) -> None:
    """Announce nothing `session` changes from now on: an import would tell receivers of
    each of thousands of old posts (a static site rebuilt thousands of times). A scheduled
    post still announces itself when its time comes: that is news then."""
    session.info[_QUIET] = True


def heard(session: Session, types: list[str]) -> list[str]:
    """Those of `types` that at least one enabled webhook hears (none, in a quiet session)."""
    if session.info.get(_QUIET):
        return []
    subscribed: set[str] = set()
    for names in session.execute(select(col(Webhook.events)).where(col(Webhook.enabled))).scalars():
        subscribed.update(names.split())
    return [kind for kind in types if kind in subscribed or EVERY in subscribed]


def hears(webhook_events: str, kind: str) -> bool:
    names = webhook_events.split()
    return kind in names or EVERY in names


def _store(session: Session, row: WebhookEvent, now: datetime) -> WebhookEvent:
    row.created_at = now
    session.add(row)
    session.flush()
    wake_after_commit(session)
    return row


def wake_after_commit(session: Session) -> None:
    """Have this process's worker look at once when `session` commits."""
    session.info[_NEWS] = True


def on_news(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` after every commit in this process that stored an event; returns the
    call that stops it."""
    _wakers.add(wake)
    return lambda: _wakers.discard(wake)


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    if session.info.pop(_NEWS, False):
        for wake in list(_wakers):
            wake()


@event.listens_for(OrmSession, "after_rollback")
def _rolled_back(session: OrmSession) -> None:
    session.info.pop(_NEWS, None)
