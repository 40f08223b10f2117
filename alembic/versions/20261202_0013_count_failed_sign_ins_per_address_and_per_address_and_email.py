"""count failed sign-ins per client address, and per address and e-mail together

Counting per e-mail alone let anyone lock an account's owner out, and let one client try
any number of e-mails. The counters are now keyed by a keyed hash (HMAC with
CMS_SECRET_KEY) of the client's address, or of the address and the e-mail together, so no
address or e-mail is stored. The old rows are only minutes of counting: they are dropped.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("login_failures")
    _create("key_hash", 64)


def downgrade() -> None:
    op.drop_table("login_failures")
    _create("email", 254)


def _create(key: str, length: int) -> None:
    op.create_table(
        "login_failures",
        sa.Column(key, sa.String(length), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
