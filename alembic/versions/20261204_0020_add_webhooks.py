"""add webhooks

Webhooks (a receiver's URL, the events it hears, its signing secret), the outbox of events
written with the changes that cause them, and one delivery per event and webhook with its
attempts. Posts scheduled before this migration get their waiting `post.published`, so
they announce themselves when their time comes like those scheduled after.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.String(length=500), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column(
            "post_id", sa.Integer(), sa.ForeignKey("posts.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column(
            "comment_id",
            sa.Integer(),
            sa.ForeignKey("comments.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "webhook_id",
            sa.Integer(),
            sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("previous", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("due_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_webhook_events_due_at", "webhook_events", ["due_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "webhook_id",
            sa.Integer(),
            sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("webhook_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=True),
        sa.Column("claimed_until", TIME, nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("attempted_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_deliveries_next_attempt_at", "webhook_deliveries", ["next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_webhook_id_id", "webhook_deliveries", ["webhook_id", "id"]
    )
    op.create_index("ix_webhook_deliveries_event_id", "webhook_deliveries", ["event_id"])
    _wait_for_scheduled_posts()


def _wait_for_scheduled_posts() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    posts = sa.table(
        "posts",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("published_at", TIME),
        sa.column("deleted_at", TIME),
    )
    scheduled = connection.execute(
        sa.select(posts.c.id, posts.c.published_at).where(
            posts.c.status == "published",
            posts.c.published_at > now,
            posts.c.deleted_at.is_(None),
        )
    ).all()
    events = sa.table(
        "webhook_events",
        sa.column("type", sa.String()),
        sa.column("message_id", sa.String()),
        sa.column("post_id", sa.Integer()),
        sa.column("previous", sa.Text()),
        sa.column("due_at", TIME),
        sa.column("created_at", TIME),
    )
    rows = [
        {
            "type": "post.published",
            "message_id": "msg_" + secrets.token_urlsafe(18),
            "post_id": post_id,
            "previous": '{"status": "scheduled"}',
            "due_at": going_live,
            "created_at": now,
        }
        for post_id, going_live in scheduled
    ]
    if rows:
        op.bulk_insert(events, rows)


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhook_events_due_at", "webhook_events")
    op.drop_table("webhook_events")
    op.drop_table("webhooks")
