"""Every domain's tables, imported in one place so that Alembic sees one metadata."""

from sqlmodel import SQLModel

from cms.audit.models import AuditEvent
from cms.auth.models import ApiToken, LoginFailure
from cms.authors.models import Author
from cms.cache.models import ContentVersion
from cms.comments.models import Comment
from cms.ghost.models import ContentApiKey
from cms.importers.models import ImportSource
from cms.linked.models import PostAuthor, PostTag
from cms.media.models import Media
from cms.pageviews.models import PostViewDay, PostViewer
from cms.posts.models import Post, PostRevision, PostSlugRedirect, PostTotals
from cms.previews.models import PostPreview
from cms.site.models import SiteSettings
from cms.tags.models import Tag
from cms.users.models import User
from cms.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Author",
    "Comment",
    "ContentApiKey",
    "ContentVersion",
    "ImportSource",
    "LoginFailure",
    "Media",
    "Post",
    "PostAuthor",
    "PostPreview",
    "PostRevision",
    "PostSlugRedirect",
    "PostTag",
    "PostTotals",
    "PostViewDay",
    "PostViewer",
    "SiteSettings",
    "Tag",
    "User",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "metadata",
]
