"""What a write changed, as cache keys (cms.cache.keys), read off the rows it flushes.

A session that `collect`s notes, at every flush, the keys of what readers may see change:
an edited published post is `post-<id>`, `posts` and `feeds`; a draft's autosave or a
reader's pending comment is nothing at all, so it drops nothing cached. Statements that
change rows in bulk name no rows: they say what they change with the execution option
`cache_keys`, or the write counts as changing everything. So does a row of a table this
module does not know: a new table is purged in full until someone names its keys.
"""

from collections.abc import Iterable

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from cms.authors.models import Author
from cms.cache import keys
from cms.comments.models import Comment, CommentStatus
from cms.ghost.models import ContentApiKey
from cms.linked.models import PostAuthor, PostTag
from cms.media.models import Media
from cms.posts.models import Post, PostSlugRedirect, PostStatus
from cms.site.models import SiteSettings
from cms.tags.models import Tag

EVERYTHING = keys.EVERYTHING
# Tables readers never see, in whole or in part (post_totals is written by triggers).
UNSEEN = {
    "users",
    "tokens",
    "login_failures",
    "audit_events",
    "post_revisions",
    "post_previews",  # never cached: a preview's answer is private
    "post_viewers",
    "post_view_days",
    "post_totals",
    "content_version",
    "cache_purges",
    "import_sources",  # where imported rows came from
    "webhooks",  # the outbox and its log: what the receivers hear of, never readers
    "webhook_events",
    "webhook_deliveries",
}
INFO = "cache_keys"


def collect(session: Session) -> None:
    """Note, in `session.info`, the keys of everything the session writes from now on."""
    event.listen(session, "after_flush", _flushed)
    event.listen(session, "do_orm_execute", _executed)
    event.listen(session, "after_rollback", lambda session: session.info.pop(INFO, None))


def take(session: Session) -> set[str]:
    """The keys noted since the last take (the last commit), forgotten by this call."""
    return session.info.pop(INFO, set())


def _note(session: OrmSession, names: Iterable[str]) -> None:
    session.info.setdefault(INFO, set()).update(names)


def _flushed(session: Session, _context: object) -> None:
    # After the flush: new rows have their ids, and each attribute still knows its old value.
    for row in session.new:
        _note(session, _row_keys(session, row, before=False, after=True))
    for row in session.dirty:
        _note(session, _row_keys(session, row, before=True, after=True))
    for row in session.deleted:
        _note(session, _row_keys(session, row, before=True, after=False))


def _executed(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    named = state.execution_options.get("cache_keys")
    if named is not None:
        _note(state.session, named)
        return
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table) or table.name not in UNSEEN:
        _note(state.session, [EVERYTHING])


def _row_keys(session: Session, row: object, *, before: bool, after: bool) -> set[str]:
    """The keys of answers that may show `row` as it was (`before`) or is (`after`)."""
    if isinstance(row, Post):
        return _post_keys(row, before=before, after=after)
    if isinstance(row, PostTag | PostAuthor):
        post = session.identity_map.get(inspect(Post).identity_key_from_primary_key((row.post_id,)))
        if isinstance(post, Post):
            return _post_keys(post, before=True, after=True)
        return {keys.post(row.post_id), keys.POSTS, keys.FEEDS}
    if isinstance(row, Comment):
        if not _ever(row, "status", CommentStatus.APPROVED, before=before, after=after):
            return set()  # pending, spam or deleted, and still: nobody saw it
        return {keys.comments(row.post_id), keys.post(row.post_id), keys.POSTS}
    if isinstance(row, Author) and row.id is not None:
        return {keys.author(row.id), keys.AUTHORS, keys.FEEDS}
    if isinstance(row, Tag) and row.id is not None:
        return {keys.tag(row.id), keys.TAGS, keys.FEEDS}
    if isinstance(row, Media):
        # Readers see its files, never the row: only answers of those files, once deleted.
        return {keys.media(row.hash)}
    if isinstance(row, ContentApiKey):
        # A new key has no answers yet; a revoked one's must go, from caches and CDNs alike.
        return {keys.content_key(row.id)} if row.revoked_at and row.id is not None else set()
    if isinstance(row, SiteSettings):
        return {keys.SITE, keys.FEEDS}  # the feed shows the site's title and description
    if isinstance(row, PostSlugRedirect):
        return {keys.post(row.post_id)}  # a former slug answers with a redirect, never kept
    if getattr(row, "__tablename__", None) in UNSEEN:
        return set()
    return {EVERYTHING}


def _post_keys(post: Post, *, before: bool, after: bool) -> set[str]:
    # Published covers scheduled ones too: when it goes live is in each cache's check.
    if not _ever(post, "status", PostStatus.PUBLISHED, before=before, after=after):
        return set()  # a draft, and still one: readers never saw it
    if post.id is None:
        return {EVERYTHING}
    # Its comments too: they answer only while the post is live at that slug.
    return {keys.post(post.id), keys.comments(post.id), keys.POSTS, keys.FEEDS}


def _ever(row: object, name: str, value: str, *, before: bool, after: bool) -> bool:
    """Whether the row's attribute `name` was `value` before this flush, or is now."""
    state = inspect(row)
    history = state.attrs[name].history
    if before and state.has_identity and not history.unchanged and not history.deleted:
        return True  # its old value was not loaded: it may have been
    now = [*history.unchanged, *history.added]
    then = [*history.unchanged, *history.deleted] if history.deleted else now
    return (before and value in then) or (after and value in now)
