"""Turning what an editor wrote into what readers get: safe HTML, plain text, excerpt, reading time.

Runs when a post is saved, never per request.
"""

import html as html_lib
import math
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

from cms.posts.models import BodyFormat
from cms.slugs import slugify_text

WORDS_PER_MINUTE = 265
EXCERPT_LENGTH = 160

# What survives sanitising: ordinary article markup, no scripts, no event
# handlers, no styles, and links only to web, mail and phone addresses.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    # srcset, sizes, loading and decoding: as cms.media.markup gives library images.
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading", "decoding"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|figcaption)>|<br\s*/?>")

_markdown = (
    MarkdownIt("commonmark", {"linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .use(anchors_plugin, min_level=1, max_level=6, slug_func=slugify_text, permalink=False)
)


@dataclass(frozen=True)
class Rendered:
    html: str
    plaintext: str
    excerpt: str
    reading_time: int


def render(body: str, body_format: str, custom_excerpt: str | None = None) -> Rendered:
    """Everything the Content API serves about a post's body, computed once."""
    if body_format == BodyFormat.MARKDOWN:
        html = sanitize(_markdown.render(body))
    else:
        html = _add_heading_ids(sanitize(body))
    plaintext = to_plaintext(html)
    return Rendered(
        html=html,
        plaintext=plaintext,
        excerpt=custom_excerpt.strip() if custom_excerpt else make_excerpt(plaintext),
        reading_time=reading_time(plaintext),
    )


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def to_plaintext(html: str) -> str:
    """The text of `html`: one line per block (paragraph, heading, list item...)."""
    # Line breaks inside a block are only source formatting: fold them first.
    one_line = " ".join(html.split())
    blocks = _BLOCK_END.sub(lambda m: m.group(0) + "\n", one_line)
    text = html_lib.unescape(nh3.clean(blocks, tags=set()))
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def make_excerpt(plaintext: str, length: int = EXCERPT_LENGTH) -> str:
    """About `length` characters: whole blocks when they fit, else cut on a word."""
    taken = ""
    for block in plaintext.splitlines():
        candidate = f"{taken} {block}".strip()
        if len(candidate) > length:
            break
        taken = candidate
    if taken:
        return taken
    text = " ".join(plaintext.split())
    cut = text[: length + 1].rsplit(" ", 1)[0] if len(text) > length else text
    return (cut or text[:length]).rstrip(" ,;:-\u2013\u2014")


def reading_time(plaintext: str) -> int:
    """Whole minutes at an adult's reading pace; at least 1."""
    return max(1, math.ceil(len(plaintext.split()) / WORDS_PER_MINUTE))


def _add_heading_ids(html: str) -> str:
    # HTML bodies get the same stable heading ids as Markdown ones, so front ends
    # can link to sections whatever the editor wrote in.
    seen: dict[str, int] = {}

    def with_id(match: re.Match[str]) -> str:
        base = slugify_text(to_plaintext(match.group(2))) or "section"
        seen[base] = seen.get(base, 0) + 1
        anchor = base if seen[base] == 1 else f"{base}-{seen[base] - 1}"
        return f'<h{match.group(1)} id="{anchor}">{match.group(2)}</h{match.group(1)}>'

    return _HEADING.sub(with_id, html)
