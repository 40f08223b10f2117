"""The OpenAPI document, corrected to what the API really answers, and complete enough for
code generators and linters (Spectral's `spectral:oas`: .spectral.yaml).

FastAPI documents request validation as a 422 `HTTPValidationError`; we answer an
RFC 9457 problem document instead: 400 for bad parameters, 422 for a bad body.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from cms.api.types import document_no_nul
from cms.api.urls import API_PREFIX
from cms.config import Settings
from cms.problems import PROBLEM_MEDIA_TYPE

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# The routers' tags, in the order a reader wants them: the Content API that front ends are
# written against, then the Admin API, then the server's own.
TAGS = {
    "Content: posts": "Published posts: lists with filters and search, one post with "
    "everything its page shows, and related posts.",
    "Content: views": "Counting a post's views.",
    "Content: comments": "Readers' comments on a post: the approved ones, and submitting one.",
    "Content: authors": "Authors of published posts, with how many each has written.",
    "Content: tags": "Tags of published posts, with how many posts have each.",
    "Content: site": "The site as a whole: title, logo, navigation, language and time zone.",
    "Feeds": "The RSS feed and the sitemaps, at the site's root.",
    "Media files": "The media library's images and their variants, named by their content "
    "and cached for a year.",
    "Admin: session": "Signing in: a token for the Admin API.",
    "Admin: posts": "Posts in every status: writing, publishing, revisions, trash and "
    "view statistics.",
    "Admin: authors": "Managing authors; guest authors need no account.",
    "Admin: tags": "Managing tags.",
    "Admin: comments": "Moderating comments, and answering them as an editor.",
    "Admin: media": "The media library: uploading images, with their alt texts and captions.",
    "Admin: users": "Accounts and their roles.",
    "Admin: tokens": "Long-lived API tokens for scripts.",
    "Admin: content keys": "Keys for the Ghost-compatible Content API at /ghost/api/content/.",
    "Admin: webhooks": "Receivers told of changes, signed by the Standard Webhooks scheme, "
    "and their delivery log.",
    "Admin: site": "The site settings: title, description, logo, navigation...",
    "Admin: audit log": "Who changed what, and when.",
    "Health": "Liveness and readiness, for load balancers and orchestrators.",
}


def operation_id(route: APIRoute) -> str:
    """`list_posts` -> `listPosts`: the handler's `verb_noun` name, as code generators name
    their methods (FastAPI's default adds the path and method: `list_posts_api_v1_posts_get`)."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            settings: Settings = app.state.settings
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=[_server(settings)],
                contact={"name": settings.site_title, "url": settings.site_url},
            )
            for path, path_item in schema.get("paths", {}).items():
                for method, operation in path_item.items():
                    _fix_error_responses(operation)
                    for parameter in operation.get("parameters", []):
                        document_no_nul(parameter.get("schema", {}))
                    if method == "get" and _is_content_api(path):
                        _document_conditional_get(operation)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            schema["tags"] = _tags_in_use(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _server(settings: Settings) -> dict[str, str]:
    if settings.api_url:
        return {"url": settings.api_url, "description": "This API's public address."}
    # CMS_API_URL unset: `links` name the address each request came to, and so does this.
    return {"url": "/", "description": "The server that answered this document."}


def _tags_in_use(schema: dict[str, Any]) -> list[dict[str, str]]:
    # A tag that no route uses is left out; one missing from TAGS stays undefined, which
    # tests/test_openapi_document.py (and Spectral) catch.
    used = {
        tag
        for item in schema["paths"].values()
        for operation in item.values()
        for tag in operation.get("tags", [])
    }
    return [{"name": name, "description": about} for name, about in TAGS.items() if name in used]


def _fix_error_responses(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "422" in responses:
        has_parameters = bool(operation.get("parameters"))
        if "requestBody" not in operation:
            responses.pop("422")
        if has_parameters:
            responses.setdefault("400", {"description": "Bad Request"})
    if "requestBody" in operation:  # over CMS_MAX_BODY_MB, before any route
        responses.setdefault("413", {"description": "Content Too Large"})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}


def _is_content_api(path: str) -> bool:
    return path.startswith(f"{API_PREFIX}/") and not path.startswith(f"{API_PREFIX}/admin")


def _document_conditional_get(operation: dict[str, Any]) -> None:
    # DeliveryMiddleware adds these to every public answer: say so in the document.
    operation.setdefault("parameters", []).append(
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETags from earlier answers; a match gets `304 Not Modified`.",
            "schema": {"type": "string"},
        }
    )
    responses = operation["responses"]
    responses["200"]["headers"] = {
        "ETag": {"description": "Validator of this representation.", "schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string"}},
    }
    responses["304"] = {"description": "Not Modified: the `If-None-Match` ETag still holds."}
