"""Content API: published posts for front ends."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import RedirectResponse, Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, fields_query, listing, parse_fields
from cms.api.responses import content_response, public_cache_control
from cms.api.types import SlugPath
from cms.api.urls import UrlsDep
from cms.cache import keys
from cms.db import ReadSessionDep, on_read_thread
from cms.posts import reading
from cms.posts.schemas import (
    LIST_DEFAULT_FIELDS,
    POST_FIELDS,
    SINGLE_DEFAULT_FIELDS,
    PostListItem,
    PostOut,
    RelatedPostOut,
    Shown,
    post_out,
)
from cms.posts.visibility import last_change
from cms.problems import problem_responses

router = APIRouter(prefix="/posts", tags=["Content: posts"])

Fields = Annotated[str | None, fields_query(POST_FIELDS)]
PostsListing = Annotated[Listing, Depends(listing(reading.SORTING, POST_FIELDS))]


@router.get("", response_model=Page[PostListItem], responses=problem_responses(400))
async def list_posts(
    session: ReadSessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    page: PostsListing,
    tag: Annotated[str | None, Query(max_length=191, description="A tag's slug.")] = None,
    author: Annotated[str | None, Query(max_length=191, description="An author's slug.")] = None,
    featured: Annotated[bool | None, Query(description="Only (un)featured posts.")] = None,
    q: Annotated[
        str | None, Query(max_length=500, description="Words to find in the title and text.")
    ] = None,
) -> Response:
    """Published posts, newest first."""
    chosen = page.fields or LIST_DEFAULT_FIELDS
    bundle = await on_read_thread(
        session,
        reading.list_live_posts,
        now=now,
        filters=reading.PostFilters(tag=tag, author=author, featured=featured, q=q),
        pagination=page.pagination,
        sort=page.sort,
        fields=chosen,
    )
    shown = Shown(urls)
    items = [present(post, bundle, chosen, shown) for post in bundle.posts]
    flag = None if featured is None else str(featured).lower()
    envelope = page.envelope(items, total=bundle.total, tag=tag, author=author, featured=flag, q=q)
    named = {keys.POSTS}
    # Filtered by a slug: which author or tag it names changes with the authors or tags.
    named |= {keys.AUTHORS} if author is not None else set()
    named |= {keys.TAGS} if tag is not None else set()
    for post, item in zip(bundle.posts, items, strict=True):
        named |= post_keys(post.id, item)
    return content_response(envelope, settings=settings, keys=named)


@router.get(
    "/{slug}",
    response_model=One[PostOut],
    responses={
        301: {"description": "A former slug: `Location` gives the post's current address."},
        **problem_responses(400, 404),
    },
)
async def get_post(
    slug: SlugPath,
    session: ReadSessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    fields: Fields = None,
) -> Response:
    """One published post with everything its page shows."""
    chosen = parse_fields(fields, POST_FIELDS) or SINGLE_DEFAULT_FIELDS
    found = await on_read_thread(
        session, reading.resolve_live_post, slug=slug, now=now, fields=chosen
    )
    if isinstance(found, reading.Moved):
        return RedirectResponse(
            urls.api(f"/posts/{found.slug}", fields=fields),
            status_code=301,
            # Which post a former slug leads to changes only with the posts themselves.
            headers={"Cache-Control": public_cache_control(settings), **keys.headers([keys.POSTS])},
        )
    post = found.posts[0]
    data = present(post, found, chosen, Shown(urls))
    changed = last_change(post.updated_at, post.published_at)
    return content_response(
        {"data": data}, settings=settings, keys=post_keys(post.id, data), last_modified=changed
    )


@router.get(
    "/{slug}/related",
    response_model=One[list[RelatedPostOut]],
    responses=problem_responses(400, 404),
)
async def list_related_posts(
    slug: SlugPath,
    session: ReadSessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=20, description="How many, 1 to 20.")] = 3,
) -> Response:
    """Posts related to this one: shared tags (rarer ones weigh more), then the same author."""
    related = await on_read_thread(
        session, reading.related_to_live_post, slug=slug, now=now, limit=limit
    )
    data = Shown(urls).cards(related)
    # Which posts are related changes with the posts (and with the links of tags and
    # authors, whose every change purges `posts` too: cms.cache.purges).
    shown = {keys.POSTS, *(keys.post(card["id"]) for card in data)}
    return content_response({"data": data}, settings=settings, keys=shown)


def post_keys(post_id: int, shown: dict[str, Any]) -> set[str]:
    """The cache keys of one post as shown (`fields` decides what is): the post, every
    author, tag and related post on it, and `posts` when it shows counts of posts (on its
    authors and tags) or which posts are related."""
    found = {keys.post(post_id)}
    authors = [*shown.get("authors", ()), shown.get("primary_author")]
    tags = [*shown.get("tags", ()), shown.get("primary_tag")]
    found |= {keys.author(author["id"]) for author in authors if author}
    found |= {keys.tag(tag["id"]) for tag in tags if tag}
    found |= {keys.post(card["id"]) for card in shown.get("related", ())}
    if any(authors) or any(tags) or "related" in shown:
        found.add(keys.POSTS)
    return found


def present(
    post: Any, bundle: reading.PostBundle, fields: frozenset[str], shown: Shown
) -> dict[str, Any]:
    """One post of `bundle` with exactly `fields`."""
    key = post.id or 0
    return post_out(
        post,
        fields=fields,
        urls=shown.urls,
        authors=shown.authors(bundle.authors.get(key, [])),
        tags=shown.tags(bundle.tags.get(key, [])),
        related=shown.cards(bundle.related.get(key, [])),
    )
