"""Admin API: making a preview link for a post, and ending its links."""

from fastapi import APIRouter
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One
from cms.api.responses import private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import CurrentUser
from cms.db import SessionDep
from cms.posts.admin_routes import EditablePost, ViewablePost
from cms.previews import service
from cms.previews.schemas import PreviewOut
from cms.problems import problem_responses

router = APIRouter(prefix="/admin/posts/{post_id}/preview", tags=["Admin: posts"])


@router.post(
    "", response_model=One[PreviewOut], status_code=201, responses=problem_responses(401, 404)
)
def create_preview(
    post: ViewablePost,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """A link that shows the post as it is now to whoever has it, until `expires_at`; ended
    early when the post is unpublished or deleted."""
    preview, token = service.create_preview(
        session, post=post, actor=user, now=now, hours=settings.preview_hours
    )
    page = settings.site_url + settings.preview_permalink.format(token=token)
    data = {
        "token": token,
        "expires_at": preview.expires_at,
        "url": page,
        "links": {"self": urls.api(f"/preview/{token}")},
    }
    return private_response({"data": data}, status_code=201)


@router.delete("", status_code=204, responses=problem_responses(401, 403, 404))
def end_previews(
    post: EditablePost, user: CurrentUser, session: SessionDep, now: NowDep
) -> Response:
    """End every preview link of the post at once (one was shared too widely, say)."""
    service.revoke_previews(session, post=post, actor=user, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
