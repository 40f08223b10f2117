"""The library's files, when they are on local disk: GET /media/<name>. A name is made from
the file's content, so what it names never changes: browsers and CDNs may keep it forever."""

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import FileResponse, RedirectResponse, Response

from cms.cache import keys
from cms.media.admin_routes import StorageDep
from cms.media.images import FORMATS
from cms.media.storage import IMMUTABLE, LocalStorage, safe_name
from cms.problems import NotFound, problem_responses

router = APIRouter(prefix="/media", tags=["Media files"])
_TYPES = {extension: mime_type for mime_type, extension in FORMATS.values()}


@router.get("/{name}", responses={200: {"content": {"image/*": {}}}, **problem_responses(404)})
def get_media_file(name: Annotated[str, Path(max_length=100)], storage: StorageDep) -> Response:
    """A stored image or variant. With the files in a bucket, a lasting redirect there: the
    addresses of files once on local disk keep working once they are copied over."""
    if not isinstance(storage, LocalStorage) and safe_name(name):
        return RedirectResponse(storage.url(name, api_base=""), status_code=301)
    path = storage.path(name) if isinstance(storage, LocalStorage) else None
    if path is None:
        raise NotFound(f"No media file {name!r}")
    mime_type = _TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    # Named by its content: a CDN (and this server's cache) drops it only once it is deleted.
    named = keys.headers([keys.media(name.split("-")[0].split(".")[0])])
    return FileResponse(path, media_type=mime_type, headers={"Cache-Control": IMMUTABLE, **named})
