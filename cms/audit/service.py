"""The audit log: every write through the Admin API or the CLI leaves a line here."""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from cms.audit.models import AuditEvent
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.users.models import User


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    subject_id: int | None,
    subject_type: str | None = None,
    summary: str = "",
    now: datetime,
) -> None:
    """Note that `actor` (None: the command line) did `action` (`post.publish`) to a subject,
    of the kind the action names (`post`) unless `subject_type` says otherwise."""
    session.add(
        AuditEvent(
            at=now,
            actor_id=actor.id if actor else None,
            actor=actor.email if actor else "cli",
            action=action,
            subject_type=subject_type or action.partition(".")[0],
            subject_id=subject_id,
            summary=summary[:2000],
        )
    )
    session.flush()


SORTING = Sorting(
    frozenset({"id", "at", "actor", "action", "subject_type", "subject_id"}), default="-at"
)


def list_events(
    session: Session,
    *,
    pagination: Pagination,
    sort: list[SortKey],
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
) -> tuple[list[AuditEvent], int]:
    """A page of events in `sort` order, optionally for one action or subject."""
    where = []
    if action is not None:
        where.append(col(AuditEvent.action) == action)
    if subject_type is not None:
        where.append(col(AuditEvent.subject_type) == subject_type)
    if subject_id is not None:
        where.append(col(AuditEvent.subject_id) == subject_id)
    events = session.execute(
        select(AuditEvent)
        .where(*where)
        .order_by(*order_by(AuditEvent, sort, nulls_last=True))
        .offset(pagination.offset)
        .limit(pagination.limit)
    ).scalars()
    total = session.execute(select(func.count()).select_from(AuditEvent).where(*where)).scalar_one()
    return list(events), total
