"""The sitemap: every published post, and the authors and tags that have one, with lastmod.

One file holds at most 50,000 addresses (sitemaps.org); a bigger site gets a sitemap index
that points at the post sitemaps, 50,000 posts each, and one each for authors and tags.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import func, select
from sqlmodel import Session, col

from cms.api.urls import Urls
from cms.authors.models import Author
from cms.db import UTCDateTime
from cms.feeds.document import serialize
from cms.linked.models import PostAuthor, PostTag
from cms.posts.models import Post
from cms.posts.visibility import is_live, last_change
from cms.tags.models import Tag

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
PER_FILE = 50_000


@dataclass(frozen=True)
class Entry:
    loc: str
    lastmod: datetime | None


def post_entries(session: Session, *, now: datetime, urls: Urls, page: int = 1) -> list[Entry]:
    """The `page`-th 50,000 live posts, oldest id first."""
    rows = session.execute(
        select(col(Post.id), col(Post.slug), col(Post.published_at), col(Post.updated_at))
        .where(is_live(now))
        .order_by(col(Post.id))
        .offset((page - 1) * PER_FILE)
        .limit(PER_FILE)
    )
    return [
        Entry(
            urls.post_page(slug=slug, id=post_id, published_at=published),
            last_change(updated, published),
        )
        for post_id, slug, published, updated in rows
    ]


def author_entries(session: Session, *, now: datetime, urls: Urls) -> list[Entry]:
    """Authors of a live post; lastmod is their own change or their latest post's."""
    rows = _with_latest_post(session, Author, PostAuthor, "author_id", now)
    return [
        Entry(urls.author_page(slug=slug, id=author_id), lastmod)
        for author_id, slug, lastmod in rows
    ]


def tag_entries(session: Session, *, now: datetime, urls: Urls) -> list[Entry]:
    rows = _with_latest_post(session, Tag, PostTag, "tag_id", now)
    return [Entry(urls.tag_page(slug=slug, id=tag_id), lastmod) for tag_id, slug, lastmod in rows]


def urlset(entries: list[Entry]) -> bytes:
    root = ET.Element("urlset", {"xmlns": NAMESPACE})
    for entry in entries:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = entry.loc
        if entry.lastmod is not None:
            ET.SubElement(url, "lastmod").text = _w3c(entry.lastmod)
    return serialize(root)


def index(locations: list[str], lastmod: datetime | None) -> bytes:
    root = ET.Element("sitemapindex", {"xmlns": NAMESPACE})
    for location in locations:
        sitemap = ET.SubElement(root, "sitemap")
        ET.SubElement(sitemap, "loc").text = location
        if lastmod is not None:
            ET.SubElement(sitemap, "lastmod").text = _w3c(lastmod)
    return serialize(root)


def _with_latest_post(
    session: Session, model: type[Author] | type[Tag], link: Any, key: str, now: datetime
) -> list[tuple[int, str, datetime]]:
    """(id, slug, lastmod) of each author or tag (`model`) that `link` puts on a live post."""
    link_table = link.__table__
    link_column = link_table.c[key]
    rows = session.execute(
        select(
            col(model.id),
            col(model.slug),
            col(model.updated_at),
            # Typed, so that SQLite's text comes back as an aware datetime.
            func.max(Post.updated_at, type_=UTCDateTime()),
            func.max(Post.published_at, type_=UTCDateTime()),
        )
        .join(link_table, link_column == col(model.id))
        .join(Post, col(Post.id) == link_table.c.post_id)
        .where(is_live(now))
        .group_by(col(model.id), col(model.slug), col(model.updated_at))
        .order_by(col(model.id))
        .limit(PER_FILE)
    )
    return [
        (item_id, slug, max(t for t in (own, updated, published) if t is not None))
        for item_id, slug, own, updated, published in rows
    ]


def _w3c(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
