"""Admin API: posts, their lifecycle, revisions and the trash."""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.preconditions import check_if_match
from cms.api.responses import private_page, private_response
from cms.api.urls import Urls, UrlsDep
from cms.auth.dependencies import CurrentUser, EditorUser
from cms.db import SessionDep
from cms.posts import revisions, service
from cms.posts.models import Post
from cms.posts.permissions import PostAction, check_post_access
from cms.posts.schemas import (
    AdminPostOut,
    PostCreate,
    PostUpdate,
    PublishRequest,
    RevisionOut,
    admin_post_out,
)
from cms.problems import problem_responses
from cms.users.schemas import user_ref

router = APIRouter(prefix="/admin", tags=["Admin: posts"])

Status = Literal["draft", "scheduled", "published"]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag of the version being changed.", max_length=200),
]
_READ_ERRORS = problem_responses(401, 403, 404)
POST_FIELDS = frozenset(AdminPostOut.model_fields)
PostsListing = Annotated[Listing, Depends(listing(service.SORTING, POST_FIELDS))]
_WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


def post_access(action: PostAction) -> Callable[..., Post]:
    """A dependency: the post in the path, if the caller may do `action` to it."""

    def load(
        post_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: CurrentUser, session: SessionDep
    ) -> Post:
        post = service.get_post_by_id(session, post_id=post_id)
        own = service.is_own(session, user=user, post=post)
        check_post_access(user, post, own=own, action=action)
        return post

    return load


ViewablePost = Annotated[Post, Depends(post_access(PostAction.VIEW))]
EditablePost = Annotated[Post, Depends(post_access(PostAction.EDIT))]
PublishablePost = Annotated[Post, Depends(post_access(PostAction.PUBLISH))]
DeletablePost = Annotated[Post, Depends(post_access(PostAction.DELETE))]


def etag_of(post: Post) -> str:
    return f'"{post.id}-{post.version}"'


@router.get("/posts", response_model=Page[AdminPostOut], responses=problem_responses(400, 401))
def list_admin_posts(
    user: CurrentUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    page: PostsListing,
    status: Annotated[Status | None, Query(description="Only posts with this status.")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Words to find.")] = None,
) -> Response:
    """Posts in every status (but the trash); below editor, only one's own."""
    found = service.list_posts(
        session,
        viewer=user,
        now=now,
        status=status,
        trashed=False,
        q=q,
        pagination=page.pagination,
        sort=page.sort or [],
    )
    return _page_response(page, found, urls, now, status=status, q=q)


@router.post(
    "/posts",
    response_model=One[AdminPostOut],
    status_code=201,
    responses=problem_responses(401, 409, 422),
)
def create_post(
    data: Annotated[PostCreate, Body()],
    user: CurrentUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Write a new draft (every role may); tags given by name are created when new."""
    post = service.create_post(session, data=data, actor=user, now=now)
    response = _post_response(session, post, urls, now, status_code=201)
    response.headers["Location"] = urls.api(f"/admin/posts/{post.id}")
    return response


@router.get("/posts/{post_id}", response_model=One[AdminPostOut], responses=_READ_ERRORS)
def get_admin_post(post: ViewablePost, session: SessionDep, urls: UrlsDep, now: NowDep) -> Response:
    """One post as editors see it, with its ETag for a later PATCH or DELETE."""
    return _post_response(session, post, urls, now)


@router.patch("/posts/{post_id}", response_model=One[AdminPostOut], responses=_WRITE_ERRORS)
def update_post(
    post: EditablePost,
    data: Annotated[PostUpdate, Body()],
    user: CurrentUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Change the fields sent. If-Match is required: a stale version gets 412, nothing lost."""
    _check_version(session, post, if_match, required=True)
    service.update_post(session, post=post, data=data, actor=user, now=now)
    return _post_response(session, post, urls, now)


@router.delete("/posts/{post_id}", status_code=204, responses=_WRITE_ERRORS)
def delete_post(
    post: DeletablePost,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Move the post to the trash (restorable by editors for the trash period)."""
    _check_version(session, post, if_match, required=True)
    service.trash_post(session, post=post, actor=user, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.post("/posts/{post_id}/publish", response_model=One[AdminPostOut], responses=_WRITE_ERRORS)
def publish_post(
    post: PublishablePost,
    user: CurrentUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    request: Annotated[PublishRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> Response:
    """Publish now; a future `published_at` schedules it, and it goes live by itself."""
    _check_version(session, post, if_match, required=False)
    at = request.published_at if request else None
    service.publish_post(session, post=post, at=at, actor=user, now=now)
    return _post_response(session, post, urls, now)


@router.post(
    "/posts/{post_id}/unpublish", response_model=One[AdminPostOut], responses=_WRITE_ERRORS
)
def unpublish_post(
    post: PublishablePost,
    user: CurrentUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Back to draft: it leaves the Content API at once."""
    _check_version(session, post, if_match, required=False)
    service.unpublish_post(session, post=post, actor=user, now=now)
    return _post_response(session, post, urls, now)


@router.get(
    "/posts/{post_id}/revisions", response_model=One[list[RevisionOut]], responses=_READ_ERRORS
)
def list_post_revisions(post: ViewablePost, session: SessionDep) -> Response:
    """Every saved version of the title, body and excerpt, newest first."""
    rows, users = revisions.list_revisions(session, post=post)
    data = [
        {
            "number": row.number,
            "title": row.title,
            "body": row.body,
            "body_format": row.body_format,
            "excerpt": row.custom_excerpt,
            "created_at": row.created_at,
            "created_by": user_ref(users.get(row.created_by_id or 0)),
        }
        for row in rows
    ]
    return private_response({"data": data})


@router.post(
    "/posts/{post_id}/revisions/{number}/restore",
    response_model=One[AdminPostOut],
    responses=_WRITE_ERRORS,
)
def restore_post_revision(
    post: EditablePost,
    number: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: CurrentUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Bring back a revision's title, body and excerpt; that is saved as a new revision."""
    _check_version(session, post, if_match, required=False)
    service.restore_revision(session, post=post, number=number, actor=user, now=now)
    return _post_response(session, post, urls, now)


@router.get("/trash", response_model=Page[AdminPostOut], responses=problem_responses(400, 401, 403))
def list_trash(
    user: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    page: PostsListing,
) -> Response:
    """Deleted posts, still restorable, most recently deleted first unless `sort` says
    otherwise."""
    service.purge_trash(session, now=now, trash_days=settings.trash_days)
    found = service.list_posts(
        session,
        viewer=user,
        now=now,
        status=None,
        trashed=True,
        q=None,
        pagination=page.pagination,
        sort=page.sort or [],
    )
    return _page_response(page, found, urls, now)


@router.post("/trash/{post_id}/restore", response_model=One[AdminPostOut], responses=_WRITE_ERRORS)
def restore_post(
    post_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Take a post out of the trash, exactly as it was."""
    post = service.restore_post(
        session, post_id=post_id, actor=user, now=now, trash_days=settings.trash_days
    )
    return _post_response(session, post, urls, now)


def _check_version(
    session: SessionDep, post: Post, if_match: str | None, *, required: bool
) -> None:
    editor = service.last_editor(session, post=post)
    check_if_match(
        if_match,
        current=etag_of(post),
        required=required,
        current_state={
            "version": post.version,
            "etag": etag_of(post),
            "updated_at": post.updated_at,
            "updated_by": user_ref(editor),
        },
    )


def _post_response(
    session: SessionDep, post: Post, urls: Urls, now: Any, *, status_code: int = 200
) -> Response:
    page = service.load_page(session, posts=[post], total=1, now=now)
    data = _present(page, post, urls, now)
    response = private_response({"data": data}, status_code=status_code)
    response.headers["ETag"] = etag_of(post)
    return response


def _page_response(
    listed: Listing, page: service.AdminPage, urls: Urls, now: Any, **filters: object
) -> Response:
    items = [_present(page, post, urls, now) for post in page.posts]
    return private_page(listed, items, total=page.total, **filters)


def _present(page: service.AdminPage, post: Post, urls: Urls, now: Any) -> dict[str, Any]:
    key = post.id or 0
    return admin_post_out(
        post,
        status=service.status_label(post, now),
        urls=urls,
        authors=page.bundle.authors.get(key, []),
        tags=page.bundle.tags.get(key, []),
        users=page.users,
    )
