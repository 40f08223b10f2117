"""Cache keys: the names of what an answer shows, and of what a write changes.

Every cacheable Content API answer lists its keys in `Surrogate-Key` (space-separated, as
Fastly and Varnish read it) and `Cache-Tag` (comma-separated, as Cloudflare reads it), so
that a CDN in front can purge exactly what a write changed; the server's own cache drops
its answers by the same keys (cms.cache.purges names those of each write).

- `post-<id>`: a post, wherever it is shown (its own page, lists, related cards);
- `author-<id>`, `tag-<id>`: an author or tag, on its own or on a post;
- `comments-<post id>`: a post's approved comments;
- `posts`: the set of published posts and their order: every list, related posts, and every
  count of posts (an author's, a tag's);
- `authors`, `tags`: the set of authors or tags and their names and slugs: their lists, and
  lists of posts filtered by an author's or a tag's slug;
- `feeds`: the RSS feed and the sitemaps;
- `content-key-<id>`: every answer of the Ghost-compatible API to requests with that key;
- `site`: the site settings (its title, logo, navigation...), wherever they are shown.
"""

from collections.abc import Iterable

EVERYTHING = "*"  # a purge of everything
POSTS = "posts"
AUTHORS = "authors"
TAGS = "tags"
FEEDS = "feeds"
SITE = "site"

SURROGATE_KEY = "Surrogate-Key"
CACHE_TAG = "Cache-Tag"


def post(post_id: int) -> str:
    return f"post-{post_id}"


def author(author_id: int) -> str:
    return f"author-{author_id}"


def tag(tag_id: int) -> str:
    return f"tag-{tag_id}"


def media(file_hash: str) -> str:
    """A library image's files, named by the hash of their content (cms.media)."""
    return f"media-{file_hash}"


def content_key(key_id: int) -> str:
    """Answers of the Ghost-compatible API given to one key: dropped when it is revoked."""
    return f"content-key-{key_id}"


def comments(post_id: int) -> str:
    return f"comments-{post_id}"


def headers(shown: Iterable[str]) -> dict[str, str]:
    """The two headers that name `shown`, in a stable order (so equal answers have equal
    bytes, and a test can read them)."""
    ordered = sorted(set(shown))
    return {SURROGATE_KEY: " ".join(ordered), CACHE_TAG: ",".join(ordered)}
