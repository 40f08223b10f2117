"""Tags as the API shows them (API.md: `id, slug, name, description, post_count, url, links`),
and as editors write them."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from cms.api.envelopes import SelfLinks
from cms.api.types import LINES, RequestBody
from cms.api.urls import Urls
from cms.linked.records import Counted
from cms.linked.schemas import NewName, NewSlug, RecordName, SlugText
from cms.tags.models import Tag


class TagOut(BaseModel):
    """Every field is present unless `fields` narrows the selection."""

    id: int
    slug: str
    name: str
    description: str | None
    post_count: int = Field(description="Published posts with this tag.")
    url: str = Field(description="The tag's page on the front end.")
    links: SelfLinks


class AdminTagOut(TagOut):
    """A tag as editors see it: `links.self` is its Admin API address."""

    created_at: datetime
    updated_at: datetime


class TagCreate(RequestBody):
    name: RecordName
    slug: SlugText | None = Field(default=None, description="Default: made from the name.")
    description: Annotated[str | None, LINES] = Field(default=None, max_length=5000)


class TagUpdate(RequestBody):
    """Only the fields sent change; `null` clears the description."""

    name: NewName = None
    slug: NewSlug = None
    description: Annotated[str | None, LINES] = Field(default=None, max_length=5000)


def tag_out(counted: Counted[Tag], urls: Urls) -> dict[str, Any]:
    tag = counted.item
    return {
        "id": tag.id,
        "slug": tag.slug,
        "name": tag.name,
        "description": tag.description,
        "post_count": counted.post_count,
        "url": urls.tag_page(slug=tag.slug, id=tag.id or 0),
        "links": {"self": urls.api(f"/tags/{tag.slug}")},
    }


def admin_tag_out(counted: Counted[Tag], urls: Urls) -> dict[str, Any]:
    tag = counted.item
    return {
        **tag_out(counted, urls),
        "links": {"self": urls.api(f"/admin/tags/{tag.id}")},
        "created_at": tag.created_at,
        "updated_at": tag.updated_at,
    }
