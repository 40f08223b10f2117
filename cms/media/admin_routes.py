"""Admin API: the media library. Contributors and up upload, list and describe images;
editors and up delete them."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Request, UploadFile
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import ContributorUser, EditorUser
from cms.db import SessionDep
from cms.media import service
from cms.media.schemas import MediaOut, MediaUpdate, media_out
from cms.media.storage import Storage
from cms.problems import Unprocessable, problem_responses

router = APIRouter(prefix="/admin/media", tags=["Admin: media"])
MEDIA_FIELDS = frozenset(MediaOut.model_fields)
MediaListing = Annotated[Listing, Depends(listing(service.SORTING, MEDIA_FIELDS))]
MediaId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The image's id.")]
Text = Annotated[str | None, Form()]  # checked as MediaUpdate checks them


def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.media_storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]


@router.post(
    "",
    response_model=One[MediaOut],
    status_code=201,
    responses=problem_responses(400, 401, 403, 413, 415, 422),
)
async def upload_media(
    file: Annotated[UploadFile, File(description="A JPEG, PNG, WebP or GIF image.")],
    user: ContributorUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    alt: Text = None,
    caption: Text = None,
) -> Response:
    """Add an image: its size measured, orientation applied, metadata removed, and variants
    made for each of CMS_IMAGE_WIDTHS narrower than it."""
    described = _described(alt, caption)
    data = await file.read()  # bounded while it streamed in (CMS_MEDIA_MAX_MB)
    media = await run_in_threadpool(  # decoding and resizing never stall the event loop
        service.upload,
        session,
        storage=storage,
        data=data,
        filename=file.filename or "",
        content_type=file.content_type,
        alt=described.alt,
        caption=described.caption,
        actor=user,
        now=now,
        widths=settings.image_widths,
        max_bytes=int(settings.media_max_mb * 2**20),
        max_pixels=settings.media_max_pixels,
    )
    response = private_response({"data": media_out(media, urls, storage)}, status_code=201)
    response.headers["Location"] = urls.api(f"/admin/media/{media.id}")
    return response


def _described(alt: str | None, caption: str | None) -> MediaUpdate:
    """The form's alt and caption, held to the same rules as a PATCH (422 naming the field)."""
    try:
        return MediaUpdate(alt=alt, caption=caption)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "alt"
        raise Unprocessable(f"{field}: {first['msg']}", field=field) from None


@router.get("", response_model=Page[MediaOut], responses=problem_responses(400, 401))
def list_media(
    user: ContributorUser,
    session: SessionDep,
    storage: StorageDep,
    urls: UrlsDep,
    page: MediaListing,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in the filename or alt.")
    ] = None,
) -> Response:
    """The library, newest first unless `sort` says otherwise."""
    found, total = service.list_media(
        session, pagination=page.pagination, sort=page.sort or [], q=q
    )
    items = [media_out(media, urls, storage) for media in found]
    return private_page(page, items, total=total, q=q)


@router.get("/{media_id}", response_model=One[MediaOut], responses=problem_responses(400, 401, 404))
def get_media(
    media_id: MediaId,
    user: ContributorUser,
    session: SessionDep,
    storage: StorageDep,
    urls: UrlsDep,
) -> Response:
    """One library image."""
    media = service.get_media(session, media_id=media_id)
    return private_response({"data": media_out(media, urls, storage)})


@router.patch(
    "/{media_id}", response_model=One[MediaOut], responses=problem_responses(400, 401, 404, 422)
)
def update_media(
    media_id: MediaId,
    data: Annotated[MediaUpdate, Body()],
    user: ContributorUser,
    session: SessionDep,
    storage: StorageDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Change the alt text or the caption."""
    media = service.get_media(session, media_id=media_id)
    changes = data.model_dump(exclude_unset=True)
    service.update_media(session, media=media, changes=changes, actor=user, now=now)
    return private_response({"data": media_out(media, urls, storage)})


@router.delete("/{media_id}", status_code=204, responses=problem_responses(400, 401, 403, 404, 409))
def delete_media(
    media_id: MediaId, user: EditorUser, session: SessionDep, storage: StorageDep, now: NowDep
) -> Response:
    """Remove an image no post or author uses; one still used is a 409 naming them."""
    media = service.get_media(session, media_id=media_id)
    service.delete_media(session, media=media, storage=storage, actor=user, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
