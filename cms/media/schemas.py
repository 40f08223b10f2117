"""Library images as the Admin API shows them (API.md, "Media"), and what editors change."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from cms.api.envelopes import SelfLinks
from cms.api.types import LINES, RequestBody
from cms.api.urls import Urls
from cms.media.details import VariantOut, image_details
from cms.media.models import Media
from cms.media.service import file_name
from cms.media.storage import Storage


class MediaOut(BaseModel):
    id: int
    url: str = Field(description="The image at full size, its metadata removed.")
    filename: str = Field(description="As uploaded: metadata only, never a stored name.")
    mime_type: str
    size: int = Field(description="Bytes of the file served.")
    width: int
    height: int
    alt: str | None
    caption: str | None
    variants: list[VariantOut] = Field(description="Narrower copies, in the format and WebP.")
    srcset: str = Field(description="Ready for an <img>: the format's variants and the original.")
    created_at: datetime
    links: SelfLinks


class MediaUpdate(RequestBody):
    """Only the fields sent change; `null` clears one."""

    alt: Annotated[str | None, LINES] = Field(default=None, max_length=1000)
    caption: Annotated[str | None, LINES] = Field(default=None, max_length=5000)


def media_out(media: Media, urls: Urls, storage: Storage) -> dict[str, Any]:
    def url(name: str) -> str:
        return storage.url(name, api_base=urls.api_base)

    details = image_details(media, url_of=url)
    return {
        "id": media.id,
        "url": url(file_name(media)),
        "filename": media.filename,
        "mime_type": media.mime_type,
        "size": media.size,
        "width": media.width,
        "height": media.height,
        "alt": media.alt,
        "caption": media.caption,
        "variants": details["variants"],
        "srcset": details["srcset"],
        "created_at": media.created_at,
        "links": {"self": urls.api(f"/admin/media/{media.id}")},
    }
