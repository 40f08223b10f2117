"""Previews as the API shows them (API.md, "Previews")."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from cms.api.envelopes import SelfLinks
from cms.posts.schemas import PostOut


class PreviewOut(BaseModel):
    token: str = Field(description="Shown once: only its hash is kept.")
    expires_at: datetime
    url: str = Field(description="The front end's preview page: CMS_PREVIEW_PERMALINK.")
    links: SelfLinks = Field(description="`self`: the preview's own address in this API.")


class PreviewPostOut(PostOut):
    """The post as the Content API would show it once live, in whatever status it is."""

    status: Literal["draft", "scheduled", "published"]
    published_at: datetime | None  # type: ignore[assignment]
