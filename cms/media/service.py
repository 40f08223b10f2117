"""The media library's rules: what an upload must be, where its files go, and what a delete
must not break. Every write is audited."""

import hashlib
import json
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlmodel import Session, col

from cms.audit import service as audit
from cms.authors.models import Author
from cms.media import images
from cms.media.models import Media
from cms.media.storage import Storage
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.posts.models import Post
from cms.problems import Conflict, ContentTooLarge, NotFound, UnsupportedMediaType
from cms.users.models import User

SORTING = Sorting(
    frozenset({"id", "created_at", "filename", "size", "width", "height"}), default="-created_at"
)


def upload(
    session: Session,
    *,
    storage: Storage,
    data: bytes,
    filename: str,
    content_type: str | None,
    alt: str | None,
    caption: str | None,
    actor: User | None,
    now: datetime,
    widths: list[int],
    max_bytes: int,
    max_pixels: int,
) -> Media:
    """A new library image, its files stored before its row, so that a failed write leaves
    no row (a blocking call: it decodes and encodes the image)."""
    if len(data) > max_bytes:
        raise ContentTooLarge(f"The file is over {max_bytes / 2**20:.3g} MB", field="file")
    kind = images.sniff(data)
    if kind is None:
        raise UnsupportedMediaType(
            "Not an image the library takes: JPEG, PNG, WebP or GIF (SVG can carry script)",
            field="file",
        )
    images.check_claims(kind, filename=filename, content_type=content_type)
    processed = images.process_apart(data, kind=kind, widths=widths, max_pixels=max_pixels)
    digest = hashlib.sha256(data).hexdigest()
    original = processed.original
    files = [(f"{digest}.{original.extension}", original)]
    files += [(f"{digest}-{v.width}.{v.extension}", v) for v in processed.variants]
    _store(session, storage, digest, files)
    stored = [
        {"width": v.width, "height": v.height, "mime_type": v.mime_type, "name": name}
        for name, v in files[1:]
    ]
    media = Media(
        hash=digest,
        filename=clean_filename(filename, original.extension),
        mime_type=original.mime_type,
        extension=original.extension,
        size=len(original.data),
        width=original.width,
        height=original.height,
        alt=alt,
        caption=caption,
        variants=json.dumps(stored),
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(media)
    session.flush()
    _audit(session, actor, "create", media, now)
    return media


def _store(
    session: Session, storage: Storage, digest: str, files: list[tuple[str, images.Rendition]]
) -> None:
    """Every file, or none: a write that fails takes back the ones before it, unless another
    library item already holds these bytes (and so these very files)."""
    written: list[str] = []
    try:
        for name, rendition in files:
            storage.put(name, rendition.data, mime_type=rendition.mime_type)
            written.append(name)
    except BaseException:
        if not session.execute(select(col(Media.id)).where(col(Media.hash) == digest)).first():
            _remove(storage, written)
        raise


def clean_filename(filename: str, extension: str) -> str:
    """The uploaded name as metadata: its last path part, no control characters, at most 255
    characters. It never names a stored file."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".") or f"upload.{extension}"
    return name[-255:]


def file_name(media: Media) -> str:
    return f"{media.hash}.{media.extension}"


def variants_of(media: Media) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(media.variants)
    return found


def list_media(
    session: Session, *, pagination: Pagination, sort: list[SortKey], q: str | None
) -> tuple[list[Media], int]:
    """A page of the library, and how many match; `q` looks in filenames and alt texts."""
    where = []
    if q:
        pattern = f"%{q.lower()}%"
        where.append(
            or_(
                func.lower(col(Media.filename)).like(pattern),
                func.lower(col(Media.alt)).like(pattern),
            )
        )
    page = session.exec(  # type: ignore[call-overload]
        select(Media)
        .where(*where)
        .order_by(*order_by(Media, sort))
        .offset(pagination.offset)
        .limit(pagination.limit)
    )
    total = session.execute(select(func.count()).select_from(Media).where(*where)).scalar_one()
    return [row[0] for row in page], int(total)


def get_media(session: Session, *, media_id: int) -> Media:
    """The library image with this id, or NotFound."""
    media = session.get(Media, media_id)
    if media is None:
        raise NotFound(f"No media with id {media_id}")
    return media


def update_media(
    session: Session, *, media: Media, changes: dict[str, Any], actor: User | None, now: datetime
) -> Media:
    """Change alt or caption; audited, and `updated_at` moved, only when one really changed."""
    changed = [name for name, value in changes.items() if getattr(media, name) != value]
    for name in changed:
        setattr(media, name, changes[name])
    if changed:
        media.updated_at = now
        session.add(media)
        session.flush()
        _audit(session, actor, "update", media, now, ", ".join(changed))
    return media


def delete_media(
    session: Session, *, media: Media, storage: Storage, actor: User | None, now: datetime
) -> None:
    """Remove an image that no post or author uses (409 naming them); its files go too,
    unless another library item holds the same bytes."""
    name = file_name(media)
    posts, authors = _users_of(session, name)
    if posts or authors:
        raise Conflict(
            "This image is still used: take it off these posts and authors first",
            extra={"posts": posts, "authors": authors},
        )
    _audit(session, actor, "delete", media, now)
    session.delete(media)
    session.flush()
    others = session.execute(
        select(func.count()).select_from(Media).where(col(Media.hash) == media.hash)
    ).scalar_one()
    if not others:
        names = [name, *(variant["name"] for variant in variants_of(media))]
        # Only once the row is gone for good: a delete that rolls back keeps its files.
        event.listen(session, "after_commit", lambda _: _remove(storage, names), once=True)


def _remove(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _users_of(session: Session, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The posts (feature image or body) and authors (picture) that show this file or one
    of its variants, wherever the files are (they all start with the content's hash)."""
    address = f"%/{name.split('.')[0]}%"
    posts = session.execute(
        select(col(Post.id), col(Post.slug)).where(
            or_(col(Post.feature_image).like(address), col(Post.body).like(address))
        )
    ).all()
    authors = session.execute(
        select(col(Author.id), col(Author.slug)).where(col(Author.profile_image).like(address))
    ).all()
    return (
        [{"id": post_id, "slug": slug} for post_id, slug in posts],
        [{"id": author_id, "slug": slug} for author_id, slug in authors],
    )


def _audit(
    session: Session, actor: User | None, verb: str, media: Media, now: datetime, detail: str = ""
) -> None:
    summary = f"{media.filename}: {detail}" if detail else media.filename
    audit.record(
        session,
        actor=actor,
        action=f"media.{verb}",
        subject_id=media.id,
        summary=summary,
        now=now,
    )
