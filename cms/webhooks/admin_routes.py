"""Admin API: webhooks, their delivery log, redelivery and ping (admins and up)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import AdminUser
from cms.db import SessionDep
from cms.problems import problem_responses
from cms.webhooks import service
from cms.webhooks.schemas import (
    CreatedWebhookOut,
    DeliveryOut,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
    delivery_out,
    webhook_out,
)

router = APIRouter(prefix="/admin/webhooks", tags=["Admin: webhooks"])
WebhooksListing = Annotated[
    Listing, Depends(listing(service.SORTING, frozenset(WebhookOut.model_fields)))
]
DeliveriesListing = Annotated[
    Listing, Depends(listing(service.DELIVERY_SORTING, frozenset(DeliveryOut.model_fields)))
]
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The webhook's id.")]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The delivery's id.")]
Status = Literal["pending", "delivered", "failed"]


@router.get("", response_model=Page[WebhookOut], responses=problem_responses(400, 401, 403))
def list_webhooks(
    _admin: AdminUser, session: SessionDep, urls: UrlsDep, page: WebhooksListing
) -> Response:
    """Every webhook, oldest first unless `sort` says otherwise. Secrets are never shown again."""
    webhooks, total = service.list_webhooks(
        session, pagination=page.pagination, sort=page.sort or []
    )
    return private_page(page, [webhook_out(webhook, urls) for webhook in webhooks], total=total)


@router.post(
    "",
    response_model=One[CreatedWebhookOut],
    status_code=201,
    responses=problem_responses(401, 403, 422),
)
def create_webhook(
    data: Annotated[WebhookCreate, Body()],
    user: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """A receiver for the events named. The answer carries its `secret`, the only time it is
    shown: keep it to verify each delivery's signature."""
    webhook = service.create_webhook(
        session, data=data, actor=user, now=now, allow_private=settings.webhooks_allow_private
    )
    shown = {**webhook_out(webhook, urls), "secret": webhook.secret}
    response = private_response({"data": shown}, status_code=201)
    response.headers["Location"] = shown["links"]["self"]
    return response


@router.get(
    "/{webhook_id}", response_model=One[WebhookOut], responses=problem_responses(400, 401, 403, 404)
)
def get_webhook(
    webhook_id: WebhookId, _admin: AdminUser, session: SessionDep, urls: UrlsDep
) -> Response:
    """One webhook: its URL, events and whether it is enabled (never its secret)."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    return private_response({"data": webhook_out(webhook, urls)})


@router.patch(
    "/{webhook_id}",
    response_model=One[WebhookOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
def update_webhook(
    webhook_id: WebhookId,
    data: Annotated[WebhookUpdate, Body()],
    user: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Change the fields sent. `"enabled": true` starts a webhook again after a 410; its
    deliveries that were waiting go out then."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    service.update_webhook(
        session,
        webhook=webhook,
        data=data,
        actor=user,
        now=now,
        allow_private=settings.webhooks_allow_private,
    )
    return private_response({"data": webhook_out(webhook, urls)})


@router.delete("/{webhook_id}", status_code=204, responses=problem_responses(400, 401, 403, 404))
def delete_webhook(
    webhook_id: WebhookId, user: AdminUser, session: SessionDep, now: NowDep
) -> Response:
    """Remove the webhook and its delivery log; nothing more is sent to it."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    service.delete_webhook(session, webhook=webhook, actor=user, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryOut],
    responses=problem_responses(400, 401, 403, 404),
)
def list_deliveries(
    webhook_id: WebhookId,
    _admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    page: DeliveriesListing,
    status: Annotated[Status | None, Query(description="Only deliveries in this state.")] = None,
) -> Response:
    """The delivery log, newest first: each event sent, its attempts, the last answer's status,
    duration and first KB, and when the next retry is due."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    found, total = service.list_deliveries(
        session, webhook=webhook, pagination=page.pagination, sort=page.sort or [], status=status
    )
    items = [delivery_out(delivery, event, urls) for delivery, event in found]
    return private_page(page, items, total=total, status=status)


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=One[DeliveryOut],
    responses=problem_responses(400, 401, 403, 404),
)
def get_delivery(
    webhook_id: WebhookId,
    delivery_id: DeliveryId,
    _admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
) -> Response:
    """One delivery: where it stands, and how the receiver last answered."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    delivery, event = service.get_delivery(session, webhook=webhook, delivery_id=delivery_id)
    return private_response({"data": delivery_out(delivery, event, urls)})


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=One[DeliveryOut],
    status_code=202,
    responses=problem_responses(400, 401, 403, 404),
)
def redeliver(
    webhook_id: WebhookId,
    delivery_id: DeliveryId,
    user: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Send that delivery's event again, as a new delivery (202: it is on its way)."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    delivery, event = service.redeliver(
        session, webhook=webhook, delivery_id=delivery_id, actor=user, now=now
    )
    return _accepted(delivery_out(delivery, event, urls))


@router.post(
    "/{webhook_id}/ping",
    response_model=One[DeliveryOut],
    status_code=202,
    responses=problem_responses(400, 401, 403, 404),
)
def ping(
    webhook_id: WebhookId, user: AdminUser, session: SessionDep, urls: UrlsDep, now: NowDep
) -> Response:
    """Send a `ping` event to this webhook (even a disabled one): follow `links.self` to see
    how the receiver answered."""
    webhook = service.get_webhook(session, webhook_id=webhook_id)
    delivery, event = service.ping(session, webhook=webhook, actor=user, urls=urls, now=now)
    return _accepted(delivery_out(delivery, event, urls))


def _accepted(shown: dict[str, object]) -> Response:
    response = private_response({"data": shown}, status_code=202)
    response.headers["Location"] = str(shown["links"]["self"])  # type: ignore[index]
    return response
