"""describe feature and profile images

Posts keep their feature image's alt text and caption, and beside each post's feature
image and author's picture the image's measurements (JSON: width, height, srcset,
variants), copied from the media library when the post or author is saved: reads never
look the library up. No rows to fill in: the library arrived with 0017 in the same
release, so no post or author saved before this revision shows a library image.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTS = ("feature_image_alt", "feature_image_caption", "feature_image_details")


def upgrade() -> None:
    for name in POSTS:
        op.add_column("posts", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("authors", sa.Column("profile_image_details", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("authors", "profile_image_details")
    for name in reversed(POSTS):
        op.drop_column("posts", name)
