"""Content API keys as the Admin API shows them and takes them."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from cms.api.envelopes import SelfLinks
from cms.api.types import RequestBody
from cms.api.urls import Urls
from cms.ghost.models import ContentApiKey


class ContentKeyCreate(RequestBody):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=191)]


class ContentKeyOut(BaseModel):
    id: int
    name: str
    hint: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None
    links: SelfLinks


class CreatedContentKeyOut(ContentKeyOut):
    key: str = Field(description="Send as `?key=` to /ghost/api/content/. Shown only here.")


def content_key_out(record: ContentApiKey, urls: Urls) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "hint": record.hint,
        "created_at": record.created_at,
        "revoked_at": record.revoked_at,
        "links": {"self": urls.api(f"/admin/content-keys/{record.id}")},
    }
