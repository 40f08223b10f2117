"""What a library image tells a page about itself, wherever it is shown: its size, its
variants and a srcset, so that front ends reserve its space and pick the right file.

Stored with what shows it (a post's feature image, an author's picture) when that is saved:
a library image never changes (its files are named by their content), so reads only copy."""

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session, col

from cms.media.models import Media

# The library's own file names, at the end of any address: `<sha256>[-<width>].<ext>`.
_LIBRARY_FILE = re.compile(r"/([0-9a-f]{64})(?:-\d+)?\.(?:jpg|png|webp|gif)$")


class VariantOut(BaseModel):
    width: int
    height: int
    mime_type: str
    url: str


class ImageDetails(BaseModel):
    """A library image's measurements; null for an image from elsewhere."""

    width: int
    height: int
    srcset: str
    variants: list[VariantOut]


def library_hash(url: str | None) -> str | None:
    """The content hash of the library file `url` names, if it names one."""
    found = _LIBRARY_FILE.search(url.split("?")[0]) if url else None
    return found.group(1) if found else None


def library_images(session: Session, urls: Sequence[str | None]) -> dict[str, Media]:
    """The library images these addresses show, by hash, in one query."""
    hashes = {digest for digest in map(library_hash, urls) if digest}
    if not hashes:
        return {}
    found = session.exec(select(Media).where(col(Media.hash).in_(hashes)))  # type: ignore[call-overload]
    return {media.hash: media for (media,) in found}


def image_details(media: Media, *, url_of: Any) -> dict[str, Any]:
    """`media` measured, each file's address given by `url_of(name)`."""
    variants = [
        {key: variant[key] for key in ("width", "height", "mime_type")}
        | {"url": url_of(variant["name"])}
        for variant in json.loads(media.variants)
    ]
    original = url_of(f"{media.hash}.{media.extension}")
    same_format = [v for v in variants if v["mime_type"] == media.mime_type]
    srcset = [f"{v['url']} {v['width']}w" for v in same_format] + [f"{original} {media.width}w"]
    return {
        "width": media.width,
        "height": media.height,
        "srcset": ", ".join(srcset),
        "variants": variants,
    }


def library_image(session: Session, url: str | None) -> Media | None:
    """The library image `url` shows, if it shows one."""
    return library_images(session, [url]).get(library_hash(url) or "")


def details_json(media: Media, url: str) -> str:
    """The details to store beside `url`, which shows `media`. Its files' addresses are made
    beside `url`, so they are wherever it is (the bucket, a CDN, this server)."""
    folder = url.split("?")[0].rsplit("/", 1)[0]
    return json.dumps(image_details(media, url_of=lambda name: f"{folder}/{name}"))


def shown(stored: str | None) -> dict[str, Any] | None:
    """Stored details as the API shows them."""
    return json.loads(stored) if stored else None
