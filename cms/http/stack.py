"""The HTTP layers in front of the routes, and the one place their order is stated.

Outermost first, as a request meets them:

1. HeadAsGet: a HEAD is answered as its GET, so that a HEAD is a cache hit too.
2. CacheMiddleware (cache.py): a hit is answered before error handling, CORS and routing
   (../shared/PERFORMANCE.md), and outside delivery, so that it keeps each encoding's
   bytes and ETag as they were sent.
3. Starlette's ServerErrorMiddleware: an error still becomes a 500 problem document.
4. SplitCORS (cors.py): the public and the admin policy.
5. DeliveryMiddleware (delivery.py): ETags and 304s (etags.py), compression.
6. BodyLimit (bodies.py): inside CORS and delivery, so that a 413 carries their headers
   like any answer.
7. The app's own innermost layers (the views' fast path: a view it counts gets the same
   CORS and delivery as a route's answer), then Starlette's exception handling and routing.

The app gives its settings and its innermost layers; nothing here knows a domain.
"""

from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from cms.config import Settings
from cms.http.bodies import BodyLimit
from cms.http.cache import CacheMiddleware
from cms.http.cors import SplitCORS
from cms.http.delivery import DeliveryMiddleware
from cms.http.head import HeadAsGet


class LayeredApp(FastAPI):
    """FastAPI with the layers above in front of its routes. Its response cache is
    `state.response_cache` (None: no cache); `innermost` are the app's own layers."""

    def __init__(self, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.innermost: list[Middleware] = []
        self.upload_limits: dict[str, int] = {}  # path: the body size it takes instead

    def build_middleware_stack(self) -> ASGIApp:
        settings = self.settings
        self.user_middleware = [  # outermost first, inside Starlette's error middleware
            Middleware(
                SplitCORS,
                public_origins=settings.cors_origins,
                admin_origins=settings.admin_cors_origins,
            ),
            Middleware(DeliveryMiddleware, minimum_size=settings.gzip_minimum_size),
            Middleware(
                BodyLimit,
                max_bytes=int(settings.max_body_mb * 2**20),
                larger=self.upload_limits,
            ),
            *self.innermost,
        ]
        return HeadAsGet(
            CacheMiddleware(
                super().build_middleware_stack(),
                cache=lambda: self.state.response_cache,
                api_url=lambda: self.settings.api_url,
                by_origin=lambda: self.settings.cors_origins != ["*"],
            )
        )
