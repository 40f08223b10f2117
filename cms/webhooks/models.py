from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow
from cms.webhooks.signing import new_message_id


class Webhook(SQLModel, table=True):
    """A receiver and the events it hears. Its secret signs every delivery, so it is kept
    as it is (a hash could not sign); the API shows it once, at creation."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    events: str = Field(max_length=500)  # space-separated names, or "*"
    enabled: bool = True
    secret: str = Field(max_length=64)  # whsec_<base64 of 24 random bytes>
    # Why it stopped by itself (the receiver answered 410 Gone), until an admin enables it.
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )


class WebhookEvent(SQLModel, table=True):
    """The outbox: something that happened, written in the transaction of the change that
    caused it, so a change that rolls back leaves no event and a committed one keeps it.

    `due_at` is set while the event waits to be sent out (now, for most; a scheduled post's
    time, for its `post.published`); the worker then writes `body`, the payload every
    delivery of it signs, and makes one delivery per webhook that hears it."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_due_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=40)
    # webhook-id: msg_<random>, the same on every attempt and redelivery
    message_id: str = Field(default_factory=new_message_id, max_length=40, unique=True)
    post_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="SET NULL"), nullable=True),
    )
    comment_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("comments.id", ondelete="SET NULL"), nullable=True),
    )
    # Only for a ping, the one webhook it goes to (whatever the webhook hears).
    webhook_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=True),
    )
    previous: str | None = Field(default=None, sa_type=Text)  # JSON: the changed fields' values
    body: str | None = Field(default=None, sa_type=Text)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event to one webhook: its attempts so far, the last one's answer, and when the
    next is due (`next_attempt_at`, None once it ended: delivered, or given up)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_next_attempt_at", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webhook_events.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    status: str = Field(default="pending", max_length=16)  # pending, delivered, failed
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A process sending it holds it until then: no other sends the same attempt.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_code: int | None = None
    duration_ms: int | None = None
    response: str | None = Field(default=None, sa_type=Text)  # the answer's first KB
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
