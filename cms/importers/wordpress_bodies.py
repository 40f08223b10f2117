"""A WordPress post's body as WordPress shows it, in small: its shortcodes ([caption] as a
<figure>, [gallery] as its images, [embed] as a link, others removed keeping their text) and
its paragraphs made of blank lines (wpautop). The result is sanitised by the posts' service
like every HTML body."""

import html
import re

_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""")
_CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.S)
_CAPTIONED = re.compile(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)", re.S)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]")
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S)
_CLOSING_SHORTCODE = re.compile(r"\[/([a-zA-Z][\w-]*)\]")
_OPENING_SHORTCODE = re.compile(r"\[([a-zA-Z][\w-]*)(\s[^\[\]]*)?\]")


def body_html(content: str, attachment_urls: dict[str, str]) -> str:
    """A post's content:encoded as the HTML WordPress would have shown."""
    content = _CAPTION.sub(_caption, content)  # (the XML parser has made every \r\n a \n)
    content = _GALLERY.sub(lambda match: _gallery(match, attachment_urls), content)
    content = _EMBED.sub(_embed, content)
    content = _remove_shortcodes(content)
    return content if _has_blocks(content) else _autop(content)


def _attributes(text: str) -> dict[str, str]:
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTRIBUTE.finditer(text)}


def _caption(match: re.Match[str]) -> str:
    """[caption]<img> The text[/caption]; older posts put the text in caption="..." instead."""
    media = _CAPTIONED.fullmatch(match[2])
    if media is None:
        return match[2]
    text = media[2].strip() or _attributes(match[1]).get("caption", "")  # HTML, as the body
    caption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure>{media[1]}{caption}</figure>"


def _gallery(match: re.Match[str], attachment_urls: dict[str, str]) -> str:
    """A gallery names its images by attachment id; one without ids (all the images attached
    to the post) or with unknown ids is left out."""
    ids = _attributes(match[1]).get("ids", "").replace(" ", "").split(",")
    urls = [attachment_urls[id_] for id_ in ids if attachment_urls.get(id_)]
    images = "".join(f'<img src="{html.escape(url)}" />' for url in urls)
    return f'<figure class="gallery">{images}</figure>' if images else ""


def _embed(match: re.Match[str]) -> str:
    url = html.escape(html.unescape(match[1].strip()))
    return f'<a href="{url}">{url}</a>'


def _remove_shortcodes(content: str) -> str:
    """Other shortcodes go, their inner text stays. An opening tag is only taken for one if
    it is closed somewhere, or has attributes, so that "[sic]" in prose stays as it is."""
    closed = set(_CLOSING_SHORTCODE.findall(content))

    def opening(match: re.Match[str]) -> str:
        attributes = (match[2] or "").strip()
        is_shortcode = match[1] in closed or "=" in attributes or attributes.endswith("/")
        return "" if is_shortcode else match[0]

    return _OPENING_SHORTCODE.sub(opening, _CLOSING_SHORTCODE.sub("", content))


_BLOCKS = (
    "address|article|aside|blockquote|dd|details|div|dl|dt|figcaption|figure|footer|form"
    "|h[1-6]|header|hr|li|nav|ol|pre|section|table|tbody|td|tfoot|th|thead|tr|ul"
)
_BLOCK_OPENING = re.compile(rf"(<(?:{_BLOCKS})[\s/>])", re.I)
_BLOCK_CLOSING = re.compile(rf"(</(?:{_BLOCKS})>)", re.I)
_STARTS_AS_BLOCK = re.compile(rf"</?(?:{_BLOCKS})[\s/>]|<!--|\x00", re.I)
_TRAILING_CLOSINGS = re.compile(rf"(?:</(?:{_BLOCKS})>\s*)*$", re.I)
_PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)


def _has_blocks(content: str) -> bool:
    """Gutenberg's block comments, or paragraphs of its own: the HTML needs no wpautop."""
    return re.search(r"<!--\s*wp:|<p[\s>]", content, re.I) is not None


def _autop(content: str) -> str:
    """Blank lines make paragraphs, single newlines line breaks; block elements stand on
    their own, and what is inside a <pre> is left exactly as it is."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match[0])
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    content = _PRE.sub(keep, content)
    content = _BLOCK_CLOSING.sub(r"\1\n\n", _BLOCK_OPENING.sub(r"\n\n\1", content))
    paragraphs = [_paragraph(chunk.strip()) for chunk in re.split(r"\n\s*\n", content)]
    content = "\n".join(paragraph for paragraph in paragraphs if paragraph)
    return re.sub(r"\x00(\d+)\x00", lambda match: kept[int(match[1])], content)


def _paragraph(chunk: str) -> str:
    if not chunk or _STARTS_AS_BLOCK.match(chunk):
        return chunk
    # "the last paragraph</blockquote>": the closing tags stay out of the paragraph.
    closings = _TRAILING_CLOSINGS.search(chunk)
    cut = closings.start() if closings else len(chunk)
    text = chunk[:cut].strip().replace("\n", "<br />\n")
    return f"<p>{text}</p>{chunk[cut:]}" if text else chunk[cut:]
