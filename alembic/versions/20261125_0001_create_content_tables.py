"""create content tables: posts, authors, tags, their links and post slug history

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(191), nullable=False, unique=True),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("profile_image", sa.String(2000), nullable=True),
        sa.Column("website", sa.String(2000), nullable=True),
        *_timestamps(),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(191), nullable=False, unique=True),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        *_timestamps(),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(191), nullable=False, unique=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_format", sa.String(16), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("plaintext", sa.Text(), nullable=False),
        sa.Column("custom_excerpt", sa.Text(), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("reading_time", sa.Integer(), nullable=False),
        sa.Column("feature_image", sa.String(2000), nullable=True),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
    )
    # The Content API's hot path: published posts, newest first.
    op.create_index("ix_posts_status_published_at", "posts", ["status", "published_at", "id"])
    op.create_table(
        "post_authors",
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "author_id",
            sa.Integer(),
            sa.ForeignKey("authors.id", ondelete="RESTRICT"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_post_authors_author_id", "post_authors", ["author_id"])
    op.create_table(
        "post_tags",
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "tag_id", sa.Integer(), sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_post_tags_tag_id", "post_tags", ["tag_id"])
    op.create_table(
        "post_slug_redirects",
        sa.Column("slug", sa.String(191), primary_key=True),
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_post_slug_redirects_post_id", "post_slug_redirects", ["post_id"])


def downgrade() -> None:
    op.drop_table("post_slug_redirects")
    op.drop_table("post_tags")
    op.drop_table("post_authors")
    op.drop_table("posts")
    op.drop_table("tags")
    op.drop_table("authors")
