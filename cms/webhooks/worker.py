"""The sender, running inside every `cms serve` process: it turns due events into one
delivery per webhook that hears them, sends what is due, and records each answer.

Several processes (and machines sharing one PostgreSQL) share the work without sending an
attempt twice: events and deliveries are taken with `FOR UPDATE SKIP LOCKED` (another
process skips what one holds), and a delivery being sent is claimed until `claimed_until`.
On SQLite one process at a time writes, which serialises the same steps. A process that
dies mid-send leaves its claim to run out: the attempt is made again (at least once)."""

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from typing import TypeVar

import httpx
from sqlalchemy import delete, exists, func, or_, select
from sqlmodel import Session, col

from cms.api.urls import Urls
from cms.config import Settings
from cms.db import Sessions
from cms.timestamps import Clock
from cms.webhooks import outbox, payloads, sending
from cms.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from cms.webhooks.sending import Outcome, Outgoing

log = logging.getLogger("cms.webhooks")
T = TypeVar("T")
# The waits after each failed attempt (Standard Webhooks' suggested schedule): eight
# attempts over about 28 hours, then the delivery has failed.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
LONGEST_WAIT = 24 * 3600  # a Retry-After beyond it waits this long
CLAIM = timedelta(minutes=2)  # longer than any attempt (the timeout is at most 60 s)
EVENTS_AT_ONCE = 100
PRUNE_EVERY = 600.0  # seconds


class WebhookWorker:
    def __init__(
        self, *, sessions: Sessions, clock: Clock, settings: Settings, urls: Callable[[], Urls]
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.urls = urls
        self._pruned = 0.0
        self._next_due: datetime | None = None  # the next event waiting for its time

    async def run(self) -> None:
        """Send until cancelled: at once after this process stores an event, else at each
        poll (events of other processes, retries and scheduled posts falling due)."""
        loop = asyncio.get_running_loop()
        news = asyncio.Event()

        def wake() -> None:  # called from whichever thread committed
            loop.call_soon_threadsafe(news.set)

        stop = outbox.on_news(wake)
        try:
            async with sending.client(self.settings.webhooks_timeout_seconds) as http:
                while True:
                    news.clear()
                    if await self._step_logged(http):
                        continue  # more may be due at once
                    with suppress(TimeoutError):
                        await asyncio.wait_for(news.wait(), self._pause())
        finally:
            stop()

    def _pause(self) -> float:
        """Until the next poll, or sooner if a scheduled post goes live before it."""
        pause = self.settings.webhooks_poll_seconds
        if self._next_due is not None:
            pause = min(pause, (self._next_due - self.clock()).total_seconds())
        return max(pause, 0.01)

    async def _step_logged(self, http: httpx.AsyncClient) -> int:
        try:
            return await self.step(http)
        except Exception:  # the database away, say: the next poll tries again
            log.exception("webhook deliveries failed; trying again at the next poll")
            return 0

    async def step(self, http: httpx.AsyncClient | None = None) -> int:
        """One round: due events out, due deliveries sent. How many attempts it made."""
        if http is None:
            async with sending.client(self.settings.webhooks_timeout_seconds) as own:
                return await self.step(own)
        batch: list[Outgoing] = []
        if await asyncio.to_thread(self._anything_due):
            await asyncio.to_thread(self._in_session, self._fan_out)
            batch = await asyncio.to_thread(self._in_session, self._claim)
        if batch:
            outcomes = await asyncio.gather(*(self._attempt(http, out) for out in batch))
            await asyncio.to_thread(self._in_session, self._record, batch, outcomes)
        if time.monotonic() - self._pruned > PRUNE_EVERY:
            await asyncio.to_thread(self._in_session, self._prune)
            self._pruned = time.monotonic()
        return len(batch)

    def _anything_due(self) -> bool:
        """Whether an event or a delivery is due: read first, so that an idle process never
        takes SQLite's write lock (the steps after it write)."""
        now = self.clock()
        with self.sessions(False) as session:
            event = select(col(WebhookEvent.id)).where(col(WebhookEvent.due_at) <= now).limit(1)
            delivery = (
                select(col(WebhookDelivery.id))
                .where(col(WebhookDelivery.next_attempt_at) <= now)
                .limit(1)
            )
            due = session.execute(event).first() or session.execute(delivery).first()
            self._next_due = session.execute(select(func.min(col(WebhookEvent.due_at)))).scalar()
        return due is not None

    def _in_session(self, work: Callable[..., T], *args: object) -> T:
        with self.sessions(True) as session:
            done = work(session, self.clock(), *args)
            session.commit()
            return done

    async def _attempt(self, http: httpx.AsyncClient, outgoing: Outgoing) -> Outcome:
        return await sending.attempt(
            http,
            outgoing,
            timeout=self.settings.webhooks_timeout_seconds,
            allow_private=self.settings.webhooks_allow_private,
        )

    def _fan_out(self, session: Session, now: datetime) -> None:
        """Each due event rendered once and given a delivery per webhook that hears it."""
        due = session.execute(
            select(WebhookEvent)
            .where(col(WebhookEvent.due_at) <= now)
            .order_by(col(WebhookEvent.due_at), col(WebhookEvent.id))
            .limit(EVENTS_AT_ONCE)
            .with_for_update(skip_locked=True)
        ).scalars()
        webhooks = list(session.execute(select(Webhook).where(col(Webhook.enabled))).scalars())
        for event in list(due):
            targets = self._targets(session, event, webhooks)
            body = payloads.render(session, event, urls=self.urls(), now=now) if targets else None
            if body is not None:
                event.body = body
                for webhook in targets:
                    session.add(
                        WebhookDelivery(
                            webhook_id=webhook.id or 0,
                            event_id=event.id or 0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
            event.due_at = None  # out: never again, whichever process looks
        session.flush()
        self._next_due = session.execute(select(func.min(col(WebhookEvent.due_at)))).scalar()

    @staticmethod
    def _targets(session: Session, event: WebhookEvent, webhooks: list[Webhook]) -> list[Webhook]:
        if event.type == outbox.PING:
            pinged = session.get(Webhook, event.webhook_id) if event.webhook_id else None
            return [pinged] if pinged else []
        return [webhook for webhook in webhooks if outbox.hears(webhook.events, event.type)]

    def _claim(self, session: Session, now: datetime) -> list[Outgoing]:
        """Up to CMS_WEBHOOKS_CONCURRENCY due deliveries, held by this process while sent."""
        rows = session.execute(
            select(WebhookDelivery, Webhook, WebhookEvent)
            .join(Webhook, col(Webhook.id) == WebhookDelivery.webhook_id)
            .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
            .where(
                col(WebhookDelivery.next_attempt_at) <= now,
                or_(
                    col(WebhookDelivery.claimed_until).is_(None),
                    col(WebhookDelivery.claimed_until) < now,
                ),
                or_(col(Webhook.enabled), col(WebhookEvent.type) == outbox.PING),
            )
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
            .limit(self.settings.webhooks_concurrency)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        ).all()
        claimed = []
        for delivery, webhook, event in rows:
            delivery.claimed_until = now + CLAIM
            claimed.append(
                Outgoing(
                    delivery_id=delivery.id or 0,
                    webhook_id=webhook.id or 0,
                    url=webhook.url,
                    secret=webhook.secret,
                    message_id=event.message_id,
                    body=event.body or "",
                )
            )
        return claimed

    def _record(
        self, session: Session, now: datetime, batch: list[Outgoing], outcomes: list[Outcome]
    ) -> None:
        for outgoing, outcome in zip(batch, outcomes, strict=True):
            delivery = session.get(WebhookDelivery, outgoing.delivery_id)
            if delivery is not None:  # else its webhook was deleted meanwhile
                record(session, delivery, outcome, now)

    def _prune(self, session: Session, now: datetime) -> None:
        """Forget deliveries ended more than CMS_WEBHOOKS_LOG_DAYS ago, and their events."""
        cutoff = now - timedelta(days=self.settings.webhooks_log_days)
        session.execute(
            delete(WebhookDelivery).where(
                col(WebhookDelivery.finished_at).is_not(None),
                col(WebhookDelivery.finished_at) < cutoff,
            )
        )
        session.execute(
            delete(WebhookEvent).where(
                col(WebhookEvent.due_at).is_(None),
                col(WebhookEvent.created_at) < cutoff,
                ~exists().where(col(WebhookDelivery.event_id) == WebhookEvent.id),
            )
        )


def record(session: Session, delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    """What one attempt's answer means for the delivery, and for its webhook on a 410."""
    delivery.attempts += 1
    delivery.attempted_at = now
    delivery.claimed_until = None
    delivery.status_code = outcome.status_code
    delivery.duration_ms = outcome.duration_ms
    delivery.response = outcome.response
    delivery.error = outcome.error
    if outcome.delivered:
        _end(delivery, "delivered", now)
    elif outcome.status_code == 410:
        _end(delivery, "failed", now)
        webhook = session.get(Webhook, delivery.webhook_id)
        if webhook is not None and webhook.enabled:
            webhook.enabled = False
            webhook.disabled_reason = f"The receiver answered 410 Gone at {now:%Y-%m-%dT%H:%M:%SZ}"
            webhook.updated_at = now
    elif delivery.attempts > len(RETRY_DELAYS):
        _end(delivery, "failed", now)
    else:
        wait: float = RETRY_DELAYS[delivery.attempts - 1]
        if outcome.retry_after is not None:
            wait = min(outcome.retry_after, LONGEST_WAIT)
        delivery.next_attempt_at = now + timedelta(seconds=wait)


def _end(delivery: WebhookDelivery, status: str, now: datetime) -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    delivery.finished_at = now
