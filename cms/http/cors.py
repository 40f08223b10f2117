"""CORS with two policies: the Content API is public, the Admin API only for its origins."""

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.api.urls import API_PREFIX


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
