"""Every domain's tables, imported in one place so that Alembic sees one metadata."""

from sqlmodel import SQLModel

from cms.authors.models import Author
from cms.posts.models import Post, PostAuthor, PostSlugRedirect, PostTag
from cms.tags.models import Tag

metadata = SQLModel.metadata

__all__ = ["Author", "Post", "PostAuthor", "PostSlugRedirect", "PostTag", "Tag", "metadata"]
