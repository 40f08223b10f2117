"""The demo blog: three authors, a dozen posts on overlapping tags, one draft, one scheduled,
and their pictures, drawn for the demo and put in the media library like any upload.

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
from cms.config import Settings
from cms.demo import pictures
from cms.media import service as media_service
from cms.media.storage import Storage, storage_for
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


# Where the pictures' addresses point when CMS_API_URL is unset: the README's `cms serve`.
DEFAULT_API_URL = "http://127.0.0.1:8000"


@dataclass
class Library:
    """Puts the demo's pictures in the media library, where the settings keep it."""

    session: Session
    settings: Settings
    storage: Storage
    now: datetime

    def add(self, picture: pictures.Picture, name: str) -> str:
        """The address of `picture`, uploaded as `name`."""
        settings = self.settings
        media = media_service.upload(
            self.session,
            storage=self.storage,
            data=picture.data,
            filename=name,
            content_type="image/jpeg",
            alt=picture.alt,
            caption=None,
            actor=None,
            now=self.now,
            widths=settings.image_widths,
            max_bytes=int(settings.media_max_mb * 2**20),
            max_pixels=settings.media_max_pixels,
        )
        api_base = settings.api_url or DEFAULT_API_URL
        return self.storage.url(media_service.file_name(media), api_base=api_base)


def load_demo(session: Session, *, now: datetime, settings: Settings) -> DemoReport:
    """Add the demo content that is missing; return what was added. Its pictures go where
    `settings` keep the media library."""
    content = json.loads((DEMO_FOLDER / "demo.json").read_text(encoding="utf-8"))
    library = Library(session, settings, storage_for(settings), now)
    report = DemoReport()
    author_ids: dict[str, int] = {}
    for entry in content["authors"]:
        author = authors_service.find_author_by_slug(session, slug=entry["slug"])
        if author is None:
            picture = pictures.portrait(entry["slug"], entry["name"])
            image = library.add(picture, f"{entry['slug']}.jpg")
            profile = AuthorCreate(**entry, profile_image=image)
            author = authors_service.create_author(session, data=profile, actor=None, now=now)
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
            authors = [author_ids[slug] for slug in entry["authors"]]
            _add_post(session, entry, authors, library, now)
            report.posts += 1
    return report


def _add_post(
    session: Session, entry: dict[str, Any], author_ids: list[int], library: Library, now: datetime
) -> None:
    published_at = _parse_time(entry["published_at"])
    slug = slugify_text(entry["title"])
    data = PostCreate(
        title=entry["title"],
        body=(DEMO_FOLDER / "posts" / entry["body_file"]).read_text(encoding="utf-8"),
        excerpt=entry["excerpt"],
        feature_image=library.add(pictures.cover(slug), f"{slug}.jpg"),
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
