"""Library images inside a post's HTML, given what browsers need to lay a page out before
the image arrives and to fetch only the size they show: width and height (of the file the
`src` names), srcset, sizes, and lazy loading and decoding.

Applied to sanitised HTML when a post is saved (cms.posts.service), so reads never do it."""

import html
import re
from typing import Any

from sqlmodel import Session

from cms.media.details import image_details, library_hash, library_images

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
# Names of the attributes a tag has: nh3 writes every value in double quotes and escapes
# any inside, so text within a value ("width=3cm" in an alt) is never taken for one.
_ATTRIBUTE = re.compile(r'\s([\w-]+)="[^"]*"')


def measure_images(session: Session, markup: str) -> str:
    """`markup` with each library image's <img> given the attributes it lacks (one query)."""
    sources = [
        html.unescape(found.group(1)) for found in map(_SRC.search, _IMG.findall(markup)) if found
    ]
    library = library_images(session, sources)
    if not library:
        return markup

    def measured(match: re.Match[str]) -> str:
        tag = match.group(0)
        found = _SRC.search(tag)
        src = html.unescape(found.group(1)) if found else ""
        media = library.get(library_hash(src) or "")
        if media is None:
            return tag
        return _with(tag, _attributes(src, image_details(media, url_of=_beside(src))))

    return _IMG.sub(measured, markup)


def _beside(src: str) -> Any:
    folder = src.split("?")[0].rsplit("/", 1)[0]
    return lambda name: f"{folder}/{name}"


def _attributes(src: str, details: dict[str, Any]) -> dict[str, str]:
    name = src.split("?")[0].rsplit("/", 1)[-1]
    shown = next((v for v in details["variants"] if v["url"].endswith(f"/{name}")), details)
    width = shown["width"]
    return {
        "width": str(width),
        "height": str(shown["height"]),
        "srcset": details["srcset"],
        # As wide as the column up to the file's own width: what WordPress assumes too.
        "sizes": f"(max-width: {width}px) 100vw, {width}px",
        "loading": "lazy",
        "decoding": "async",
    }


def _with(tag: str, attributes: dict[str, str]) -> str:
    """`tag` with those of `attributes` it does not have already (an editor's own win)."""
    present = {found.group(1) for found in _ATTRIBUTE.finditer(tag)}
    added = "".join(
        f' {name}="{html.escape(value)}"'
        for name, value in attributes.items()
        if name not in present
    )
    end = -2 if tag.endswith("/>") else -1
    return tag[:end].rstrip() + added + tag[end:]
