"""create_app(): the routers, middleware and error handlers, wired together."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms import health
from cms.api.delivery import DeliveryMiddleware
from cms.api.openapi import install_openapi, operation_id
from cms.api.parameters import check_parameters
from cms.api.urls import API_PREFIX
from cms.audit.admin_routes import router as audit_admin_router
from cms.auth.admin_routes import router as session_router
from cms.auth.passwords import PasswordGate
from cms.auth.token_routes import router as tokens_admin_router
from cms.authors.admin_routes import router as authors_admin_router
from cms.authors.content_routes import router as authors_router
from cms.cache import version
from cms.cache.broadcast import Broadcast
from cms.cache.broadcast import from_settings as broadcasting
from cms.cache.responses import CacheMiddleware, ResponseCache
from cms.comments.admin_routes import router as comments_admin_router
from cms.comments.content_routes import router as comments_router
from cms.config import Settings, get_settings
from cms.db import make_engine
from cms.feeds.routes import router as feeds_router
from cms.http.bodies import BodyLimit
from cms.http.head import HeadAsGet
from cms.outages import OutageLog
from cms.pageviews.admin_routes import router as views_admin_router
from cms.pageviews.content_routes import router as views_router
from cms.pageviews.content_routes import visitor_of
from cms.pageviews.fast_path import ViewsFastPath
from cms.pageviews.service import ViewCounter
from cms.posts.admin_routes import router as posts_admin_router
from cms.posts.content_routes import router as posts_router
from cms.problems import install_problem_handlers
from cms.tags.admin_routes import router as tags_admin_router
from cms.tags.content_routes import router as tags_router
from cms.timestamps import Clock, utcnow
from cms.users.admin_routes import router as users_admin_router

CONTENT_ROUTERS = (posts_router, views_router, comments_router, authors_router, tags_router)
ADMIN_ROUTERS = (
    session_router,
    posts_admin_router,
    views_admin_router,
    authors_admin_router,
    tags_admin_router,
    users_admin_router,
    tokens_admin_router,
    comments_admin_router,
    audit_admin_router,
)

DESCRIPTION = """A headless CMS: published posts, authors and tags as JSON for any front end.

Errors are RFC 9457 problem documents. Content API answers carry `ETag` and
`Cache-Control`; send `If-None-Match` to get `304 Not Modified`."""


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, clock: Clock = utcnow
) -> FastAPI:
    settings = settings or get_settings()
    app = CmsApp(
        title="cms",
        version="1.0.0",
        description=DESCRIPTION,
        dependencies=[Depends(check_parameters)],
        lifespan=listening,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.clock = clock
    app.state.outages = OutageLog()
    app.state.response_cache = (
        ResponseCache(
            engine=app.state.engine,
            clock=clock,
            check_seconds=settings.cache_check_seconds,
            max_bytes=settings.response_cache_mb * 2**20,
            view_max_age=settings.view_count_max_age_seconds,
        )
        if settings.response_cache
        else None
    )
    app.state.broadcast = broadcasting(settings)
    app.state.password_gate = PasswordGate(
        size=settings.password_hash_concurrency, wait_seconds=settings.password_hash_wait_seconds
    )
    app.state.watch_writes = lambda session: version.watch(
        session, then=lambda keys, raised: content_changed(app, keys, raised)
    )
    app.state.view_counter = ViewCounter(
        sessions=lambda: Session(app.state.engine.execution_options(sqlite_immediate=True)),
        clock=clock,
        settings=settings,
        viewed=lambda posts, at: views_counted(app, posts, at),
    )

    app.include_router(health.router)
    app.include_router(feeds_router)
    for router in (*CONTENT_ROUTERS, *ADMIN_ROUTERS):
        app.include_router(router, prefix=API_PREFIX)
    install_problem_handlers(app)
    install_openapi(app)

    # Innermost: a view it counts gets the same CORS and delivery as the route's answer.
    app.add_middleware(ViewsFastPath, counter=lambda: app.state.view_counter, visitor=visitor_of)
    # Inside CORS and delivery, so that a 413 carries their headers like any answer.
    app.add_middleware(BodyLimit, max_bytes=int(settings.max_body_mb * 2**20))
    app.add_middleware(DeliveryMiddleware, minimum_size=settings.gzip_minimum_size)
    app.add_middleware(
        SplitCORS,
        public_origins=settings.cors_origins,
        admin_origins=settings.admin_cors_origins,
    )
    return app


class CmsApp(FastAPI):
    """FastAPI with the response cache in front of all of it: a hit is answered before
    error handling, CORS and routing (../shared/PERFORMANCE.md), and outside delivery, so
    that it keeps each encoding's bytes and ETag as they were sent. Only HEAD, answered as
    GET, comes before it, so that a HEAD is a hit too."""

    def build_middleware_stack(self) -> ASGIApp:
        return HeadAsGet(
            CacheMiddleware(
                super().build_middleware_stack(),
                cache=lambda: self.state.response_cache,
                api_url=lambda: self.state.settings.api_url,
                by_origin=lambda: self.state.settings.cors_origins != ["*"],
            )
        )


def content_changed(app: FastAPI, keys: set[str], raised: int) -> None:
    """This process wrote (content version `raised`): what it stored under `keys` may be
    stale now. Others learn of it by the content version, within CMS_CACHE_CHECK_SECONDS,
    and at once through Redis if set."""
    if app.state.response_cache is not None:
        app.state.response_cache.purge(keys, version=raised)
    if app.state.broadcast is not None:
        app.state.broadcast.publish(keys)


def views_counted(app: FastAPI, posts: list[int], at: datetime) -> None:
    """Not a content change: only answers that show these posts' counts are made again."""
    if app.state.response_cache is not None:
        app.state.response_cache.viewed(posts, at)


def purge_cache(app: FastAPI, keys: set[str]) -> None:
    if app.state.response_cache is not None:
        app.state.response_cache.purge(keys)


@asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[None]:
    """While serving, hear the other processes' writes through Redis (CMS_REDIS_URL)."""
    broadcast: Broadcast | None = app.state.broadcast
    if broadcast is None:
        yield
        return
    listener = asyncio.create_task(broadcast.listen(lambda keys: purge_cache(app, keys)))
    try:
        yield
    finally:
        listener.cancel()
        with suppress(asyncio.CancelledError):
            await listener
        broadcast.close()


class SplitCORS:
    """CORS with two policies: the Content API is public, the Admin API only for its origins."""

    def __init__(self, app: ASGIApp, *, public_origins: list[str], admin_origins: list[str]):
        exposed = ["ETag", "Location", "Retry-After"]
        self.public = PublicCORS(
            app,
            allow_origins=public_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type", "If-None-Match"],
            expose_headers=exposed,
            max_age=600,
        )
        self.admin = CORSMiddleware(
            app,
            allow_origins=admin_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
            expose_headers=exposed,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_admin = scope["type"] == "http" and scope["path"].startswith(f"{API_PREFIX}/admin")
        await (self.admin if is_admin else self.public)(scope, receive, send)


class PublicCORS(CORSMiddleware):
    """With every origin allowed, one answer fits all of them: `*` on every answer and no
    `Vary: Origin`, so that a shared cache keeps one copy, not one per front end. (Starlette
    sends `*` only to requests with an Origin and always adds `Vary: Origin`.)"""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Headers(scope=scope) if scope["type"] == "http" else None
        if (
            request is None
            or not self.allow_all_origins
            or self.allow_credentials
            or (scope["method"] == "OPTIONS" and "access-control-request-method" in request)
        ):
            await super().__call__(scope, receive, send)
            return

        async def for_anyone(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message).update(self.simple_headers)
            await send(message)

        await self.app(scope, receive, for_anyone)
