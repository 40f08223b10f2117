"""The RSS feed and the sitemap, at the site's root: cacheable like the Content API."""

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.responses import cacheable
from cms.api.urls import UrlsDep
from cms.cache import keys
from cms.config import Settings
from cms.db import SessionDep
from cms.feeds import sitemap
from cms.feeds.rss import FEED_SIZE, newest_change, render_feed
from cms.paging import Pagination, SortKey
from cms.posts import reading
from cms.problems import NotFound, problem_responses
from cms.site import service as site_service

router = APIRouter(tags=["Feeds"])


def _xml(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": what, "content": {media_type: {"schema": {"type": "string"}}}},
    }


SITEMAP = _xml("application/xml", "Sitemap")


@router.get("/rss.xml", response_class=Response, responses=_xml("application/rss+xml", "RSS 2.0"))
def get_rss_feed(
    session: SessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep
) -> Response:
    """The latest published posts as RSS 2.0 (excerpts, or whole posts: CMS_FEED_CONTENT)."""
    bundle = reading.list_live_posts(
        session,
        now=now,
        filters=reading.PostFilters(),
        pagination=Pagination(page=1, limit=FEED_SIZE),
        sort=[SortKey("published_at", descending=True)],
        fields=frozenset(
            {"authors", "tags", "html"} if settings.feed_content == "full" else {"authors", "tags"}
        ),
    )
    body = render_feed(
        bundle,
        settings=settings,
        site=site_service.current_site(session, settings=settings),
        self_url=f"{urls.api_base}/rss.xml",
        post_url=lambda post: urls.post_page(
            slug=post.slug, id=post.id or 0, published_at=post.published_at
        ),
    )
    changed = newest_change(bundle.posts) if bundle.posts else None
    return cacheable(
        body,
        settings=settings,
        keys=[keys.FEEDS],  # a site edit purges `feeds` too (cms.cache.purges)
        last_modified=changed,
        media_type="application/rss+xml",
    )


@router.get("/sitemap.xml", response_class=Response, responses=SITEMAP)
def get_sitemap(session: SessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep) -> Response:
    """Every published post, author and tag, with lastmod; an index past 50,000 addresses."""
    authors = sitemap.author_entries(session, now=now, urls=urls)
    tags = sitemap.tag_entries(session, now=now, urls=urls)
    posts = reading.count_live_posts(session, now=now, filters=reading.PostFilters())
    if posts + len(authors) + len(tags) <= sitemap.PER_FILE:
        entries = sitemap.post_entries(session, now=now, urls=urls) + authors + tags
        return _xml_response(sitemap.urlset(entries), settings)
    pages = math.ceil(posts / sitemap.PER_FILE)
    files = [f"{urls.api_base}/sitemap-posts-{n}.xml" for n in range(1, pages + 1)]
    files += [f"{urls.api_base}/sitemap-authors.xml", f"{urls.api_base}/sitemap-tags.xml"]
    return _xml_response(sitemap.index(files, lastmod=None), settings)


@router.get(
    "/sitemap-posts-{page}.xml",
    response_class=Response,
    responses={**SITEMAP, **problem_responses(400, 404)},
)
def get_post_sitemap(
    page: Annotated[int, Path(ge=1, le=10_000)],
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Published posts, 50,000 a file, for sites too big for one sitemap."""
    entries = sitemap.post_entries(session, now=now, urls=urls, page=page)
    if not entries and page > 1:
        raise NotFound(f"The post sitemaps end before page {page}")
    return _xml_response(sitemap.urlset(entries), settings)


@router.get("/sitemap-authors.xml", response_class=Response, responses=SITEMAP)
def get_author_sitemap(
    session: SessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep
) -> Response:
    """Authors of published posts, for sites too big for one sitemap."""
    entries = sitemap.author_entries(session, now=now, urls=urls)
    return _xml_response(sitemap.urlset(entries), settings)


@router.get("/sitemap-tags.xml", response_class=Response, responses=SITEMAP)
def get_tag_sitemap(
    session: SessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep
) -> Response:
    """Tags of published posts, for sites too big for one sitemap."""
    entries = sitemap.tag_entries(session, now=now, urls=urls)
    return _xml_response(sitemap.urlset(entries), settings)


def _xml_response(body: bytes, settings: Settings) -> Response:
    return cacheable(body, settings=settings, keys=[keys.FEEDS], media_type="application/xml")
