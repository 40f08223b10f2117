"""keep the cache keys each write purges

Every raise of the content version is stored with the cache keys it changed
(cms.cache.purges), so that another process drops only the answers that show them instead
of everything it holds. The writer keeps the last 1,000 (cms.cache.version.PURGES_KEPT);
a process further behind drops everything, as every process did before this.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cache_purges",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )


def downgrade() -> None:
    op.drop_table("cache_purges")
