"""Authors as the API shows them (API.md, "An author"), and as editors write them."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from cms.api.envelopes import SelfLinks
from cms.api.types import LINES, RequestBody, WebUrl
from cms.api.urls import Urls
from cms.authors.models import Author
from cms.linked.records import Counted
from cms.linked.schemas import NewName, NewSlug, RecordName, SlugText
from cms.media.details import ImageDetails, shown


class AuthorOut(BaseModel):
    """Every field is present unless `fields` narrows the selection."""

    id: int
    slug: str
    name: str
    bio: str | None
    profile_image: str | None
    profile_image_details: ImageDetails | None = Field(
        description="Size, variants and srcset of a library image; null for one from elsewhere."
    )
    website: str | None
    post_count: int = Field(description="Published posts by this author.")
    url: str = Field(description="The author's page on the front end.")
    links: SelfLinks


class AdminAuthorOut(AuthorOut):
    """An author as editors see it: `links.self` is its Admin API address."""

    created_at: datetime
    updated_at: datetime


class AuthorCreate(RequestBody):
    name: RecordName
    slug: SlugText | None = Field(default=None, description="Default: made from the name.")
    bio: Annotated[str | None, LINES] = Field(default=None, max_length=5000)
    profile_image: WebUrl | None = None
    website: WebUrl | None = None


class AuthorUpdate(RequestBody):
    """Only the fields sent change; `null` clears bio, profile_image and website."""

    name: NewName = None
    slug: NewSlug = None
    bio: Annotated[str | None, LINES] = Field(default=None, max_length=5000)
    profile_image: WebUrl | None = None
    website: WebUrl | None = None


def author_out(counted: Counted[Author], urls: Urls) -> dict[str, Any]:
    author = counted.item
    return {
        "id": author.id,
        "slug": author.slug,
        "name": author.name,
        "bio": author.bio,
        "profile_image": author.profile_image,
        "profile_image_details": shown(author.profile_image_details),
        "website": author.website,
        "post_count": counted.post_count,
        "url": urls.author_page(slug=author.slug, id=author.id or 0),
        "links": {"self": urls.api(f"/authors/{author.slug}")},
    }


def admin_author_out(counted: Counted[Author], urls: Urls) -> dict[str, Any]:
    author = counted.item
    return {
        **author_out(counted, urls),
        "links": {"self": urls.api(f"/admin/authors/{author.id}")},
        "created_at": author.created_at,
        "updated_at": author.updated_at,
    }
