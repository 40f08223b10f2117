"""add site settings

One row of what front ends show of the site as a whole, editable by admins: its title,
description, logo, icon, accent colour, language, timezone and navigation. A null column
means the environment's default (CMS_SITE_TITLE, ...), so a site that never edits them
behaves as before; the row is made on the first edit.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("logo", sa.String(length=2000), nullable=True),
        sa.Column("icon", sa.String(length=2000), nullable=True),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("navigation", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("site_settings")
