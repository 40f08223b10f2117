"""WordPress's export (WXR 1.0, 1.1, 1.2) read as cms.importers.items: the authors, then the
categories and tags (both become tags), then the posts with their comments.

The file is read twice, streaming: each child of <channel> is dropped from the tree once
read, so memory stays flat however large the file. The first pass collects what posts need
from elsewhere in it (the header's authors and terms, and the attachments' URLs: the image a
post features may come after the post); the second yields. The parser refuses any
<!DOCTYPE>, so no entity expands (billion laughs) or is fetched (external entities).

A file that cannot be read raises ExportError. Streaming, an error in the XML (a truncated
file) is in principle found only when reached, after items were yielded: the caller must
take ExportError at any point. (The first pass reads the whole file before the first item,
so only a file that changes between the passes fails half-way.)

A post imported otherwise than WordPress had it (private, or behind a password: now a draft)
comes after a Skipped(kind="note") that says so, for the summary to list.

Left out: a gallery without ids, comments on what is not imported (pages...), category
parents, authors' emails (items.py has no field for them)."""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from cms.importers.items import (
    CommentStatus,
    ExportError,
    ImportedAuthor,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    Item,
    PostStatus,
    Skipped,
)
from cms.importers.wordpress_bodies import body_html

# The namespaces' URIs vary by version (export/1.0/ to 1.2/) and by scheme (http, https).
_NAMESPACES = {
    "wp": re.compile(r"https?://wordpress\.org/export/1\.\d+/?"),
    "excerpt": re.compile(r"https?://wordpress\.org/export/1\.\d+/excerpt/?"),
    "content": re.compile(r"https?://purl\.org/rss/1\.0/modules/content/?"),
    "dc": re.compile(r"https?://purl\.org/dc/elements/1\.1/?"),
}


@lru_cache(maxsize=512)
def _name(tag: str) -> str:
    """A tag as "wp:post_id", whatever its namespace's version; unknown namespaces unchanged."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    for prefix, pattern in _NAMESPACES.items():
        if pattern.fullmatch(uri):
            return f"{prefix}:{local}"
    return tag


def _text(element: Element, name: str) -> str:
    for child in element:
        if _name(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _name(child.tag) == name)


def _channel_children(path: Path) -> Iterator[tuple[str, Element]]:
    """Each finished child of the <channel> (an <item>, a <wp:author>...) with its name; once
    the caller is done with it, it is cleared and taken out of the tree."""
    try:
        yield from _walk(path)
    except DefusedXmlException as error:
        raise ExportError(
            f"{path}: the file declares XML entities (a <!DOCTYPE>), which are refused"
            " (billion laughs / external entities)"
        ) from error
    except ParseError as error:
        raise ExportError(f"{path}: not XML, or cut short: {error}") from error
    except OSError as error:
        raise ExportError(f"{path}: cannot be read ({error.strerror or error})") from error


# No <!DOCTYPE> at all: WordPress never writes one, and only one can declare entities.
_DEFUSED = {"forbid_dtd": True, "forbid_entities": True, "forbid_external": True}


def _walk(path: Path) -> Iterator[tuple[str, Element]]:
    depth, channel = 0, None
    with path.open("rb") as source:
        for event, element in iterparse(source, ("start", "end"), **_DEFUSED):
            if event == "start":
                depth += 1
                if depth == 1 and _name(element.tag) != "rss":
                    raise ExportError(f"{path}: not a WordPress export (its root is not <rss>)")
                if depth == 2 and _name(element.tag) == "channel":
                    channel = element
                continue
            if depth == 3 and channel is not None:
                yield _name(element.tag), element
                channel.remove(element)
                element.clear()
            elif depth == 2:
                channel = None  # past the <channel>: what follows is none of its children
            depth -= 1


_NOT_WXR = "{path}: not a WordPress export (WXR 1.0 to 1.2): no <wp:wxr_version> in it"


@dataclass
class _Header:
    """What the first pass finds: the header's authors and terms, and the attachments."""

    authors: list[ImportedAuthor | Skipped] = field(default_factory=list)
    terms: dict[str, ImportedTag] = field(default_factory=dict)  # by source id, in order
    attachment_urls: dict[str, str] = field(default_factory=dict)  # by post id
    wxr_version: str = ""


def _read_header(path: Path) -> _Header:
    header = _Header()
    categories: list[ImportedTag] = []
    tags: list[ImportedTag] = []
    for name, element in _channel_children(path):
        if name == "wp:wxr_version":
            header.wxr_version = (element.text or "").strip()
        elif name == "wp:author":
            header.authors.append(_author(element))
        elif name == "wp:category":
            categories.append(_term(element, "category", "category_nicename", "cat_name"))
        elif name == "wp:tag":
            tags.append(_term(element, "post_tag", "tag_slug", "tag_name"))
        elif name == "item" and _text(element, "wp:post_type") == "attachment":
            url = _text(element, "wp:attachment_url")
            header.attachment_urls[_text(element, "wp:post_id")] = url
    if not header.wxr_version:
        raise ExportError(_NOT_WXR.format(path=path))
    # Categories first, as a post lists them; a term declared twice is yielded once.
    for term in categories + tags:
        header.terms.setdefault(term.source_id, term)
    return header


def _author(element: Element) -> ImportedAuthor | Skipped:
    login = _text(element, "wp:author_login")
    if not login:
        return Skipped("author", _text(element, "wp:author_id"), "no login")
    full_name = f"{_text(element, 'wp:author_first_name')} {_text(element, 'wp:author_last_name')}"
    name = _text(element, "wp:author_display_name") or full_name.strip() or login
    return ImportedAuthor(source_id=login, name=html.unescape(name))


def _term(element: Element, taxonomy: str, slug_field: str, name_field: str) -> ImportedTag:
    nicename = _text(element, f"wp:{slug_field}")
    description = _text(element, f"wp:{taxonomy.removeprefix('post_')}_description")
    return ImportedTag(
        source_id=f"{taxonomy}:{nicename}",
        # WordPress keeps term names HTML-escaped ("News &amp; Events").
        name=html.unescape(_text(element, f"wp:{name_field}")) or unquote(nicename),
        slug=unquote(nicename) or None,  # non-ASCII slugs are percent-encoded
        description=description or None,
    )


def source_of(path: Path) -> str:
    """The site an export comes from (its <wp:base_blog_url>, else its <link>), for
    cms.importers.run; reads the header only, so that a file that is no export fails early."""
    urls: dict[str, str] = {}
    for name, element in _channel_children(path):
        if name in ("item", "wp:author", "wp:category", "wp:tag"):
            break  # the header's URLs come before these
        if name in ("wp:base_blog_url", "link", "wp:wxr_version") and element.text:
            urls[name] = element.text.strip().rstrip("/")
    if "wp:wxr_version" not in urls:
        raise ExportError(_NOT_WXR.format(path=path))
    return urls.get("wp:base_blog_url") or urls.get("link") or "wordpress"


def read_wordpress(path: Path) -> Iterator[Item]:
    """The items of a WXR file: authors, then categories and tags, then posts (each preceded
    by the tags it names that the header did not declare, and by its notes)."""
    header = _read_header(path)
    yield from header.authors
    yield from header.terms.values()
    known_terms = set(header.terms)
    for name, element in _channel_children(path):
        if name == "item":
            yield from _item(element, header.attachment_urls, known_terms)


_NOT_POSTS = {
    "page": "a page: cms has posts only",
    "attachment": "an attachment: media files are not imported",
    "nav_menu_item": "a menu item: cms has no menus",
    "revision": "a revision: only a post's current version is imported",
}  # and any other type (a plugin's "product"...): "a WordPress 'product' item"


def _item(item: Element, attachment_urls: dict[str, str], known_terms: set[str]) -> Iterator[Item]:
    post_id = _text(item, "wp:post_id")
    post_type = _text(item, "wp:post_type")
    if post_type != "post":
        reason = _NOT_POSTS.get(post_type, f"a WordPress {post_type!r} item: cms has posts only")
        yield Skipped(post_type or "item", post_id, reason)
    elif _text(item, "wp:status") == "trash":
        yield Skipped("post", post_id, "in WordPress's trash")
    elif not html.unescape(_text(item, "title")).strip():
        yield Skipped("post", post_id, "no title")
    else:
        terms = _post_terms(item)
        for term in terms:
            if term.source_id not in known_terms:
                known_terms.add(term.source_id)
                yield term
        yield from _post(item, post_id, [term.source_id for term in terms], attachment_urls)


def _post(
    item: Element, post_id: str, tag_ids: list[str], attachment_urls: dict[str, str]
) -> Iterator[Item]:
    comments, skipped_comments = _comments(item)
    yield from skipped_comments
    status, notes = _status(item, post_id)
    yield from notes
    created_at = _date(item, "wp:post_date")
    creator = _text(item, "dc:creator")
    yield ImportedPost(
        source_id=post_id,
        title=html.unescape(_text(item, "title")),
        html=body_html(_text(item, "content:encoded"), attachment_urls),
        status=status,
        slug=unquote(_text(item, "wp:post_name")) or None,
        excerpt=_plain_text(_text(item, "excerpt:encoded")) or None,  # cms takes text
        published_at=created_at if status != "draft" else None,
        created_at=created_at,
        updated_at=_date(item, "wp:post_modified"),
        featured=_text(item, "wp:is_sticky") == "1",
        feature_image=attachment_urls.get(_meta(item, "_thumbnail_id")) or None,
        author_ids=[creator] if creator else [],
        tag_ids=tag_ids,
        comments=comments,
    )


_STATUSES: dict[str, PostStatus] = {"publish": "published", "future": "scheduled"}
_DRAFTS = ("draft", "pending", "auto-draft", "private")  # without a note, but for "private"


def _status(item: Element, post_id: str) -> tuple[PostStatus, list[Skipped]]:
    """The post's status in cms, and the notes that say why it is not WordPress's."""
    wordpress_status = _text(item, "wp:status")
    notes = []
    if wordpress_status == "private":
        notes.append(Skipped("note", post_id, "private in WordPress: imported as a draft"))
    elif wordpress_status not in (*_STATUSES, *_DRAFTS):
        reason = f"status {wordpress_status!r} in WordPress: imported as a draft"
        notes.append(Skipped("note", post_id, reason))
    if _text(item, "wp:post_password"):
        # cms cannot protect a post with a password: a draft at least stays private.
        reason = "password-protected in WordPress: imported as a draft"
        notes.append(Skipped("note", post_id, reason))
        return "draft", notes
    return _STATUSES.get(wordpress_status, "draft"), notes


_TAXONOMIES = {"category": "category", "post_tag": "post_tag", "tag": "post_tag"}


def _post_terms(item: Element) -> list[ImportedTag]:
    """The post's categories, then its tags, each in file order, once each. The <category>
    elements without a nicename repeat the others for RSS readers: they are left out."""
    terms: dict[str, ImportedTag] = {}
    for taxonomy in ("category", "post_tag"):
        for element in _children(item, "category"):
            nicename = element.get("nicename", "")
            if _TAXONOMIES.get(element.get("domain", "")) != taxonomy or not nicename:
                continue
            name = html.unescape((element.text or "").strip()) or unquote(nicename)
            source_id = f"{taxonomy}:{nicename}"
            terms.setdefault(source_id, ImportedTag(source_id, name, unquote(nicename)))
    return list(terms.values())


def _meta(item: Element, key: str) -> str:
    for meta in _children(item, "wp:postmeta"):
        if _text(meta, "wp:meta_key") == key:
            return _text(meta, "wp:meta_value")
    return ""


def _date(element: Element, name: str) -> datetime | None:
    """A date as "2024-01-31 09:30:00" in <name>_gmt, else in <name> (the site's time, taken
    as UTC: the export does not say its zone). A draft's is "0000-00-00 00:00:00": none."""
    for text in (_text(element, f"{name}_gmt"), _text(element, name)):
        try:
            return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


# "trash", "post-trashed" (its post went to the trash) and anything else: deleted, unseen.
_COMMENT_STATUSES: dict[str, CommentStatus] = {"1": "approved", "0": "pending", "spam": "spam"}


def _comments(item: Element) -> tuple[list[ImportedComment], list[Skipped]]:
    read = [_comment(element) for element in _children(item, "wp:comment")]
    comments = [comment for comment in read if isinstance(comment, ImportedComment)]
    return comments, [skipped for skipped in read if isinstance(skipped, Skipped)]


def _comment(element: Element) -> ImportedComment | Skipped:
    comment_id = _text(element, "wp:comment_id")
    comment_type = _text(element, "wp:comment_type")
    if comment_type in ("pingback", "trackback"):
        return Skipped("comment", comment_id, f"a {comment_type}")
    created_at = _date(element, "wp:comment_date")
    if created_at is None:
        return Skipped("comment", comment_id, "no date")
    parent = _text(element, "wp:comment_parent")
    return ImportedComment(
        source_id=comment_id,
        author_name=html.unescape(_text(element, "wp:comment_author")) or "Anonymous",
        author_email=_text(element, "wp:comment_author_email"),
        body=_plain_text(_text(element, "wp:comment_content")),
        status=_COMMENT_STATUSES.get(_text(element, "wp:comment_approved"), "deleted"),
        created_at=created_at,
        parent_source_id=parent if parent not in ("", "0") else None,
    )


def _plain_text(markup: str) -> str:
    """A comment's HTML as text: line breaks and paragraphs kept, tags out, entities decoded."""
    text = re.sub(r"<br\s*/?>\n?", "\n", markup, flags=re.I)
    text = re.sub(r"</?(?:p|div|blockquote|li|ul|ol|pre|h[1-6])\b[^>]*>", "\n\n", text, flags=re.I)
    text = html.unescape(re.sub(r"<!--.*?-->|</?[a-zA-Z][^>]*>", "", text, flags=re.S))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
