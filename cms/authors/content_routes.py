"""Content API: authors."""

from cms.authors.schemas import AuthorOut, author_out
from cms.authors.service import AUTHORS
from cms.posts.association_routes import association_router

router = association_router(AUTHORS, author_out, AuthorOut, plural="authors")
