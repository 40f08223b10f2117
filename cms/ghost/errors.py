"""Errors in Ghost's shape (`{"errors": [{"message", "context", "type", ...}]}`), so that
Ghost's client and the front ends built on it read them as they read Ghost's own: the
client throws an Error named after `type`, carrying every field of the first error.

Refusals made before a Ghost route runs (a repeated parameter, a method not allowed, an
outage) are problem documents like everywhere else; under /ghost/api/content/ they are
told again in Ghost's shape (`install_ghost_errors`)."""

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import WebSocketRequestValidationError
from starlette.responses import Response

from cms.api.responses import dump_json

PREFIX = "/ghost/api/content"
# Ghost's words before ", cannot list posts." for the errors raised inside an endpoint.
_PREFIXES = {
    "NotFoundError": "Resource not found error",
    "ValidationError": "Validation error",
    "BadRequestError": "Request not understood error",
}
# Ghost's error types (@tryghost/errors), by the status they answer with.
_TYPES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "NoPermissionError",
    404: "NotFoundError",
    405: "MethodNotAllowedError",
    409: "ConflictError",
    413: "RequestEntityTooLargeError",
    415: "UnsupportedMediaTypeError",
    422: "ValidationError",
    429: "TooManyRequestsError",
    500: "InternalServerError",
    503: "MaintenanceError",
}
_STATUS = {kind: status for status, kind in _TYPES.items()}
# What a refusal keeps of the problem document's headers.
_KEPT_HEADERS = ("allow", "retry-after")
Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class GhostError(Exception):
    """A refusal the Ghost-compatible API answers in Ghost's shape. `doing` ("list posts",
    "read post") makes Ghost's message ("Validation error, cannot list posts.") with the
    detail as its context; without it, the detail is the message (the key checks)."""

    def __init__(
        self, kind: str, detail: str, *, doing: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.doing, self.code = kind, detail, doing, code
        self.status = _STATUS.get(kind, 500)

    def response(self, headers: dict[str, str] | None = None) -> Response:
        message, context = self.detail, None
        if self.doing is not None and self.kind in _PREFIXES:
            message, context = f"{_PREFIXES[self.kind]}, cannot {self.doing}.", self.detail
        error = {
            "message": message,
            "context": context,
            "type": self.kind,
            "details": None,
            "property": None,
            "help": None,
            "code": self.code,
            "id": str(uuid.uuid4()),
            "ghostErrorCode": None,
        }
        return Response(
            dump_json({"errors": [error]}),
            status_code=self.status,
            media_type="application/json",
            # As Ghost: no cache or CDN keeps a refusal (a key may be made a moment later).
            headers={
                "Cache-Control": "no-cache, private, no-store, must-revalidate",
                **(headers or {}),
            },
        )


async def _on_ghost_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, GhostError)
    return error.response()


def _in_ghosts_shape(handler: Handler) -> Handler:
    """`handler`, whose problem documents are told in Ghost's shape under PREFIX."""

    async def handle(request: Request, error: Exception) -> Response:
        answered = handler(request, error)
        response = await answered if inspect.isawaitable(answered) else answered
        if not request.url.path.startswith(PREFIX):
            return response
        problem: dict[str, Any] = orjson.loads(bytes(response.body))
        detail = problem.get("detail") or problem.get("title") or "Request failed"
        kind = _TYPES.get(response.status_code, "InternalServerError")
        kept = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
        refusal = GhostError(kind, detail)
        refusal.status = response.status_code
        return refusal.response(kept)

    return handle


def install_ghost_errors(app: FastAPI) -> None:
    """After cms.problems' handlers: each of them answers Ghost's clients in Ghost's shape."""
    for kind, handler in list(app.exception_handlers.items()):
        if kind is not WebSocketRequestValidationError:  # no websockets here
            app.exception_handlers[kind] = _in_ghosts_shape(handler)
    app.add_exception_handler(GhostError, _on_ghost_error)
