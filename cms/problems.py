"""RFC 9457 problem documents: every error the API answers is shaped here, in one place."""

import logging
import sqlite3
from http import HTTPStatus
from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from cms.outages import Kind, OutageLog, kind_of

logger = logging.getLogger("cms")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document; some problems add members of their own."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


class DomainError(Exception):
    """A failure the client can act on; services raise these, never HTTP exceptions."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    # True for failures whose bookkeeping must be saved even though the request
    # fails (a failed sign-in is counted, or throttling would never start).
    keeps_changes: bool = False

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.errors = [FieldError(field=field, message=detail)] if field else None
        self.headers = headers or {}
        self.extra = extra or {}  # problem-specific members (RFC 9457 extensions)

    def __reduce__(self) -> Any:
        # Whole, field included, across processes (cms.media.images works in one of its own).
        field = self.errors[0].field if self.errors else None
        return (_rebuilt, (type(self), self.detail, field, self.headers, self.extra))


def _rebuilt(
    kind: type[DomainError], detail: str, field: str | None, headers: Any, extra: Any
) -> DomainError:
    return kind(detail, field=field, headers=headers, extra=extra)


class BadRequest(DomainError):
    status = HTTPStatus.BAD_REQUEST


class Unauthorized(DomainError):
    status = HTTPStatus.UNAUTHORIZED

    def __init__(self, detail: str, **kwargs: object) -> None:
        super().__init__(detail, **kwargs)  # type: ignore[arg-type]
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT


class PreconditionFailed(DomainError):
    status = HTTPStatus.PRECONDITION_FAILED


class UnsupportedMediaType(DomainError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


class ContentTooLarge(DomainError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class Unprocessable(DomainError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY


class PreconditionRequired(DomainError):
    status = HTTPStatus.PRECONDITION_REQUIRED


class ServiceUnavailable(DomainError):
    status = HTTPStatus.SERVICE_UNAVAILABLE


class TooManyRequests(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS


def problem_response(
    status: int,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = [error.model_dump() for error in errors]
    body.update(extra or {})
    return Response(
        orjson.dumps(body, option=orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _field_name(location: tuple[Any, ...]) -> str:
    # ("query", "limit") -> "limit"; ("body", "authors", 0) -> "authors.0"
    parts = [str(part) for part in location[1:]] if len(location) > 1 else [str(location[0])]
    return ".".join(parts)


async def _on_domain_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    return problem_response(error.status, error.detail, error.errors, error.headers, error.extra)


async def _on_validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldError(
            field="body" if item["type"] == "json_invalid" else _field_name(tuple(item["loc"])),
            message=item["msg"],
        )
        for item in error.errors()
    ]
    # A bad query, path or header parameter is a bad request (400); a body that
    # parses but does not validate is unprocessable content (422).
    in_body = any(item["loc"] and item["loc"][0] == "body" for item in error.errors())
    status = 422 if in_body else 400
    names = ", ".join(dict.fromkeys(e.field for e in errors))
    return problem_response(status, f"Invalid value for: {names}", errors)


async def _on_http_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error.__cause__, UnicodeDecodeError):
        # FastAPI answers a body it cannot decode with a bare 400; name the field instead.
        message = "The request body is not valid UTF-8"
        return problem_response(422, message, [FieldError(field="body", message=message)])
    detail = error.detail if error.detail != HTTPStatus(error.status_code).phrase else None
    headers = dict(error.headers or {})
    if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(_request)
    return problem_response(error.status_code, detail, headers=headers)


def _allowed_methods(request: Request) -> str:
    # Starlette names only the methods of the first route that matched the path;
    # one path can have several routes (GET and POST on /admin/posts): ask them all.
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
            if method == "GET":
                allowed.append("HEAD")  # cms.http.head answers it wherever GET works
    return ", ".join(allowed)


async def _on_integrity_error(request: Request, error: Exception) -> Response:
    # Two requests racing to claim the same unique value (a slug, an e-mail): the loser
    # gets what it would have got a moment later, a conflict, not a 500.
    logger.info("unique constraint raced on %s %s: %s", request.method, request.url.path, error)
    return problem_response(409, "Someone else just saved the same value; try again")


async def _on_database_error(request: Request, error: Exception) -> Response:
    # The database down, its disk full or a writer kept waiting: the service is unavailable
    # for now, not broken, and the client is told when to come back. Anything else is a bug.
    kind = kind_of(error)
    if kind is None:
        return await _on_unexpected_error(request, error)
    if kind is Kind.BUSY:
        logger.warning("database busy on %s %s", request.method, request.url.path)
    outages: OutageLog | None = getattr(request.app.state, "outages", None)
    if outages is not None:
        outages.failed(kind, error)
    headers = {"Retry-After": str(kind.retry_after)}
    return problem_response(503, kind.detail, headers=headers)


async def _on_unexpected_error(request: Request, error: Exception) -> Response:
    # Logged in full for the operator; the client sees no trace, SQL or data.
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "An unexpected error occurred; it has been logged.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(exc.IntegrityError, _on_integrity_error)
    # Errors that may report an outage; kind_of tells them from the program's own.
    outages: tuple[type[Exception], ...] = (
        *(exc.DBAPIError, exc.DisconnectionError, exc.TimeoutError),
        *(sqlite3.Error, psycopg.Error, OSError),
    )
    for error in outages:
        app.add_exception_handler(error, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected_error)


def invalid_fields(error: ValidationError) -> str:
    """A pydantic refusal as one line for a terminal: `html: String should have at most
    500000 characters; slug: ...` (the CLI's and the importers' messages)."""
    return "; ".join(
        f"{'.'.join(map(str, item['loc'])) or 'value'}: {item['msg']}" for item in error.errors()
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting the problem documents a route may answer."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses
    }
