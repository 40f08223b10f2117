"""Absolute addresses: `links` point into this API, `url` fields point at the front end."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from cms.config import Settings

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Urls:
    api_base: str  # e.g. https://api.example.com (no trailing slash)
    settings: Settings

    def api(self, path: str, **query: object) -> str:
        params = {key: value for key, value in query.items() if value is not None}
        suffix = f"?{urlencode(params)}" if params else ""
        return f"{self.api_base}{API_PREFIX}{path}{suffix}"

    def post_page(self, *, slug: str, id: int, published_at: datetime | None) -> str:
        when = published_at
        pattern = self.settings.permalink_post
        path = pattern.format(
            slug=slug,
            id=id,
            year=f"{when.year:04d}" if when else "",
            month=f"{when.month:02d}" if when else "",
            day=f"{when.day:02d}" if when else "",
        )
        return self.settings.site_url + path

    def author_page(self, *, slug: str, id: int) -> str:
        return self.settings.site_url + self.settings.permalink_author.format(slug=slug, id=id)

    def tag_page(self, *, slug: str, id: int) -> str:
        return self.settings.site_url + self.settings.permalink_tag.format(slug=slug, id=id)


async def get_urls(request: Request) -> Urls:
    settings: Settings = request.app.state.settings
    base = settings.api_url or str(request.base_url).rstrip("/")
    return Urls(api_base=base, settings=settings)


UrlsDep = Annotated[Urls, Depends(get_urls)]
