"""What a delivery says: `{"type", "timestamp", "data"}` (Standard Webhooks), rendered once
per event when it goes out, so that every retry signs the same bytes.

`data.post` is the post as the Content API shows it (with its `status`), `data.previous` the
fields the change replaced, and `data.cache_tags` the keys of the answers it changed: the
same names as in `Surrogate-Key` and `Cache-Tag`, so a receiver can purge a CDN exactly."""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from cms.api.responses import dump_json
from cms.api.urls import Urls
from cms.cache import keys
from cms.comments.models import Comment, CommentStatus
from cms.comments.schemas import comment_out
from cms.posts import reading
from cms.posts.content_routes import post_keys, present
from cms.posts.models import Post
from cms.posts.schemas import SINGLE_DEFAULT_FIELDS, Shown
from cms.posts.visibility import status_of
from cms.webhooks.models import Webhook, WebhookEvent
from cms.webhooks.outbox import PING, waits_for_its_time


def render(session: Session, event: WebhookEvent, *, urls: Urls, now: datetime) -> str | None:
    """The event's body, or None when what it announces is gone or no longer true (a
    scheduled post unpublished, or its time moved, after the event was written)."""
    data: dict[str, Any] | None
    if event.type == PING:
        webhook = session.get(Webhook, event.webhook_id)
        data = {"webhook": {"id": webhook.id, "url": webhook.url}} if webhook else None
    elif event.comment_id is not None:
        data = _comment_data(session, event.comment_id, urls=urls, now=now)
    else:
        data = _post_data(session, event, urls=urls, now=now)
    if data is None:
        return None
    data["previous"] = json.loads(event.previous) if event.previous else {}
    at = event.due_at or event.created_at  # a scheduled post's: when it went live
    return dump_json({"type": event.type, "timestamp": at, "data": data}).decode()


def _post_data(
    session: Session, event: WebhookEvent, *, urls: Urls, now: datetime
) -> dict[str, Any] | None:
    post = session.get(Post, event.post_id) if event.post_id else None
    if post is None:
        return None
    if waits_for_its_time(event) and not _live(post, event, now):
        return None  # a scheduled post's own event, and the post was called off or moved
    bundle = reading.PostBundle(posts=[post], total=1)
    reading.load_relations(
        session, bundle, now=now, fields=SINGLE_DEFAULT_FIELDS, related_limit=reading.RELATED_LIMIT
    )
    shown = present(post, bundle, SINGLE_DEFAULT_FIELDS, Shown(urls))
    shown["status"] = status_of(post, now)
    named = post_keys(post.id or 0, shown) | {keys.POSTS, keys.FEEDS, keys.comments(post.id or 0)}
    return {"post": shown, "cache_tags": sorted(named)}


def _live(post: Post, event: WebhookEvent, now: datetime) -> bool:
    return (
        post.deleted_at is None
        and status_of(post, now) == "published"
        and post.published_at == event.due_at
    )


def _comment_data(
    session: Session, comment_id: int, *, urls: Urls, now: datetime
) -> dict[str, Any] | None:
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    post = session.get(Post, comment.post_id)
    if post is None:
        return None
    shown = comment_out(comment, [], gravatar=urls.settings.gravatar)
    shown.pop("replies")
    shown["status"] = comment.status
    named: set[str] = set()
    if comment.status == CommentStatus.APPROVED:  # a pending one changed nothing readers see
        named = {keys.comments(post.id or 0), keys.post(post.id or 0), keys.POSTS}
    page = urls.post_page(slug=post.slug, id=post.id or 0, published_at=post.published_at)
    about = {"id": post.id, "slug": post.slug, "title": post.title, "url": page}
    return {"comment": shown, "post": about, "cache_tags": sorted(named)}
