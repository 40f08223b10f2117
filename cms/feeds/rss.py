"""The RSS 2.0 feed: the latest published posts, with absolute links, built with ElementTree
(which escapes every text and attribute) and written by cms.feeds.document (which drops what
XML cannot hold)."""

import html
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

from cms.config import Settings
from cms.feeds.document import serialize
from cms.media.details import shown
from cms.posts.models import Post
from cms.posts.reading import PostBundle
from cms.posts.rendering import sanitize
from cms.posts.visibility import last_change
from cms.site.service import Site

FEED_SIZE = 20
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
for prefix, uri in (("atom", ATOM), ("content", CONTENT), ("dc", DC), ("media", MEDIA)):
    ET.register_namespace(prefix, uri)


def render_feed(
    bundle: PostBundle,
    *,
    settings: Settings,
    site: Site,
    self_url: str,
    post_url: Callable[[Post], str],
) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", site.title)
    _text(channel, "link", site.url + "/")
    _text(channel, "description", channel_description(site))
    _text(channel, "language", site.language)
    picture = _image_url(site.icon or site.logo, site.url)
    if picture is not None:  # what readers show beside the feed's name
        image = ET.SubElement(channel, "image")
        for name, text in (("url", picture), ("title", site.title), ("link", site.url + "/")):
            _text(image, name, text)
    ET.SubElement(
        channel, f"{{{ATOM}}}link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    if bundle.posts:
        _text(channel, "lastBuildDate", _date(newest_change(bundle.posts)))
    for post in bundle.posts:
        _item(channel, post, bundle, settings=settings, url=post_url(post))
    return serialize(rss)


def channel_description(site: Site) -> str:
    """The site's tagline; else a phrase, since readers show it under the title and the
    title twice says nothing."""
    return site.description or f"The latest posts from {site.title}"


def newest_change(posts: list[Post]) -> datetime:
    return max(last_change(post.updated_at, post.published_at) for post in posts)


def _item(
    channel: ET.Element, post: Post, bundle: PostBundle, *, settings: Settings, url: str
) -> None:
    item = ET.SubElement(channel, "item")
    _text(item, "title", post.title)
    _text(item, "link", url)
    ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = guid(post)
    if post.published_at is not None:
        _text(item, "pubDate", _date(post.published_at))
    for author in bundle.authors.get(post.id or 0, []):
        _text(item, f"{{{DC}}}creator", author.item.name)
    for tag in bundle.tags.get(post.id or 0, []):
        _text(item, "category", tag.item.name)
    image = _image_url(post.feature_image, settings.site_url)
    if image is not None:
        # Media RSS, not <enclosure>: that needs the file's length, which an image from
        # elsewhere does not tell. A library image's size goes with it.
        details = shown(post.feature_image_details) or {}
        measured: dict[str, str] = {k: str(details[k]) for k in ("width", "height") if k in details}
        ET.SubElement(item, f"{{{MEDIA}}}content", {"url": image, "medium": "image", **measured})
    # Readers decode <description> as HTML; an excerpt is plain text (a custom one is kept
    # as the editor typed it), so it goes in as HTML text: "<img ...>" shows, never runs.
    _text(item, "description", html.escape(post.excerpt, quote=False))
    if settings.feed_content == "full":
        # Sanitised on save already; again here because a feed is read far from this API,
        # and rows may come from an import or an older, looser sanitiser.
        _text(item, f"{{{CONTENT}}}encoded", sanitize(post.html))


def guid(post: Post) -> str:
    """What readers tell items apart by: it must outlive every slug and permalink change.

    Ghost uses the post's id, whose ObjectId carries its creation time. Ours is an integer
    that SQLite may hand out again once the newest post is purged from the trash, so the
    creation time, which nothing changes, goes with it."""
    return f"{post.id}-{post.created_at:%Y%m%d%H%M%S}"


def _image_url(address: str | None, site_url: str) -> str | None:
    """`address` made absolute against the site, if it is an http(s) one; else None."""
    address = (address or "").strip()
    try:
        if address.startswith("/") and not address.startswith("//"):
            absolute = site_url + address  # site-relative, as permalinks are
        else:
            absolute = urljoin(site_url + "/", address)
        parts = urlsplit(absolute)
    except ValueError:  # e.g. an unclosed "[" where an IPv6 host would be
        return None
    if address and parts.scheme in {"http", "https"} and parts.netloc:
        return absolute
    return None


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)
