"""Content API: tags."""

from cms.posts.association_routes import association_router
from cms.tags.schemas import TagOut, tag_out
from cms.tags.service import TAGS

router = association_router(TAGS, tag_out, TagOut, plural="tags")
