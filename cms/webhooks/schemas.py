"""Webhooks and their deliveries as the Admin API shows them (API.md, "Webhooks"), and as
admins write them."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from cms.api.types import RequestBody
from cms.api.urls import Urls
from cms.webhooks import addresses
from cms.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from cms.webhooks.outbox import EVENTS, EVERY

EVENT_NAMES = (*EVENTS, EVERY)
URL_DOC = "Where deliveries go: http(s), a public host, no credentials, at most 2,000 characters."
EVENTS_DOC = f"What it hears: any of {', '.join(EVENT_NAMES)} (`*`: every event)."


def _checked_url(value: str | None) -> str | None:
    if value is not None:
        addresses.parse(value)  # its Refused is a ValueError: a 422 naming `url`
    return value


def _checked_events(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [name for name in value if name not in EVENT_NAMES]
    if unknown:
        raise ValueError(f"Unknown event {unknown[0]!r}: events are {', '.join(EVENT_NAMES)}")
    return list(dict.fromkeys(value))  # in the order given, each once


class WebhookCreate(RequestBody):
    url: str = Field(description=URL_DOC)
    events: list[str] = Field(min_length=1, max_length=len(EVENT_NAMES) * 2, description=EVENTS_DOC)
    enabled: bool = True

    _url = field_validator("url")(_checked_url)
    _events = field_validator("events")(_checked_events)


class WebhookUpdate(RequestBody):
    url: str | None = Field(default=None, description=URL_DOC)
    events: list[str] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_NAMES) * 2, description=EVENTS_DOC
    )
    enabled: bool | None = Field(default=None, description="true also clears `disabled_reason`.")

    _url = field_validator("url")(_checked_url)
    _events = field_validator("events")(_checked_events)


class WebhookLinks(BaseModel):
    self: str
    deliveries: str


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why it stopped by itself (the receiver answered 410), else null."
    )
    created_at: datetime
    updated_at: datetime
    links: WebhookLinks


class CreatedWebhookOut(WebhookOut):
    secret: str = Field(
        description="`whsec_...`: verifies the `webhook-signature` of every delivery. Shown "
        "only in this answer."
    )


class DeliveryLinks(BaseModel):
    self: str
    redeliver: str
    webhook: str


class DeliveryOut(BaseModel):
    id: int
    event: str = Field(description="The event's type, e.g. `post.published`.")
    event_id: int
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    status_code: int | None = Field(description="The last attempt's answer; null: none came.")
    duration_ms: int | None
    response: str | None = Field(description="The last answer's first KB.")
    error: str | None = Field(description="Why the last attempt got no answer (a timeout...).")
    next_attempt_at: datetime | None = Field(description="The next retry; null once ended.")
    created_at: datetime
    attempted_at: datetime | None
    finished_at: datetime | None
    links: DeliveryLinks


def webhook_out(webhook: Webhook, urls: Urls) -> dict[str, Any]:
    address = f"/admin/webhooks/{webhook.id}"
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": webhook.events.split(),
        "enabled": webhook.enabled,
        "disabled_reason": webhook.disabled_reason,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
        "links": {"self": urls.api(address), "deliveries": urls.api(f"{address}/deliveries")},
    }


def delivery_out(delivery: WebhookDelivery, event: WebhookEvent, urls: Urls) -> dict[str, Any]:
    address = f"/admin/webhooks/{delivery.webhook_id}/deliveries/{delivery.id}"
    return {
        "id": delivery.id,
        "event": event.type,
        "event_id": event.id,
        "message_id": event.message_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "status_code": delivery.status_code,
        "duration_ms": delivery.duration_ms,
        "response": delivery.response,
        "error": delivery.error,
        "next_attempt_at": delivery.next_attempt_at,
        "created_at": delivery.created_at,
        "attempted_at": delivery.attempted_at,
        "finished_at": delivery.finished_at,
        "links": {
            "self": urls.api(address),
            "redeliver": urls.api(f"{address}/redeliver"),
            "webhook": urls.api(f"/admin/webhooks/{delivery.webhook_id}"),
        },
    }
