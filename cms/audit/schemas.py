"""Audit events as the Admin API shows them."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from cms.audit.models import AuditEvent


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="Who: their e-mail at the time, or `cli` for the command line.")
    actor_id: int | None = Field(description="The acting user, while that account exists.")
    action: str = Field(description="What, e.g. `user.create`, `token.revoke`, `post.publish`.")
    subject_type: str
    subject_id: int | None
    summary: str


def audit_event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "actor_id": event.actor_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "summary": event.summary,
    }
