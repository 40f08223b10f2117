"""Reads a Ghost JSON export (Ghost 4, 5 or 6) into the records of cms.importers.items.

What Ghost writes (ghost/core/core/server/data/exporter/exporter.js): `{"meta": {"exported_on":
<ms>, "version": "5.82.3"}, "data": {<table>: [<row>, ...]}}`, one list of raw database rows per
table. The Admin API's download (Settings → Export) wraps that as `{"db": [<export>]}`
(serializers/output/db.js); the backups Ghost writes to content/data/ before a migration or a
"delete all content" are the bare `{"meta", "data"}` (data/db/backup.js). Both are read here, as
Ghost's own importer reads both (data/importer/handlers/json.js).

Why json.load and not a streaming parser: an export holds the database's text rows and never an
image (those stay in content/images), so even a large blog's export is tens of megabytes; and its
rows point at each other across tables (posts_authors and posts_tags name posts, users and tags),
so nothing can be built before the whole file is in hand anyway. A file over MAX_EXPORT_BYTES is
refused before it is opened: that is not an export, and json.load would hold all of it.

Decisions where Ghost's format leaves a choice:
- Ghost 6 exports are read: 6.0's migrations only drop posts.created_by/updated_by and AMP
  settings, and widen feature_image_alt to 2,000 characters (migrations/versions/6.0/); cms
  takes 1,000, and the loader leaves a longer one out with a note.
- Authors are the users named by an imported post (posts_authors by sort_order, or a Ghost 4
  post's own author_id when it has no such rows); staff who wrote nothing, or only pages, are left
  out without a Skipped. An author id no user has stays in author_ids: the caller reports it.
- Tags are all of the file's tags except internal ones (visibility "internal", or a name starting
  with "#", which is how Ghost marks them): those are Skipped and never attached to a post.
- `__GHOST_URL__` is Ghost's stand-in for the site's own URL (subdirectory included) in stored
  html, excerpts and image paths (@tryghost/url-utils, absolute-to-transform-ready). The URL is
  Ghost's config, not a setting, so an export never holds it: given `site_url`, the stand-in
  becomes it; without, it is dropped, leaving a path such as /content/images/2024/01/a.jpg.
- A post whose html is empty while it has lexical or mobiledoc is Skipped: rendering Ghost's
  editor formats is out of scope. One with none of the three is kept with an empty body.
- Ghost's comments are members' (a table a default export leaves out); if a backup holds them,
  each one is Skipped, since their authors' names and emails live in the members table.
- A members-only or paid post is imported as a draft (cms has no members: a draft keeps it
  from readers until an editor decides), with a Skipped("note") just before it saying so.
- posts_meta gives the feature image's alt text and caption and the SEO texts; codeinjection
  and newsletters have no place in cms and are not read.
"""

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cms.importers.items import (
    ExportError,
    ImportedAuthor,
    ImportedPost,
    ImportedTag,
    Item,
    PostStatus,
    Skipped,
)

SEO_TEXTS = ("meta_title", "meta_description", "og_title", "og_description", "twitter_title",
             "twitter_description")  # fmt: skip
SEO_IMAGES = ("og_image", "twitter_image")
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
MAX_EXPORT_BYTES = 1024**3  # 1 GiB: far more than any export of text rows
READABLE_MAJORS = (4, 5, 6)
NOT_AN_EXPORT = (
    'not a Ghost export: expected {"db": [{"meta": ..., "data": ...}]}, '
    "as Ghost's Settings → Export downloads"
)
STATUSES: dict[str, PostStatus] = {
    "published": "published",  # a future published_at stays published: the caller decides
    "scheduled": "scheduled",
    "draft": "draft",
}
_AUDIENCES = {"members": "members", "paid": "paying members", "tiers": "some tiers' members"}
_SOURCE_FORMATS = ("lexical", "mobiledoc")  # Ghost 5's editor format, then Ghost 4's
_GHOST_URL = re.compile(r"__GHOST_URL__/?")
_VERSION = re.compile(r"(\d+)\.\d+")  # semver, as Ghost's importer demands; 0.x wrote "003"

Row = dict[str, Any]


class _Unreadable(Exception):
    """A row that cannot become a record; the message is the Skipped's reason."""


def read_ghost(path: Path, *, site_url: str | None = None) -> Iterator[Item]:
    """Every author and tag of the export at `path`, then its posts, each one as a record or a
    Skipped. `site_url` (the Ghost site's, e.g. "https://blog.example.com") makes its own links
    and images absolute again. The file is read and checked at the call, so an ExportError
    comes from here and not halfway through the loop."""
    data = _export_data(_load(path))
    return iter(list(_items(data, (site_url or "").rstrip("/"))))


# The file


def _load(path: Path) -> object:
    """The parsed JSON of the file, or an ExportError that says why there is none."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ExportError(f"cannot read {path}: {error.strerror or error}") from error
    if size > MAX_EXPORT_BYTES:
        raise ExportError(
            f"{path} is {size} bytes, over the {MAX_EXPORT_BYTES}-byte cap: a Ghost export holds "
            "no images and is far smaller"
        )
    try:
        with path.open("rb") as file:  # bytes: json detects UTF-8, -16 or -32 itself
            return json.load(file)
    except json.JSONDecodeError as error:
        raise ExportError(_json_problem(error)) from error
    except UnicodeDecodeError as error:
        raise ExportError("not JSON: the file is not UTF-8 text") from error
    except RecursionError as error:
        raise ExportError("not a Ghost export: its JSON is nested too deeply") from error
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise ExportError(f"not a Ghost export: {error}") from error
    except OSError as error:
        raise ExportError(f"cannot read {path}: {error.strerror or error}") from error


def _json_problem(error: json.JSONDecodeError) -> str:
    """A truncated download is the usual bad export, so it is named as such."""
    if not error.doc.strip():
        return "the file is empty, not a Ghost export"
    where = f"line {error.lineno}, column {error.colno}"
    # json names the string's start when its closing quote never comes: the end was reached
    ended = error.pos >= len(error.doc.rstrip()) or error.msg.startswith("Unterminated string")
    if ended:
        return f"the JSON ends early ({where}): the export looks truncated"
    return f"not JSON: {error.msg} ({where})"


def _export_data(document: object) -> Row:
    """The export's tables, once its shape and Ghost version are known to be readable."""
    export: object = document
    if isinstance(document, dict) and "db" in document:
        db = document["db"]
        export = db[0] if isinstance(db, list) and db else None
    if not isinstance(export, dict) or not isinstance(export.get("data"), dict):
        raise ExportError(NOT_AN_EXPORT)
    _check_version(export.get("meta"))
    data: Row = export["data"]
    return data


def _check_version(meta: object) -> None:
    version = meta.get("version") if isinstance(meta, dict) else None
    if not isinstance(version, str):
        raise ExportError("the export names no Ghost version (meta.version)")
    match = _VERSION.match(version.strip())
    if match is None:
        raise ExportError(
            f"meta.version {version!r} is not a Ghost version this importer knows "
            "(Ghost before 1.0 wrote its exports so): it reads Ghost 4, 5 and 6 exports"
        )
    major = int(match[1])
    if major not in READABLE_MAJORS:
        raise ExportError(f"a Ghost {major} export: this importer reads Ghost 4, 5 and 6 exports")


def _table(data: Row, name: str) -> list[Row]:
    """A table's rows; a table the export does not have is empty."""
    rows = data.get(name)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ExportError(f"not a Ghost export: data.{name} is not a list of rows")
    return [row for row in rows if isinstance(row, dict)]


# The records


@dataclass(frozen=True)
class _Context:
    """What a post's row needs from the rest of the file, and from the caller."""

    authors_of: dict[str, list[str]]  # post id → user ids, in order
    tags_of: dict[str, list[str]]  # post id → tag ids, in order
    internal_tags: set[str]
    meta_of: dict[str, Row]  # post id → its posts_meta row (SEO texts, image alt and caption)
    site: str  # what `__GHOST_URL__` stands for: the site's URL, or "" for site-relative paths


def _items(data: Row, site: str) -> Iterator[Item]:
    """Authors, tags, posts, then the comments left out: every author and tag before a post."""
    tags = _table(data, "tags")
    context = _Context(
        authors_of=_links(_table(data, "posts_authors"), "author_id"),
        tags_of=_links(_table(data, "posts_tags"), "tag_id"),
        internal_tags={i for tag in tags if _is_internal(tag) and (i := _id(tag.get("id")))},
        meta_of={i: row for row in _table(data, "posts_meta") if (i := _id(row.get("post_id")))},
        site=site,
    )
    posts = [
        item
        for number, row in enumerate(_table(data, "posts"), start=1)
        for item in _read_post(row, number, context)
    ]
    credited = {i for post in posts if isinstance(post, ImportedPost) for i in post.author_ids}
    users = {i: user for user in _table(data, "users") if (i := _id(user.get("id")))}
    known = {user_id: _user_key(user_id, user) for user_id, user in users.items()}
    for user_id, user in users.items():
        if user_id in credited:
            yield _author(known[user_id], user, site)
    for number, tag in enumerate(tags, start=1):
        yield _tag(tag, number)
    for post in posts:
        if isinstance(post, ImportedPost):
            post = replace(post, author_ids=[known.get(i, i) for i in post.author_ids])
        yield post
    for number, comment in enumerate(_table(data, "comments"), start=1):
        comment_id = _id(comment.get("id")) or f"row {number}"
        yield Skipped("comment", comment_id, "Ghost comments are not imported")


def _links(rows: Iterable[Row], target: str) -> dict[str, list[str]]:
    """post id → the ids it links to, by sort_order (a stable sort keeps the file's order among
    equals), each id once, as Ghost's own importer attaches them."""
    links: dict[str, list[str]] = {}
    for row in sorted(rows, key=_sort_order):
        post_id, target_id = _id(row.get("post_id")), _id(row.get(target))
        if post_id and target_id and target_id not in links.setdefault(post_id, []):
            links[post_id].append(target_id)
    return links


def _sort_order(row: Row) -> int:
    value = row.get("sort_order")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _user_key(user_id: str, user: Row) -> str:
    """What tells this user apart from every other Ghost site's: its id, an ObjectId, unique
    everywhere, except the owner's, which was "1" on every site before Ghost 6 (its 6.0
    migration use-object-id-for-owner-user): that one goes with the user's slug."""
    if _OBJECT_ID.fullmatch(user_id):
        return user_id
    return f"{user_id}:{_text(user.get('slug')) or ''}"


def _author(user_id: str, user: Row, site: str) -> ImportedAuthor:
    return ImportedAuthor(
        source_id=user_id,
        name=_text(user.get("name")) or _text(user.get("slug")) or user_id,
        slug=_text(user.get("slug")),
        bio=_text(user.get("bio")),
        website=_text(user.get("website")),
        profile_image=_url(user.get("profile_image"), site),
    )


def _tag(tag: Row, number: int) -> ImportedTag | Skipped:
    tag_id = _id(tag.get("id"))
    name = _text(tag.get("name"))
    if tag_id is None:
        return Skipped("tag", f"row {number}", "no id in the export")
    if _is_internal(tag):
        return Skipped("tag", tag_id, "an internal tag")
    if name is None:
        return Skipped("tag", tag_id, "no name")
    return ImportedTag(tag_id, name, _text(tag.get("slug")), _text(tag.get("description")))


def _is_internal(tag: Row) -> bool:
    name = tag.get("name")
    return tag.get("visibility") == "internal" or (isinstance(name, str) and name.startswith("#"))


def _read_post(row: Row, number: int, context: _Context) -> list[ImportedPost | Skipped]:
    """The post (after a note if Ghost kept it for members), or why it is skipped."""
    post_id = _id(row.get("id"))
    if post_id is None:
        return [Skipped("post", f"row {number}", "no id in the export")]
    if _is_page(row):
        return [Skipped("page", post_id, "a page: cms has posts only")]
    try:
        post = _post(post_id, row, context)
    except _Unreadable as problem:
        return [Skipped("post", post_id, str(problem))]
    visibility = row.get("visibility")
    if visibility in (None, "", "public"):
        return [post]
    # cms has no members: a draft keeps it from readers until an editor decides.
    audience = _AUDIENCES.get(str(visibility), repr(visibility))
    note = f"Ghost showed it to {audience} only: imported as a draft"
    return [Skipped("note", post_id, note), replace(post, status="draft")]


def _post(post_id: str, row: Row, context: _Context) -> ImportedPost:
    """The post, or _Unreadable. The status is read first: an email-only post is reported as
    that even when it has no title."""
    status = _status(row.get("status"))
    title = _text(row.get("title"))
    if title is None:
        raise _Unreadable("no title")
    author_ids = context.authors_of.get(post_id) or [i for i in [_id(row.get("author_id"))] if i]
    return ImportedPost(
        source_id=post_id,
        title=title,
        html=_body(row, context.site),
        status=status,
        slug=_text(row.get("slug")),
        excerpt=_text(_localised(row.get("custom_excerpt"), context.site)),
        published_at=_date(row, "published_at"),
        created_at=_date(row, "created_at"),
        updated_at=_date(row, "updated_at"),
        featured=_flag(row.get("featured")),
        feature_image=_url(row.get("feature_image"), context.site),
        author_ids=author_ids,  # a Ghost 4 post without posts_authors rows names its author_id
        tag_ids=[i for i in context.tags_of.get(post_id, []) if i not in context.internal_tags],
        **_meta(row, context.meta_of.get(post_id, {}), context.site),
    )


def _meta(post: Row, meta: Row, site: str) -> dict[str, Any]:
    """What Ghost keeps beside a post: its image's alt text and caption, and its texts for
    search engines and social networks (in posts_meta; canonical_url on the post)."""
    seo = {name: _text(meta.get(name)) for name in SEO_TEXTS}
    seo |= {name: _url(meta.get(name), site) for name in SEO_IMAGES}
    seo["canonical_url"] = _url(post.get("canonical_url"), site)
    return {
        "feature_image_alt": _text(meta.get("feature_image_alt")),
        "feature_image_caption": _text(meta.get("feature_image_caption")),
        "seo": {name: value for name, value in seo.items() if value},
    }


def _is_page(row: Row) -> bool:
    """Ghost 3 and later say type "page"; older rows said page: true (kept for hand-made files).
    The type wins when both are there, as in Ghost's posts importer."""
    kind = row.get("type")
    if isinstance(kind, str) and kind:
        return kind == "page"
    return _flag(row.get("page"))


def _status(value: object) -> PostStatus:
    if value is None:
        return "draft"  # the column's default in Ghost's schema
    if value == "sent":
        raise _Unreadable("sent as an email only")
    if not isinstance(value, str) or value not in STATUSES:
        raise _Unreadable(f"an unknown status {value!r}")
    return STATUSES[value]


def _body(row: Row, site: str) -> str:
    html = row.get("html")
    if isinstance(html, str) and html.strip():
        return _localised(html, site) or ""
    sources = [name for name in _SOURCE_FORMATS if row.get(name)]
    if sources:
        raise _Unreadable(f"no html in the export (only {' and '.join(sources)})")
    return ""


def _date(row: Row, name: str) -> datetime | None:
    """Ghost on MySQL exports "2024-01-09T05:52:29.000Z", on SQLite "2024-01-09 05:52:29"
    (UTC, as Ghost stores every date). A number is milliseconds, as in meta.exported_on."""
    value = row.get(name)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip())
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise _Unreadable(f"an unreadable {name}: {value!r}")


# Values


def _id(value: object) -> str | None:
    """Ghost's ids are text (24 hex digits, or "1" for the owner before Ghost 6); a number in a
    hand-made file becomes text too."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _text(value: object) -> str | None:
    """Text without its surrounding blanks; blank text is no text."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _flag(value: object) -> bool:
    """MySQL and SQLite give booleans as 0 and 1."""
    return value is True or (type(value) is int and value == 1) or value in ("1", "true")


def _localised(value: object, site: str) -> str | None:
    """The text with Ghost's stand-in for the site's URL replaced by `site`."""
    return _GHOST_URL.sub(f"{site}/", value) if isinstance(value, str) else None


def _url(value: object, site: str) -> str | None:
    return _text(_localised(value, site))
