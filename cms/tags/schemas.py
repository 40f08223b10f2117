"""Tags as the API shows them (API.md: `id, slug, name, description, post_count, url, links`)."""

from typing import Any

from pydantic import BaseModel, Field

from cms.api.envelopes import SelfLinks
from cms.api.urls import Urls
from cms.posts.associations import Counted
from cms.tags.models import Tag


class TagOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str | None
    post_count: int = Field(description="Published posts with this tag.")
    url: str = Field(description="The tag's page on the front end.")
    links: SelfLinks


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
