"""Our records in Ghost 5's shapes and field names (Ghost's Content API reference and its
client). Where Ghost has a field cms has no data for, it gets Ghost's own empty value (null,
[], false), never a made-up one; fields cms has and Ghost lacks (view and comment counts)
are additions Ghost's clients pass through."""

from typing import Any

from cms.api.urls import Urls
from cms.linked.records import Counted
from cms.site.service import Site

_NULLS = dict.fromkeys  # Ghost's fields that cms has no data for


def post(row: Any, *, urls: Urls, formats: frozenset[str], include: frozenset[str],
         authors: list[dict[str, Any]], tags: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """A live post as Ghost shows one (`formats` and `include` as asked)."""
    shown: dict[str, Any] = {
        "id": str(row.id),
        "uuid": None,  # Ghost's second id; cms has one id
        "title": row.title,
        "slug": row.slug,
    }
    if "html" in formats:
        shown["html"] = row.html
    shown["comment_id"] = str(row.id)  # what comments hang on: the post, as in Ghost
    if "plaintext" in formats and row.plaintext:
        shown["plaintext"] = row.plaintext
    shown |= {
        "feature_image": row.feature_image,
        "featured": row.featured,
        "visibility": "public",  # no members in cms: every live post is for everyone
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "published_at": row.published_at,
        "custom_excerpt": row.custom_excerpt,
        **_NULLS(("codeinjection_head", "codeinjection_foot", "custom_template")),
        "canonical_url": row.canonical_url,
    }
    if "tags" in include:
        shown["tags"] = tags
    if "authors" in include:
        shown["authors"] = authors
        shown["primary_author"] = authors[0] if authors else None
    if "tags" in include:
        shown["primary_tag"] = tags[0] if tags else None
    shown |= {
        "url": urls.post_page(slug=row.slug, id=row.id, published_at=row.published_at),
        "excerpt": row.excerpt,
        "reading_time": row.reading_time,
        "access": True,
        "comments": row.comments_enabled,
        **{name: getattr(row, name) for name in _SEO},
        **_NULLS(("email_subject", "frontmatter")),
        "feature_image_alt": row.feature_image_alt,
        "feature_image_caption": row.feature_image_caption,
        # cms's own, beside Ghost's: what the reference page shows under the title.
        "view_count": row.view_count,
        "comment_count": row.comment_count,
    }
    return shown


_SEO = (
    "og_image", "og_title", "og_description", "twitter_image", "twitter_title",
    "twitter_description", "meta_title", "meta_description",
)  # fmt: skip


def author(record: Counted[Any], *, urls: Urls, counted: bool) -> dict[str, Any]:
    item = record.item
    shown = {
        "id": str(item.id),
        "name": item.name,
        "slug": item.slug,
        "profile_image": item.profile_image,
        "cover_image": None,
        "bio": item.bio,
        "website": item.website,
        **_NULLS(("location", "facebook", "twitter", "meta_title", "meta_description")),
    }
    return _counted(shown, record, counted, urls.author_page(slug=item.slug, id=item.id))


def tag(record: Counted[Any], *, urls: Urls, counted: bool) -> dict[str, Any]:
    item = record.item
    shown = {
        "id": str(item.id),
        "name": item.name,
        "slug": item.slug,
        "description": item.description,
        "feature_image": None,
        "visibility": "public",
        **_NULLS((*_SEO, "codeinjection_head", "codeinjection_foot", "canonical_url")),
        "accent_color": None,
    }
    return _counted(shown, record, counted, urls.tag_page(slug=item.slug, id=item.id))


def _counted(
    shown: dict[str, Any], record: Counted[Any], counted: bool, url: str
) -> dict[str, Any]:
    """`shown` ended as Ghost ends a record: its count of posts when asked, then its url."""
    if counted:
        shown["count"] = {"posts": record.post_count}
    shown["url"] = url
    return shown


def settings(site: Site) -> dict[str, Any]:
    """The site as Ghost's `settings` (its public settings): members, newsletters and
    portal are Ghost's own features, off here."""
    return {
        "title": site.title,
        "description": site.description,
        "logo": site.logo,
        "icon": site.icon,
        "accent_color": site.accent_color,
        "cover_image": None,
        "facebook": None,
        "twitter": None,
        "lang": site.language,
        "locale": site.language,
        "timezone": site.timezone,
        "codeinjection_head": None,
        "codeinjection_foot": None,
        "navigation": site.navigation,
        "secondary_navigation": [],
        **_NULLS(_SEO),
        "members_support_address": None,
        "members_enabled": False,
        "members_invite_only": False,
        "paid_members_enabled": False,
        "firstpromoter_account": None,
        "portal_button_style": None,
        "portal_button_signup_text": None,
        "portal_button_icon": None,
        "portal_signup_terms_html": None,
        "portal_signup_checkbox_required": False,
        "portal_plans": [],
        "portal_name": False,
        "portal_button": False,
        # Ghost's members' comments widget, which calls Ghost's own endpoints: off here
        # (cms's comments are in its own API, /api/v1/posts/{slug}/comments).
        "comments_enabled": "off",
        "recommendations_enabled": False,
        "url": site.url + "/",
    }
