"""Where imported rows came from (ImportSource): found again by the export's site, the kind
of record and its id there, so that a second run updates what the first one made."""

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from cms.importers.models import ImportSource

MAX_ID = 255  # the column's length: a longer id is kept as its hash


class Sources:
    def __init__(self, session: Session, *, source: str, now: datetime) -> None:
        self.session, self.source, self.now = session, source, now

    def find(self, kind: str, source_id: str, model: type) -> tuple[ImportSource | None, object]:
        """The mapping of `source_id` and the row it made, if that row is still here; a
        mapping whose row was deleted since (or whose id a newer row took) is forgotten,
        and the item is made again."""
        mapped = self.session.execute(
            select(ImportSource).where(
                col(ImportSource.source) == self.source,
                col(ImportSource.kind) == kind,
                col(ImportSource.source_id) == _key(source_id),
            )
        ).scalar_one_or_none()
        if mapped is None:
            return None, None
        row = self.session.get(model, mapped.local_id)
        if row is None or row.created_at != mapped.local_created_at:
            self.session.delete(mapped)
            self.session.flush()
            return None, None
        return mapped, row

    def remember(self, kind: str, source_id: str, row: Any, version: int | None = None) -> None:
        """That `row` (an author, tag, post or comment) came from `source_id`."""
        self.session.add(
            ImportSource(source=self.source, kind=kind, source_id=_key(source_id),
                         local_id=row.id, version=version, local_created_at=row.created_at,
                         imported_at=self.now)
        )  # fmt: skip
        self.session.flush()


def _key(source_id: str) -> str:
    if len(source_id) <= MAX_ID:
        return source_id
    return "sha256:" + hashlib.sha256(source_id.encode()).hexdigest()
