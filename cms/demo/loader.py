"""The demo blog: three authors, a dozen posts on overlapping tags, one draft, one scheduled.

Loading is idempotent: whatever already exists (by slug) is left exactly as it is.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from cms.authors import service as authors_service
from cms.authors.schemas import AuthorCreate
from cms.pageviews import service as views_service
from cms.posts import service as posts_service
from cms.posts.schemas import PostCreate
from cms.slugs import slugify_text
from cms.tags import service as tags_service
from cms.tags.schemas import TagCreate

DEMO_FOLDER = Path(__file__).parent


@dataclass
class DemoReport:
    authors: int = 0
    tags: int = 0
    posts: int = 0


def load_demo(session: Session, *, now: datetime) -> DemoReport:
    """Add the demo content that is missing; return what was added."""
    content = json.loads((DEMO_FOLDER / "demo.json").read_text(encoding="utf-8"))
    report = DemoReport()
    author_ids: dict[str, int] = {}
    for entry in content["authors"]:
        author = authors_service.find_author_by_slug(session, slug=entry["slug"])
        if author is None:
            author = authors_service.create_author(
                session, data=AuthorCreate(**entry), actor=None, now=now
            )
            report.authors += 1
        assert author.id is not None
        author_ids[entry["slug"]] = author.id
    for entry in content["tags"]:
        if tags_service.find_tag_by_slug(session, slug=slugify_text(entry["name"])) is None:
            data = TagCreate(name=entry["name"], description=entry["description"])
            tags_service.create_tag(session, data=data, actor=None, now=now)
            report.tags += 1
    for entry in content["posts"]:
        if posts_service.find_post_by_slug(session, slug=slugify_text(entry["title"])) is None:
            _add_post(session, entry, [author_ids[slug] for slug in entry["authors"]], now)
            report.posts += 1
    return report


def _add_post(
    session: Session, entry: dict[str, Any], author_ids: list[int], now: datetime
) -> None:
    published_at = _parse_time(entry["published_at"])
    data = PostCreate(
        title=entry["title"],
        body=(DEMO_FOLDER / "posts" / entry["body_file"]).read_text(encoding="utf-8"),
        excerpt=entry["excerpt"],
        feature_image=entry["feature_image"],
        featured=entry["featured"],
        author_ids=author_ids,
        tags=entry["tags"],
        published_at=published_at,
    )
    post = posts_service.create_post(session, data=data, actor=None, now=now)
    if entry["status"] != "draft":
        posts_service.publish_post(session, post=post, at=published_at, actor=None, now=now)
    # The demo tells a story with dates and counts from the past.
    post.created_at = published_at or now
    post.updated_at = _parse_time(entry["updated_at"]) or now
    session.add(post)
    session.flush()
    _add_views(session, post_id=post.id or 0, views=entry["view_count"], since=post.created_at)


def _add_views(session: Session, *, post_id: int, views: int, since: datetime) -> None:
    # Stored like any counted view, day by day: half on the first day, half the rest on the
    # next, and so on, as interest in a new post fades.
    day = since.date()
    while views:
        today = (views + 1) // 2
        views_service.add_views(session, views_by_post={post_id: today}, day=day, viewed_at=None)
        views, day = views - today, day + timedelta(days=1)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
