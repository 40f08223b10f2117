"""create_app(): the routers, middleware and error handlers, wired together."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from starlette.middleware import Middleware

from cms import health
from cms.api.openapi import install_openapi, operation_id
from cms.api.parameters import check_parameters
from cms.api.urls import API_PREFIX, Urls
from cms.audit.admin_routes import router as audit_admin_router
from cms.auth.admin_routes import router as session_router
from cms.auth.passwords import PasswordGate
from cms.auth.token_routes import router as tokens_admin_router
from cms.authors.admin_routes import router as authors_admin_router
from cms.authors.content_routes import router as authors_router
from cms.cache import version
from cms.cache.broadcast import Broadcast
from cms.cache.broadcast import from_settings as broadcasting
from cms.cache.state import DatabaseState
from cms.comments.admin_routes import router as comments_admin_router
from cms.comments.content_routes import router as comments_router
from cms.config import Settings, get_settings
from cms.db import Sessions, make_engine, sessions_on
from cms.feeds.routes import router as feeds_router
from cms.ghost.admin_routes import router as content_keys_admin_router
from cms.ghost.content_routes import router as ghost_router
from cms.ghost.errors import install_ghost_errors
from cms.http.cache import ResponseCache
from cms.http.stack import LayeredApp
from cms.media.admin_routes import router as media_admin_router
from cms.media.file_routes import router as media_files_router
from cms.media.storage import storage_for
from cms.outages import OutageLog
from cms.pageviews.admin_routes import router as views_admin_router
from cms.pageviews.content_routes import router as views_router
from cms.pageviews.content_routes import visitor_of
from cms.pageviews.fast_path import ViewsFastPath
from cms.pageviews.service import ViewCounter, viewed_since
from cms.posts.admin_routes import router as posts_admin_router
from cms.posts.content_routes import router as posts_router
from cms.posts.visibility import next_going_live
from cms.previews.admin_routes import router as previews_admin_router
from cms.previews.content_routes import router as previews_router
from cms.problems import install_problem_handlers
from cms.site.admin_routes import router as site_admin_router
from cms.site.content_routes import router as site_router
from cms.tags.admin_routes import router as tags_admin_router
from cms.tags.content_routes import router as tags_router
from cms.timestamps import Clock, utcnow
from cms.users.admin_routes import router as users_admin_router
from cms.webhooks.admin_routes import router as webhooks_admin_router
from cms.webhooks.worker import WebhookWorker

CONTENT_ROUTERS = (
    posts_router, views_router, comments_router, authors_router, tags_router, previews_router,
    site_router,
)  # fmt: skip
ADMIN_ROUTERS = (
    session_router,
    posts_admin_router,
    previews_admin_router,
    views_admin_router,
    authors_admin_router,
    tags_admin_router,
    users_admin_router,
    tokens_admin_router,
    content_keys_admin_router,
    comments_admin_router,
    media_admin_router,
    webhooks_admin_router,
    site_admin_router,
    audit_admin_router,
)

DESCRIPTION = """A headless CMS: published posts, authors and tags as JSON for any front end.

Errors are RFC 9457 problem documents. Content API answers carry `ETag` and
`Cache-Control`; send `If-None-Match` to get `304 Not Modified`."""


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    sessions: Sessions | None = None,
    clock: Clock = utcnow,
) -> FastAPI:
    """The app on `engine` (default: CMS_DATABASE_URL's). Every session it opens, for a
    request or a batch of views, comes from `sessions` (default: new ones on the engine);
    tests give theirs, which stay inside the test's rolled-back transaction."""
    settings = settings or get_settings()
    app = LayeredApp(
        settings=settings,
        title="cms",
        version="1.0.0",
        description=DESCRIPTION,
        dependencies=[Depends(check_parameters)],
        lifespan=listening,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.sessions = sessions or sessions_on(app.state.engine)
    app.state.clock = clock
    app.state.outages = OutageLog()
    app.state.media_storage = storage_for(settings)
    app.state.response_cache = (
        ResponseCache(
            engine=app.state.engine,
            state=database_state(),
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
    app.state.webhook_worker = WebhookWorker(
        sessions=app.state.sessions,
        clock=clock,
        settings=settings,
        urls=lambda: Urls(api_base=api_base(app), settings=settings),
    )
    app.state.view_counter = ViewCounter(
        sessions=lambda: app.state.sessions(True),
        clock=clock,
        settings=settings,
        viewed=lambda posts, at: views_counted(app, posts, at),
    )

    # A view the fast path counts gets the same CORS and delivery as a route's answer.
    fast_path = Middleware(
        ViewsFastPath, counter=lambda: app.state.view_counter, visitor=visitor_of
    )
    app.innermost.append(fast_path)
    # Uploads may be larger than any JSON body: still bounded, while they stream in.
    multipart = 2**16  # room for the form's own parts around the file
    app.upload_limits[f"{API_PREFIX}/admin/media"] = int(settings.media_max_mb * 2**20) + multipart
    app.include_router(health.router)
    app.include_router(feeds_router)
    app.include_router(media_files_router)
    app.include_router(ghost_router)
    for router in (*CONTENT_ROUTERS, *ADMIN_ROUTERS):
        app.include_router(router, prefix=API_PREFIX)
    install_problem_handlers(app)
    install_ghost_errors(app)
    install_openapi(app)
    return app


def database_state() -> DatabaseState:
    """What the response caches read at each check, as the posts and views domains tell it."""
    return DatabaseState(going_live=next_going_live, viewed_since=viewed_since)


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


def api_base(app: FastAPI) -> str:
    """The API's own address for links sent outside a request (webhook payloads): CMS_API_URL,
    else the one editors last wrote through (cms.db.get_session), else the default serve's."""
    settings: Settings = app.state.settings
    seen: str | None = getattr(app.state, "api_base", None)
    return settings.api_url or seen or "http://localhost:8000"


def purge_cache(app: FastAPI, keys: set[str]) -> None:
    if app.state.response_cache is not None:
        app.state.response_cache.purge(keys)


@asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[None]:
    """While serving: send webhooks (CMS_WEBHOOKS_WORKER), and hear the other processes'
    writes through Redis (CMS_REDIS_URL)."""
    settings: Settings = app.state.settings
    broadcast: Broadcast | None = app.state.broadcast
    tasks = []
    if settings.webhooks_worker:
        tasks.append(asyncio.create_task(app.state.webhook_worker.run()))
    if broadcast is not None:
        tasks.append(asyncio.create_task(broadcast.listen(lambda keys: purge_cache(app, keys))))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        if broadcast is not None:
            broadcast.close()
