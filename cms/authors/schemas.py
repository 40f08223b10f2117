"""Authors as the API shows them (API.md, "An author")."""

from typing import Any

from pydantic import BaseModel, Field

from cms.api.envelopes import SelfLinks
from cms.api.urls import Urls
from cms.authors.models import Author
from cms.posts.associations import Counted


class AuthorOut(BaseModel):
    id: int
    slug: str
    name: str
    bio: str | None
    profile_image: str | None
    website: str | None
    post_count: int = Field(description="Published posts by this author.")
    url: str = Field(description="The author's page on the front end.")
    links: SelfLinks


class AuthorCreate(BaseModel):
    name: str = Field(min_length=1, max_length=191)
    slug: str | None = Field(default=None, max_length=180)
    bio: str | None = Field(default=None, max_length=5000)
    profile_image: str | None = Field(default=None, max_length=2000)
    website: str | None = Field(default=None, max_length=2000)


def author_out(counted: Counted[Author], urls: Urls) -> dict[str, Any]:
    author = counted.item
    return {
        "id": author.id,
        "slug": author.slug,
        "name": author.name,
        "bio": author.bio,
        "profile_image": author.profile_image,
        "website": author.website,
        "post_count": counted.post_count,
        "url": urls.author_page(slug=author.slug, id=author.id or 0),
        "links": {"self": urls.api(f"/authors/{author.slug}")},
    }
