"""Content API: reading and submitting comments on a published post."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing, pick
from cms.api.responses import content_response, private_response
from cms.api.types import SlugPath
from cms.cache import keys
from cms.comments import service
from cms.comments.models import Comment
from cms.comments.schemas import (
    COMMENT_FIELDS,
    CommentCreate,
    CommentOut,
    SubmittedOut,
    comment_out,
    submitted_out,
)
from cms.db import ReadSessionDep, SessionDep, on_read_thread
from cms.problems import problem_responses
from cms.visitors import client_address

router = APIRouter(prefix="/posts/{slug}/comments", tags=["Content: comments"])
ThreadListing = Annotated[Listing, Depends(listing(service.THREAD_SORTING, COMMENT_FIELDS))]


@router.get("", response_model=Page[CommentOut], responses=problem_responses(400, 404))
async def list_comments(
    slug: SlugPath,
    session: ReadSessionDep,
    settings: SettingsDep,
    now: NowDep,
    page: ThreadListing,
) -> Response:
    """Approved comments, oldest first, with their replies nested under `replies`."""
    chosen = page.fields or COMMENT_FIELDS
    thread = await on_read_thread(
        session,
        service.list_thread,
        slug=slug,
        now=now,
        pagination=page.pagination,
        sort=page.sort or [],
    )

    def nested(comment: Comment) -> dict[str, Any]:
        children = thread.replies.get(comment.id or 0, [])
        replies = [nested(child) for child in children]
        out = comment_out(comment, replies, gravatar=settings.gravatar)
        return pick(out, chosen)

    envelope = page.envelope([nested(comment) for comment in thread.top], total=thread.total)
    shown = [keys.comments(thread.post_id)]
    return content_response(envelope, settings=settings, keys=shown)


@router.post(
    "",
    response_model=One[SubmittedOut],
    status_code=202,
    responses=problem_responses(400, 403, 404, 422, 429),
)
def submit_comment(
    slug: SlugPath,
    data: Annotated[CommentCreate, Body()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Submit a comment; it shows once a moderator approves it (202, status `pending`), or at
    once when it carries the `commenter_token` of an approved comment. Keep the token this
    answers. Limited per client address and per post (429 with Retry-After)."""
    submitted = service.submit_comment(
        session,
        slug=slug,
        data=data,
        address=client_address(request),
        now=now,
        settings=settings,
    )
    out = submitted_out(
        submitted.comment, status=submitted.status, commenter_token=submitted.commenter_token
    )
    return private_response({"data": out}, status_code=202)
