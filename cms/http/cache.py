"""A cache of whole Content API answers, answered before routing.

FastAPI's own work costs more than half of what a request can cost (../shared/PERFORMANCE.md),
so a hit is served here, in a pure ASGI layer: stored bytes, with their ETag (304 for
If-None-Match), per encoding. Misses go through the app as usual and are stored on the way
out when the app marked them public.

Staleness is bounded, and only what changed is dropped: every answer names what it shows
in its cache keys (cms.cache.keys), and every write names the keys it changed
(cms.cache.purges). This process drops the answers naming them when it writes, and the
other processes at most `check_seconds` later, when they read the content version that
every write raises, with the keys of each raise (or at once, told through Redis). A post
going live at its scheduled time drops the lists and feeds.

Views are not writes of content: every page view counts one, and dropping everything for
each would leave nothing cached. An answer that shows a post (its `post-<id>` cache key)
is made again only when a view of that post counted after the answer was begun, and then
once it is `view_max_age` old: at most that old in the process that counted the view, and
`check_seconds` more in the others, which read the posts viewed since their last check.
"""

import asyncio
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache, wraps
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.cache import keys
from cms.cache.keys import EVERYTHING
from cms.http.delivery import ADMIN_PREFIX, preferred_coding
from cms.http.etags import not_modified, send_not_modified
from cms.timestamps import Clock

Key = tuple[bytes, str, bytes, str, bytes]  # base, path, query, encoding, origin
NEVER = datetime.min.replace(tzinfo=UTC)
# A batch of views commits this long after the time it writes, at most: other processes
# read the views of posts this much before their last check again, to miss none.
VIEWS_MARGIN = timedelta(seconds=10)
# Purges remembered so that an answer begun before one of them is not stored after it.
PURGES_REMEMBERED = 64


F = TypeVar("F", bound=Callable[..., Any])


class ContentState(Protocol):
    """What the cache reads from the database at each check. The app gives it
    (cms.cache.state), so that this layer knows no domain."""

    def version(self, session: Session, *, now: datetime) -> tuple[int, datetime | None]: ...

    def purged_since(self, session: Session, known: int) -> list[tuple[int, set[str]]]: ...

    def viewed_since(self, session: Session, since: datetime) -> list[tuple[int, datetime]]: ...


def _locked(method: F) -> F:
    """One caller at a time: a write's purge comes from the worker thread that committed
    it, a check's from its own, a view batch's from another, while the event loop reads
    and stores answers. Without it, an answer begun before a purge could be stored between
    the purge's drop and its raise of the generation, and stay."""

    @wraps(method)
    def holding(self: "ResponseCache", *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return holding  # type: ignore[return-value]


@dataclass(frozen=True)
class Stored:
    start: Message
    body: bytes
    begun: datetime  # when the answer was begun: it shows the views counted before then
    keys: frozenset[str]  # what it shows (cms.cache.keys)

    @cached_property
    def posts(self) -> frozenset[int]:
        """The posts it shows, whose view counts it may show."""
        prefix = keys.post(0)[:-1]
        return frozenset(int(name[len(prefix) :]) for name in self.keys if name.startswith(prefix))

    def shows(self, purged: Collection[str] | None) -> bool:
        """Whether a purge of `purged` (None: of everything) drops it; an answer naming
        nothing is dropped by every purge."""
        return purged is None or not self.keys or not self.keys.isdisjoint(purged)


class ResponseCache:
    """The stored answers of one process, and when they stop being good."""

    def __init__(
        self,
        *,
        engine: Engine,
        state: ContentState,
        clock: Clock,
        check_seconds: float,
        max_bytes: int,
        view_max_age: float = 1.0,
    ) -> None:
        self.engine, self.state, self.clock = engine, state, clock
        self.check_seconds, self.max_bytes = check_seconds, max_bytes
        self.view_max_age = timedelta(seconds=view_max_age)
        self._viewed: dict[int, datetime] = {}  # post: when this process heard of a view
        self._seen: dict[int, datetime] = {}  # post: its latest viewed_at read
        self._views_read: datetime | None = None
        self._entries: OrderedDict[Key, Stored] = OrderedDict()
        self._bytes = 0
        self._version: int | None = None
        self._applied: set[int] = set()  # versions this process purged when it wrote them
        self._purges: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=PURGES_REMEMBERED)
        self._good_until: datetime | None = None
        self._next_check = datetime.min.replace(tzinfo=UTC)
        self.generation = 0  # raised by every clear: an answer begun before it is not kept
        self._checking: asyncio.Future[None] | None = None
        self._lock = threading.RLock()

    @_locked
    def get(self, key: Key) -> Stored | None:
        stored = self._entries.get(key)
        if stored is None or self._counts_too_old(stored):
            return None
        self._entries.move_to_end(key)
        return stored

    def _counts_too_old(self, stored: Stored) -> bool:
        viewed = self._viewed
        if not any(viewed.get(post, NEVER) >= stored.begun for post in stored.posts):
            return False
        return self.clock() - stored.begun >= self.view_max_age

    @_locked
    def viewed(self, posts: list[int], at: datetime) -> None:
        """Views of `posts` were committed (by this process, counting them at `at`)."""
        now = self.clock()
        for post in posts:
            self._viewed[post] = now
            self._seen[post] = max(self._seen.get(post, at), at)

    @_locked
    def put(self, key: Key, stored: Stored, *, generation: int) -> None:
        if len(stored.body) > self.max_bytes // 16 or self._purged_since(generation, stored):
            return
        old = self._entries.pop(key, None)
        self._bytes += len(stored.body) - (len(old.body) if old else 0)
        self._entries[key] = stored
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def _purged_since(self, generation: int, stored: Stored) -> bool:
        """Whether a purge since `generation` (when the answer was begun) drops it."""
        if generation == self.generation:
            return False
        if not self._purges or self._purges[0][0] > generation + 1:
            return True  # forgotten: assume so
        return any(stored.shows(named) for at, named in self._purges if at > generation)

    @_locked
    def purge(self, named: Collection[str], *, version: int | None = None) -> None:
        """Drop the answers that show any of the keys `named` (`*`: everything); `version`:
        the content version this process wrote them with, not to purge again at a check."""
        if EVERYTHING in named:
            self.clear()
        else:
            for key in [key for key, stored in self._entries.items() if stored.shows(named)]:
                self._bytes -= len(self._entries.pop(key).body)
            self._raise_generation(frozenset(named))
        if version is not None:
            self._applied.add(version)

    @_locked
    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
        self._viewed.clear()  # every answer stored from now on is begun after them
        self._raise_generation(None)

    def _raise_generation(self, named: frozenset[str] | None) -> None:
        self.generation += 1
        self._purges.append((self.generation, named))

    def check_due(self) -> bool:
        """Whether the content version is to be read again before the next answer."""
        return self.clock() >= self._next_check

    async def check_once(self) -> None:
        """Check in a worker thread (the event loop must never wait for a database
        connection: the requests holding them need the loop to give them back), once for
        all the requests that find the check due meanwhile. Each of them used to start its
        own: under load, a herd of checks each second, one per connection, that took the
        pool's connections from the misses."""
        if self._checking is None:
            self._checking = asyncio.ensure_future(run_in_threadpool(self.check))
            self._checking.add_done_callback(self._checked)
        await asyncio.shield(self._checking)  # a request that goes away leaves it running

    def _checked(self, _done: "asyncio.Future[None]") -> None:
        self._checking = None

    def check(self) -> None:
        """Read the content version, and drop what the writes since the last check
        changed, or everything if some are not known any more (a blocking call)."""
        now = self.clock()
        if now < self._next_check:
            return  # another request checked meanwhile
        try:
            with Session(self.engine) as session:
                current, good_until = self.state.version(session, now=now)
                views = self.state.viewed_since(session, (self._views_read or now) - VIEWS_MARGIN)
                purged = self._purges_after(session, current)
        except Exception:  # no database, no promise: serve nothing stored
            self.clear()
            return
        self._heard_of(views, now=now)
        self._catch_up(current, purged)
        if self._good_until and now >= self._good_until:
            self.purge({keys.POSTS, keys.FEEDS})  # a post went live: it was on no page yet
        self._good_until = good_until
        self._next_check = now + timedelta(seconds=self.check_seconds)

    def _purges_after(self, session: Session, current: int) -> list[tuple[int, set[str]]]:
        known = self._version
        if known is None or current <= known:
            return []
        return self.state.purged_since(session, known)

    @_locked
    def _catch_up(self, current: int, purged: list[tuple[int, set[str]]]) -> None:
        known = self._version
        heard = [(number, named) for number, named in purged if number <= current]
        if (
            known is None
            or current < known
            or [n for n, _ in heard] != [*range(known + 1, current + 1)]
        ):
            # The first check, a database restored (the version went back), or purges pruned
            # before this process heard of them: what it holds may show any of it.
            self.clear()
        else:
            for number, named in heard:
                if number not in self._applied:
                    self.purge(named)
        self._version = current
        self._applied = {number for number in self._applied if number > current}

    @_locked
    def _heard_of(self, views: list[tuple[int, datetime]], *, now: datetime) -> None:
        """Mark the posts whose views another process counted since the last check (the
        margin reads some twice: a viewed_at already seen is not news)."""
        for post, at in views:
            if at > self._seen.get(post, NEVER):
                self._seen[post], self._viewed[post] = at, now
        forgotten = (self._views_read or now) - VIEWS_MARGIN
        self._seen = {post: at for post, at in self._seen.items() if at >= forgotten}
        self._views_read = now


class CacheMiddleware:
    """Outside all but HEAD (cms.http.stack): a hit costs no error handling, CORS or
    routing. The key holds the Origin when CORS answers differ by it (a list of origins,
    not `*`), and, unless CMS_API_URL says where the API is, the scheme and Host the
    links were built from (cms.api.urls): otherwise one request with `Host: evil.example`
    would hand its links to everyone after it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cache: Callable[[], ResponseCache | None],
        api_url: Callable[[], str],
        by_origin: Callable[[], bool],
    ) -> None:
        self.app = app
        self.cache = cache
        self.api_url = api_url
        self.by_origin = by_origin  # False when CORS allows any origin: one answer fits all
        self._filling: dict[Key, asyncio.Event] = {}  # answers being made, set once stored

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.cache()
        if cache is None or scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request = dict(scope["headers"])  # names come lower-cased from the server
        if b"authorization" in request or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        coding = _coding(request.get(b"accept-encoding", b""))
        base = b"" if self.api_url() else _base(scope, request)
        origin = request.get(b"origin", b"") if self.by_origin() else b""
        key = (base, scope["path"], scope["query_string"], coding, origin)
        if cache.check_due():
            await cache.check_once()
        if b"no-cache" not in request.get(b"cache-control", b""):
            stored = cache.get(key) or await self._made_meanwhile(cache, key)
            if stored is not None:
                await _replay(stored, scope, send)
                return
        await self._fill(cache, key, scope, receive, send)

    async def _made_meanwhile(self, cache: ResponseCache, key: Key) -> Stored | None:
        """The answer another request is making now, once it is stored. A popular answer
        made stale (by a write, or as its view counts age) is made once, not by every
        request that arrives while it is made: on PostgreSQL those misses queued for the
        pool's connections, and page loads ran slower than views alone (583 req/s)."""
        making = self._filling.get(key)
        if making is None:
            return None
        await making.wait()
        return cache.get(key)  # None if it was not kept: then this request makes its own

    async def _fill(
        self, cache: ResponseCache, key: Key, scope: Scope, receive: Receive, send: Send
    ) -> None:
        made = asyncio.Event()
        mine = self._filling.setdefault(key, made) is made  # not when another is making it
        try:
            await self._make(cache, key, made, scope, receive, send)
        finally:
            made.set()
            if mine:
                del self._filling[key]

    async def _make(
        self,
        cache: ResponseCache,
        key: Key,
        made: asyncio.Event,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        generation, begun = cache.generation, cache.clock()
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                message = {**message, "headers": [*message["headers"], (b"cms-cache", b"miss")]}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and _storable(start):
                    stored = Stored(start, b"".join(chunks), begun, _shown_keys(start))
                    cache.put(key, stored, generation=generation)
                    made.set()  # those waiting need not wait for this client to read it
            await send(message)

        await self.app(scope, receive, keep)


def _base(scope: Scope, request: dict[bytes, bytes]) -> bytes:
    # What Request.base_url is made of: the scheme (X-Forwarded-Proto, once the server has
    # trusted it), the Host, the root path.
    root = scope.get("root_path", "").encode()
    return b"%s://%s%s" % (scope["scheme"].encode(), request.get(b"host", b""), root)


@lru_cache(maxsize=64)
def _coding(accept_encoding: bytes) -> str:
    """The encoding a cached answer is kept in for this Accept-Encoding (few distinct ones)."""
    return preferred_coding(Headers(raw=[(b"accept-encoding", accept_encoding)])) or ""


def _shown_keys(start: Message) -> frozenset[str]:
    """The cache keys an answer names (cms.cache.keys)."""
    return frozenset(Headers(raw=start.get("headers", [])).get("surrogate-key", "").split())


def _storable(start: Message) -> bool:
    headers = Headers(raw=start.get("headers", []))
    return start.get("status") == 200 and "public" in headers.get("cache-control", "")


async def _replay(stored: Stored, scope: Scope, send: Send) -> None:
    headers = [*stored.start["headers"], (b"cms-cache", b"hit")]
    request = Headers(scope=scope)
    if "if-none-match" in request or "if-modified-since" in request:
        kept = MutableHeaders(raw=headers)
        if not_modified(request, kept):
            await send_not_modified(kept, send)
            return
    await send({**stored.start, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})
