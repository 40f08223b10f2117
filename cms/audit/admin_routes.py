"""Admin API: the audit log (admins and owners)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from cms.api.envelopes import Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page
from cms.audit import service
from cms.audit.schemas import AuditEventOut, audit_event_out
from cms.auth.dependencies import AdminUser
from cms.db import SessionDep
from cms.problems import problem_responses

router = APIRouter(prefix="/admin/audit", tags=["Admin: audit log"])
EVENT_FIELDS = frozenset(AuditEventOut.model_fields)
EventsListing = Annotated[Listing, Depends(listing(service.SORTING, EVENT_FIELDS))]


@router.get("", response_model=Page[AuditEventOut], responses=problem_responses(400, 401, 403))
def list_audit_events(
    _admin: AdminUser,
    session: SessionDep,
    page: EventsListing,
    action: Annotated[
        str | None, Query(max_length=64, description="Only this action, e.g. `user.create`.")
    ] = None,
    subject_type: Annotated[
        str | None, Query(max_length=32, description="Only events about this kind of thing.")
    ] = None,
    subject_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Only events about this thing.")
    ] = None,
) -> Response:
    """Who did what, and when: every write through the Admin API or the CLI, newest first
    unless `sort` says otherwise."""
    events, total = service.list_events(
        session,
        pagination=page.pagination,
        sort=page.sort or [],
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
    )
    items = [audit_event_out(event) for event in events]
    filters = {"action": action, "subject_type": subject_type, "subject_id": subject_id}
    return private_page(page, items, total=total, **filters)
