"""Cache keys: the names of what an answer shows, and of what a write changes.

Every cacheable Content API answer lists its keys in `Surrogate-Key` (space-separated, as
Fastly and Varnish read it) and `Cache-Tag` (comma-separated, as Cloudflare reads it). A
write purges the keys it changed: from this process's cache at once, from the others'
through `cache_purges`, and from a CDN by whoever purges it by the same names.

- `post-<id>`: a post, wherever it is shown (its own page, lists, related cards);
- `author-<id>`, `tag-<id>`: an author or tag, on its own or on a post;
- `comments-<post id>`: a post's approved comments;
- `posts`: the set of published posts and their order: every list, related posts, and every
  count of posts (an author's, a tag's);
- `authors`, `tags`: the set of authors or tags and their names and slugs: their lists, and
  lists of posts filtered by an author's or a tag's slug;
- `feeds`: the RSS feed and the sitemaps;
- `*`: everything (a purge only, never on an answer).
"""

from collections.abc import Iterable

POSTS = "posts"
AUTHORS = "authors"
TAGS = "tags"
FEEDS = "feeds"
ALL = "*"
EVERYTHING = frozenset({ALL})

SURROGATE_KEY = "Surrogate-Key"
CACHE_TAG = "Cache-Tag"


def post(post_id: int) -> str:
    return f"post-{post_id}"


def author(author_id: int) -> str:
    return f"author-{author_id}"


def tag(tag_id: int) -> str:
    return f"tag-{tag_id}"


def comments(post_id: int) -> str:
    return f"comments-{post_id}"


def post_id_of(key: str) -> int | None:
    """The post a `post-<id>` key names, None for any other key."""
    prefix, _, ident = key.partition("-")
    return int(ident) if prefix == "post" and ident.isdigit() else None


def headers(shown: Iterable[str]) -> dict[str, str]:
    """The two headers that name `shown`, in a stable order (so equal answers have equal
    bytes, and a test can read them)."""
    ordered = sorted(set(shown))
    return {SURROGATE_KEY: " ".join(ordered), CACHE_TAG: ",".join(ordered)}


def parse(value: str) -> frozenset[str]:
    """The keys of a `Surrogate-Key` value (or of a purge row, stored the same way)."""
    return frozenset(value.split())


def unparse(purged: Iterable[str]) -> str:
    return " ".join(sorted(set(purged)))
