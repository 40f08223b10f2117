"""Admin API: authors (editors and up). Guest authors need no login account."""

from cms.authors.schemas import AdminAuthorOut, AuthorCreate, AuthorUpdate, admin_author_out
from cms.authors.service import AUTHORS
from cms.posts.association_routes import AdminShapes, admin_association_router

router = admin_association_router(
    AUTHORS,
    AdminShapes(
        create_model=AuthorCreate,
        update_model=AuthorUpdate,
        out_model=AdminAuthorOut,
        present=admin_author_out,
        unlink_on_delete=False,
        delete_rule="Remove an author who is on no post. One still on any post, drafts and "
        "trash included, is a 409: take them off those posts first.",
    ),
    plural="authors",
)
