"""add import sources

Where each imported row came from: the export it was read from (a WordPress site's
address, or "ghost"), the kind of record, its id in that export, the row it became here,
and for posts the version they had when imported. Running the same import again finds
its rows by these and updates them instead of adding copies; a post whose version has
moved on since was edited in cms, and is left alone unless the import is told otherwise.
The row's own created_at tells it from a newer row that took its id once it was deleted
(SQLite hands out the highest id again).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("local_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "kind", "source_id"),
    )


def downgrade() -> None:
    op.drop_table("import_sources")
