"""What every process's response cache (cms.http.cache) reads from the database at each
check: the content version and the keys of its purges (cms.cache.version), and what the
domains tell it through the app's wiring: when the next scheduled post goes live (posts),
and which posts were viewed since (pageviews)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect
from sqlmodel import Session

from cms.cache import version


@dataclass(frozen=True)
class DatabaseState:
    going_live: Callable[[datetime], ScalarSelect[datetime | None]]
    viewed_since: Callable[[Session, datetime], list[tuple[int, datetime]]]

    def version(self, session: Session, *, now: datetime) -> tuple[int, datetime | None]:
        """(the content version, when the next scheduled post goes live)."""
        return version.read(session, going_live=self.going_live(now))

    def purged_since(self, session: Session, known: int) -> list[tuple[int, set[str]]]:
        """The purges after version `known`, oldest first."""
        return version.purged_since(session, known)
