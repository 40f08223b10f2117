"""Admin API: moderating comments (editors and up), and editors' own comments."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.auth.dependencies import EditorUser
from cms.comments import service
from cms.comments.models import Comment
from cms.comments.schemas import (
    AdminCommentOut,
    EditorCommentCreate,
    ModerationUpdate,
    admin_comment_out,
)
from cms.config import Settings
from cms.db import SessionDep
from cms.posts import service as posts_service
from cms.posts.models import Post
from cms.problems import problem_responses

router = APIRouter(prefix="/admin", tags=["Admin: comments"])

Status = Literal["pending", "approved", "spam", "deleted"]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
COMMENT_FIELDS = frozenset(AdminCommentOut.model_fields)
ModerationListing = Annotated[Listing, Depends(listing(service.MODERATION_SORTING, COMMENT_FIELDS))]


def _out(comment: Comment, post: Post, settings: Settings) -> dict[str, object]:
    ref = {"id": post.id, "slug": post.slug, "title": post.title}
    return admin_comment_out(comment, ref, gravatar=settings.gravatar)


@router.get(
    "/comments", response_model=Page[AdminCommentOut], responses=problem_responses(400, 401, 403)
)
def list_comments_for_moderation(
    user: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    page: ModerationListing,
    status: Annotated[Status | None, Query(description="Only comments with this status.")] = None,
) -> Response:
    """Comments newest first unless `sort` says otherwise, e.g. `?status=pending` for the
    moderation queue."""
    rows, total = service.list_for_moderation(
        session, status=status, pagination=page.pagination, sort=page.sort or []
    )
    items = [_out(comment, post, settings) for comment, post in rows]
    return private_page(page, items, total=total, status=status)


@router.patch(
    "/comments/{comment_id}",
    response_model=One[AdminCommentOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
def moderate_comment(
    comment_id: Id,
    data: Annotated[ModerationUpdate, Body()],
    user: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Approve, mark as spam, delete (softly: it can be approved again) or send back to pending."""
    comment = service.moderate(
        session, comment_id=comment_id, status=data.status, actor=user, now=now
    )
    post = session.get_one(Post, comment.post_id)
    return private_response({"data": _out(comment, post, settings)})


@router.post(
    "/posts/{post_id}/comments",
    response_model=One[AdminCommentOut],
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 422),
)
def add_editor_comment(
    post_id: Id,
    data: Annotated[EditorCommentCreate, Body()],
    user: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """An editor's own comment (or reply): approved at once."""
    post = posts_service.get_post_by_id(session, post_id=post_id)
    comment = service.add_editor_comment(
        session, post=post, user=user, data=data, now=now, settings=settings
    )
    return private_response({"data": _out(comment, post, settings)}, status_code=201)
