"""Slugs: lowercase, hyphenated, ASCII, with apostrophes dropped (`it's` -> `its`)."""

from slugify import slugify

MAX_SLUG_LENGTH = 180  # leaves room under the column's 191 for a "-NN" suffix
_APOSTROPHES = [["'", ""], ["\u2019", ""], ["\u2018", ""], ["`", ""]]


def slugify_text(text: str) -> str:
    return slugify(text, replacements=_APOSTROPHES, max_length=MAX_SLUG_LENGTH, word_boundary=True)


def numbered(slug: str, number: int) -> str:
    """The n-th candidate for a slug that is taken: `slug`, `slug-2`, `slug-3`..."""
    return slug if number == 1 else f"{slug}-{number}"
