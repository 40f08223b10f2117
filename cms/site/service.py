"""The site as a whole: what admins set (title, logo, navigation...), over the server's
defaults from the environment. Read by GET /api/v1/site, the feed and the Ghost API."""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from cms.audit import service as audit
from cms.config import Settings
from cms.site.models import SiteSettings
from cms.site.schemas import SiteUpdate
from cms.users.models import User

SITE_ROW = 1


@dataclass(frozen=True)
class Site:
    title: str
    description: str
    logo: str | None
    icon: str | None
    accent_color: str | None
    language: str
    timezone: str
    url: str
    navigation: list[dict[str, str]]

    def shown(self, *, self_url: str) -> dict[str, Any]:
        """As the API shows it (SiteOut), in its documented order."""
        return {**asdict(self), "links": {"self": self_url}}


def current_site(session: Session, *, settings: Settings) -> Site:
    """The site as readers see it: each setting an admin made, else the server's default."""
    row = session.get(SiteSettings, SITE_ROW) or SiteSettings()
    return Site(
        title=row.title or settings.site_title,
        description=row.description if row.description is not None else settings.site_description,
        logo=row.logo,
        icon=row.icon,
        accent_color=row.accent_color,
        language=row.language or settings.site_language,
        timezone=row.timezone or settings.site_timezone,
        url=settings.site_url,
        navigation=json.loads(row.navigation) if row.navigation else [],
    )


def update_site(
    session: Session, *, data: SiteUpdate, actor: User | None, now: datetime, settings: Settings
) -> Site:
    """Set the fields sent (null: back to the default); audited when anything changed."""
    row = session.get(SiteSettings, SITE_ROW)
    if row is None:  # migration 0022 makes the row; a database made otherwise may lack it
        row = SiteSettings(id=SITE_ROW)
        session.add(row)
    sent = sorted(data.model_fields_set)
    changed = [name for name in sent if _stored(data, name) != getattr(row, name)]
    for name in changed:
        setattr(row, name, _stored(data, name))
    if changed:
        row.updated_at = now
        row.updated_by_id = actor.id if actor else None
        session.flush()
        audit.record(
            session, actor=actor, action="site.update", subject_id=None, summary=", ".join(changed),
            now=now,
        )  # fmt: skip
    return current_site(session, settings=settings)


def _stored(data: SiteUpdate, name: str) -> Any:
    """A sent field as its column holds it: navigation as JSON, colours in lower case."""
    value = getattr(data, name)
    if name == "navigation" and value is not None:
        return json.dumps([link.model_dump() for link in value], separators=(",", ":"))
    if name == "accent_color" and value is not None:
        return value.lower()
    return value
