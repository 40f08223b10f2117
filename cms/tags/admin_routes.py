"""Admin API: tags (editors and up)."""

from cms.posts.association_routes import AdminShapes, admin_association_router
from cms.tags.schemas import AdminTagOut, TagCreate, TagUpdate, admin_tag_out
from cms.tags.service import TAGS

router = admin_association_router(
    TAGS,
    AdminShapes(
        create_model=TagCreate,
        update_model=TagUpdate,
        out_model=AdminTagOut,
        present=admin_tag_out,
        unlink_on_delete=True,
        delete_rule="Remove a tag; the posts that carried it stay, without it.",
    ),
    plural="tags",
)
