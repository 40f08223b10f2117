"""Admins' webhooks: create (the secret shown once), edit, delete; the delivery log,
sending a delivery again, and a ping."""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from cms.api.urls import Urls
from cms.audit import service as audit
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.problems import NotFound, Unprocessable
from cms.users.models import User
from cms.webhooks import addresses, outbox, payloads
from cms.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from cms.webhooks.schemas import WebhookCreate, WebhookUpdate
from cms.webhooks.signing import new_secret

SORTING = Sorting(frozenset({"id", "url", "created_at", "updated_at"}), default="id")
DELIVERY_SORTING = Sorting(frozenset({"id", "created_at", "attempted_at"}), default="-id")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


def check_reachable(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host does not resolve, or resolves to a private address."""
    try:
        addresses.resolve(addresses.parse(url), allow_private=allow_private)
    except addresses.Refused as refused:
        raise Unprocessable(str(refused), field="url") from None


def create_webhook(
    session: Session, *, data: WebhookCreate, actor: User, now: datetime, allow_private: bool
) -> Webhook:
    check_reachable(data.url, allow_private=allow_private)
    webhook = Webhook(
        url=data.url,
        events=" ".join(data.events),
        enabled=data.enabled,
        secret=new_secret(),
        created_at=now,
        updated_at=now,
        created_by_id=actor.id,
    )
    session.add(webhook)
    session.flush()
    _audit(session, actor, "webhook.create", webhook, now)
    return webhook


def update_webhook(
    session: Session,
    *,
    webhook: Webhook,
    data: WebhookUpdate,
    actor: User,
    now: datetime,
    allow_private: bool,
) -> Webhook:
    sent = data.model_fields_set
    for name in sent:
        if getattr(data, name) is None:
            raise Unprocessable(f"{name} cannot be null", field=name)
    if data.url is not None and data.url != webhook.url:
        check_reachable(data.url, allow_private=allow_private)
        webhook.url = data.url
    if data.events is not None:
        webhook.events = " ".join(data.events)
    if data.enabled is not None:
        webhook.enabled = data.enabled
        if data.enabled:
            webhook.disabled_reason = None
    if session.is_modified(webhook):
        webhook.updated_at = now
        _audit(session, actor, "webhook.update", webhook, now, ", ".join(sorted(sent)))
    return webhook


def delete_webhook(session: Session, *, webhook: Webhook, actor: User, now: datetime) -> None:
    _audit(session, actor, "webhook.delete", webhook, now)
    session.delete(webhook)
    session.flush()


def get_webhook(session: Session, *, webhook_id: int) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook with id {webhook_id}")
    return webhook


def list_webhooks(
    session: Session, *, pagination: Pagination, sort: list[SortKey]
) -> tuple[list[Webhook], int]:
    rows = session.execute(
        select(Webhook)
        .order_by(*order_by(Webhook, sort))
        .offset(pagination.offset)
        .limit(pagination.limit)
    ).scalars()
    total = session.execute(select(func.count()).select_from(Webhook)).scalar_one()
    return list(rows), total


Logged = tuple[WebhookDelivery, WebhookEvent]


def list_deliveries(
    session: Session,
    *,
    webhook: Webhook,
    pagination: Pagination,
    sort: list[SortKey],
    status: str | None,
) -> tuple[list[Logged], int]:
    """The webhook's deliveries, newest first unless `sort` says otherwise."""
    where = [col(WebhookDelivery.webhook_id) == webhook.id]
    if status is not None:
        where.append(col(WebhookDelivery.status) == status)
    rows = session.execute(
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
        .where(*where)
        .order_by(*order_by(WebhookDelivery, sort, nulls_last=True))
        .offset(pagination.offset)
        .limit(pagination.limit)
    ).all()
    total = session.execute(
        select(func.count()).select_from(WebhookDelivery).where(*where)
    ).scalar_one()
    return [(delivery, event) for delivery, event in rows], total


def get_delivery(session: Session, *, webhook: Webhook, delivery_id: int) -> Logged:
    found = session.execute(
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
        .where(
            col(WebhookDelivery.id) == delivery_id, col(WebhookDelivery.webhook_id) == webhook.id
        )
    ).first()
    if found is None:
        raise NotFound(f"No delivery with id {delivery_id} for webhook {webhook.id}")
    return found[0], found[1]


def redeliver(
    session: Session, *, webhook: Webhook, delivery_id: int, actor: User, now: datetime
) -> Logged:
    """The same event again, as a new delivery (the old one's log stays): the same body and
    `webhook-id`, so a receiver that has it already can tell."""
    _, event = get_delivery(session, webhook=webhook, delivery_id=delivery_id)
    delivery = _queue(session, webhook, event, now)
    _audit(session, actor, "webhook.redeliver", webhook, now, f"delivery {delivery_id}")
    return delivery, event


def ping(session: Session, *, webhook: Webhook, actor: User, urls: Urls, now: datetime) -> Logged:
    """A `ping` event for this webhook alone, sent even while it is disabled (to check
    the receiver before enabling it again)."""
    event = outbox.ping(session, webhook=webhook, now=now)
    event.body = payloads.render(session, event, urls=urls, now=now)
    event.due_at = None  # its one delivery is made here
    delivery = _queue(session, webhook, event, now)
    _audit(session, actor, "webhook.ping", webhook, now)
    return delivery, event


def _queue(
    session: Session, webhook: Webhook, event: WebhookEvent, now: datetime
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        webhook_id=webhook.id or 0, event_id=event.id or 0, next_attempt_at=now, created_at=now
    )
    session.add(delivery)
    session.flush()
    outbox.wake_after_commit(session)
    return delivery


def _audit(
    session: Session, actor: User, action: str, webhook: Webhook, now: datetime, summary: str = ""
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_id=webhook.id,
        summary=summary or webhook.url,
        now=now,
    )
