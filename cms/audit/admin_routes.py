"""Admin API: the audit log (admins and owners)."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from cms.api.envelopes import Page
from cms.api.listing import PaginationDep, fields_query, parse_fields, parse_sort, sort_query
from cms.api.responses import private_page
from cms.api.urls import UrlsDep
from cms.audit import service
from cms.audit.schemas import AuditEventOut, audit_event_out
from cms.auth.dependencies import AdminUser
from cms.db import SessionDep
from cms.problems import problem_responses

router = APIRouter(prefix="/admin/audit", tags=["Admin: audit log"])
EVENT_FIELDS = frozenset(AuditEventOut.model_fields)


@router.get("", response_model=Page[AuditEventOut], responses=problem_responses(400, 401, 403))
def list_audit_events(
    _admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    pagination: PaginationDep,
    action: Annotated[
        str | None, Query(max_length=64, description="Only this action, e.g. `user.create`.")
    ] = None,
    subject_type: Annotated[
        str | None, Query(max_length=32, description="Only events about this kind of thing.")
    ] = None,
    subject_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Only events about this thing.")
    ] = None,
    sort: Annotated[str | None, sort_query(service.SORTABLE)] = None,
    fields: Annotated[str | None, fields_query(EVENT_FIELDS)] = None,
) -> Response:
    """Who did what, and when: every write through the Admin API or the CLI, newest first
    unless `sort` says otherwise."""
    chosen = parse_fields(fields, EVENT_FIELDS)
    events, total = service.list_events(
        session,
        pagination=pagination,
        sort=parse_sort(sort, service.SORTABLE, service.DEFAULT_SORT),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
    )
    self_url = urls.api(
        "/admin/audit",
        page=pagination.page,
        limit=pagination.limit,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        sort=sort,
        fields=fields,
    )
    items = [audit_event_out(event) for event in events]
    return private_page(items, pagination=pagination, total=total, self_url=self_url, fields=chosen)
