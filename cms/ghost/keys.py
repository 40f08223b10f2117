"""Content API keys for the Ghost-compatible API: made by admins (or the CLI), shown once,
kept hashed, revoked at once. Ghost's keys are 26 hex characters, and Ghost's client checks
that shape before it sends anything, so ours are the same."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from cms.audit import service as audit
from cms.ghost.models import ContentApiKey
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.problems import NotFound
from cms.users.models import User

SORTING = Sorting(frozenset({"id", "name", "created_at", "revoked_at"}), default="-created_at")
KEY_SHAPE = re.compile(r"^[0-9a-f]{26}$")


@dataclass(frozen=True)
class IssuedKey:
    record: ContentApiKey
    key: str  # shown once: only its hash is kept


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, name: str, actor: User | None, now: datetime) -> IssuedKey:
    """A new key for a front end (104 random bits, as Ghost's)."""
    key = secrets.token_hex(13)
    record = ContentApiKey(
        name=name,
        key_hash=_hash(key),
        hint=key[:6],
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(record)
    session.flush()
    audit.record(
        session, actor=actor, action="content_key.create", subject_id=record.id, summary=name,
        now=now,
    )  # fmt: skip
    return IssuedKey(record=record, key=key)


def list_keys(
    session: Session, *, pagination: Pagination, sort: list[SortKey]
) -> tuple[list[ContentApiKey], int]:
    """A page of keys, revoked ones too, in `sort` order."""
    query = (
        select(ContentApiKey)
        .order_by(*order_by(ContentApiKey, sort, nulls_last=True))
        .offset(pagination.offset)
        .limit(pagination.limit)
    )
    rows = list(session.execute(query).scalars())
    total = session.execute(select(func.count()).select_from(ContentApiKey)).scalar_one()
    return rows, total


def get_key(session: Session, *, key_id: int) -> ContentApiKey:
    record = session.get(ContentApiKey, key_id)
    if record is None:
        raise NotFound(f"No content API key with id {key_id}")
    return record


def revoke_key(
    session: Session, *, key_id: int, actor: User | None, now: datetime
) -> ContentApiKey:
    """End a key at once; revoking twice changes nothing."""
    record = get_key(session, key_id=key_id)
    if record.revoked_at is None:
        record.revoked_at = now
        session.add(record)
        session.flush()
        audit.record(
            session, actor=actor, action="content_key.revoke", subject_id=record.id,
            summary=record.name, now=now,
        )  # fmt: skip
    return record


def key_in_use(session: Session, *, key: str) -> int | None:
    """The id of the live key `key` is, or None (wrong shape, unknown or revoked)."""
    if not KEY_SHAPE.match(key):
        return None
    found = session.execute(
        select(col(ContentApiKey.id)).where(
            col(ContentApiKey.key_hash) == _hash(key), col(ContentApiKey.revoked_at).is_(None)
        )
    ).scalar()
    return int(found) if found is not None else None
