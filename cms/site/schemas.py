"""Site settings as the API shows them and as admins write them (API.md, "Site settings and
SEO fields")."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from cms.api.envelopes import SelfLinks
from cms.api.types import LINES, RequestBody, WebUrl
from cms.config import LANGUAGE_PATTERN, time_zone

SiteTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


Timezone = Annotated[str, AfterValidator(time_zone)]


class NavigationLink(RequestBody):
    label: Label
    url: WebUrl


class SiteUpdate(RequestBody):
    """Only the fields sent change; `null` goes back to the server's default (CMS_SITE_*)."""

    title: SiteTitle | None = None
    description: Annotated[str | None, LINES] = Field(default=None, max_length=500)
    logo: WebUrl | None = None
    icon: WebUrl | None = None
    accent_color: str | None = Field(
        default=None, pattern=r"^#[0-9A-Fa-f]{6}$", description="A hex colour: #ff1a75."
    )
    language: str | None = Field(
        default=None,
        max_length=35,
        pattern=LANGUAGE_PATTERN,
        description="A BCP 47 tag: en, de-AT.",
    )
    timezone: Timezone | None = Field(default=None, description="An IANA name: Europe/Berlin.")
    navigation: list[NavigationLink] | None = Field(default=None, max_length=100)


class SiteOut(BaseModel):
    title: str
    description: str
    logo: str | None
    icon: str | None
    accent_color: str | None
    language: str
    timezone: str
    url: str = Field(description="The front end's address: CMS_SITE_URL.")
    navigation: list[NavigationLink]
    links: SelfLinks
