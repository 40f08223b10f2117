"""Errors in Ghost's shape (`{"errors": [{"message", "context", "type", ...}]}`), so that
Ghost's client and the front ends built on it read them as they read Ghost's own: the
client throws an Error named after `type`, carrying every field of the first error."""

import uuid

from fastapi import FastAPI, Request
from starlette.responses import Response

from cms.api.responses import dump_json

# Ghost's words before ", cannot list posts." for the errors raised inside an endpoint.
_PREFIXES = {
    "NotFoundError": "Resource not found error",
    "ValidationError": "Validation error",
    "BadRequestError": "Request not understood error",
}
_STATUS = {
    "BadRequestError": 400,
    "UnauthorizedError": 401,
    "NoPermissionError": 403,
    "NotFoundError": 404,
    "ValidationError": 422,
}


class GhostError(Exception):
    """A refusal the Ghost-compatible API answers in Ghost's shape. `doing` ("list posts",
    "read post") makes Ghost's message ("Validation error, cannot list posts.") with the
    detail as its context; without it, the detail is the message (the key checks)."""

    def __init__(
        self, kind: str, detail: str, *, doing: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.doing, self.code = kind, detail, doing, code
        self.status = _STATUS[kind]

    def document(self) -> dict[str, object]:
        message, context = self.detail, None
        if self.doing is not None:
            message, context = f"{_PREFIXES[self.kind]}, cannot {self.doing}.", self.detail
        return {
            "errors": [
                {
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
            ]
        }


async def _on_ghost_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, GhostError)
    return Response(
        dump_json(error.document()),
        status_code=error.status,
        media_type="application/json",
        # As Ghost: no cache or CDN keeps a refusal (a key may be made a moment later).
        headers={"Cache-Control": "no-cache, private, no-store, must-revalidate"},
    )


def install_ghost_errors(app: FastAPI) -> None:
    app.add_exception_handler(GhostError, _on_ghost_error)
