"""add post seo fields

What a post tells search engines and social networks when it differs from its title,
excerpt and feature image: a meta title and description, a canonical URL, and Open Graph
and Twitter card texts and images. All null until an editor writes them; readers' front
ends fall back on the post's own fields then (API.md "Site settings and SEO fields").

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("meta_title", 300),
    ("meta_description", 500),
    ("canonical_url", 2000),
    ("og_image", 2000),
    ("og_title", 300),
    ("og_description", 500),
    ("twitter_image", 2000),
    ("twitter_title", 300),
    ("twitter_description", 500),
)


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column("posts", sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    for name, _length in reversed(COLUMNS):
        op.drop_column("posts", name)
