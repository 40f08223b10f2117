"""Comments in a small, safe Markdown subset: emphasis, code, links, lists, quotes."""

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(
    ["heading", "lheading", "image", "table", "hr", "fence", "code", "html_block", "html_inline"],
    ignoreInvalid=True,
)
_TAGS = {"p", "br", "em", "strong", "code", "a", "ul", "ol", "li", "blockquote"}
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def render_comment(body: str) -> str:
    html = _markdown.render(body)
    # Readers' links are not the site's endorsements: nofollow, ugc.
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )


def count_links(body: str) -> int:
    return len(_LINK.findall(body))
