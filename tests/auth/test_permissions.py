"""The permission matrix: every Admin API operation x every role and anonymous -> the status.

The operations come from the app's own OpenAPI document, so a new admin route without a row
here fails `test_every_admin_operation_has_a_row`. Object routes act on someone else's post
(a contributor or author may not even see it: 404), and on records of editors and up.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session

from cms.app import create_app
from cms.auth.models import TokenKind
from cms.config import Settings
from cms.ghost import keys as content_keys
from cms.media.models import Media
from cms.tags import service as tags_service
from cms.users.models import Role
from cms.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from cms.webhooks.signing import new_secret
from tests.factories import PAST, bearer, make_author, make_pending_comment, make_post, make_user
from tests.media.pictures import picture

ROLES: list[Role | None] = [None, *reversed(Role)]  # anonymous, contributor ... owner


@dataclass(frozen=True)
class Row:
    """How to call one operation, and what each role gets."""

    minimum: Role  # below it: 403 (or 404 where `hides` says so)
    ok: int
    make: Callable[[Session], tuple[str, Any]]  # -> (path, JSON body)
    hides: bool = False  # below editor, someone else's post is not found rather than forbidden
    if_match: bool = False
    upload: bool = False  # sends an image as multipart/form-data instead of a JSON body

    def expected(self, role: Role | None) -> int:
        if role is None:
            return 401
        if role.includes(self.minimum):
            return self.ok
        return 404 if self.hides else 403


def others_post(session: Session, **fields: Any) -> Any:
    return make_post(session, authors=[make_author(session)], **fields)


def post_route(
    suffix: str = "", body: Any = None, **fields: Any
) -> Callable[[Session], tuple[str, Any]]:
    return lambda s: (f"/api/v1/admin/posts/{others_post(s, **fields).id}{suffix}", body)


def trashed_post(session: Session) -> tuple[str, Any]:
    post = others_post(session)
    post.deleted_at = datetime(2026, 1, 10, tzinfo=UTC)  # days before the test clock's now
    session.add(post)
    session.flush()
    return f"/api/v1/admin/trash/{post.id}/restore", None


def fixed(path: str, body: Any = None) -> Callable[[Session], tuple[str, Any]]:
    return lambda _session: (path, body)


def record(
    path: str, make: Callable[[Session], Any], body: Any = None
) -> Callable[[Session], tuple[str, Any]]:
    return lambda s: (f"{path}/{make(s).id}", body)


def token_of_editor(session: Session) -> Any:
    from cms.auth import service

    user = make_user(session, role=Role.EDITOR)
    return service.issue_token(
        session, user=user, name="t", kind=TokenKind.API, now=user.created_at
    ).token


def make_tag(session: Session) -> Any:
    (tag,) = tags_service.tags_by_name(session, names=["Some tag"])
    return tag


def make_comment(session: Session) -> Any:
    return make_pending_comment(session, post=others_post(session))


def make_media(session: Session) -> Any:
    fields = {"filename": "x.png", "mime_type": "image/png", "extension": "png"}
    media = Media(hash="0" * 64, size=1, width=1, height=1, **fields)
    session.add(media)
    session.flush()
    return media


def make_webhook(session: Session) -> Any:
    webhook = Webhook(url=HOOK, events="*", secret=new_secret())
    session.add(webhook)
    session.flush()
    return webhook


def make_content_key(session: Session) -> Any:
    return content_keys.create_key(session, name="Front end", actor=None, now=PAST).record


def delivery_route(suffix: str = "") -> Callable[[Session], tuple[str, Any]]:
    def make(session: Session) -> tuple[str, Any]:
        webhook = make_webhook(session)
        event = WebhookEvent(type="ping", webhook_id=webhook.id, body="{}")
        session.add(event)
        session.flush()
        delivery = WebhookDelivery(webhook_id=webhook.id or 0, event_id=event.id or 0)
        session.add(delivery)
        session.flush()
        return f"{HOOKS}/{webhook.id}/deliveries/{delivery.id}{suffix}", None

    return make


HOOKS = "/api/v1/admin/webhooks"
KEYS = "/api/v1/admin/content-keys"
HOOK = "https://93.184.215.14/hook"  # public, and an address: nothing to look up
E, A, C = Role.EDITOR, Role.ADMIN, Role.CONTRIBUTOR
MATRIX: dict[str, Row] = {
    "GET /api/v1/admin/posts": Row(C, 200, fixed("/api/v1/admin/posts")),
    "POST /api/v1/admin/posts": Row(C, 201, fixed("/api/v1/admin/posts", {"title": "New"})),
    "GET /api/v1/admin/posts/{post_id}": Row(E, 200, post_route(), hides=True),
    "GET /api/v1/admin/posts/{post_id}/stats": Row(E, 200, post_route("/stats"), hides=True),
    "PATCH /api/v1/admin/posts/{post_id}": Row(
        E, 200, post_route(body={"title": "Edited"}), hides=True, if_match=True
    ),
    "DELETE /api/v1/admin/posts/{post_id}": Row(E, 204, post_route(), hides=True, if_match=True),
    "POST /api/v1/admin/posts/{post_id}/publish": Row(
        E, 200, post_route("/publish", published=False), hides=True
    ),
    "POST /api/v1/admin/posts/{post_id}/unpublish": Row(
        E, 200, post_route("/unpublish"), hides=True
    ),
    "GET /api/v1/admin/posts/{post_id}/revisions": Row(
        E, 200, post_route("/revisions"), hides=True
    ),
    "POST /api/v1/admin/posts/{post_id}/revisions/{number}/restore": Row(
        E, 200, post_route("/revisions/1/restore"), hides=True
    ),
    "POST /api/v1/admin/posts/{post_id}/preview": Row(
        E, 201, post_route("/preview", published=False), hides=True
    ),
    "DELETE /api/v1/admin/posts/{post_id}/preview": Row(E, 204, post_route("/preview"), hides=True),
    "GET /api/v1/admin/trash": Row(E, 200, fixed("/api/v1/admin/trash")),
    "POST /api/v1/admin/trash/{post_id}/restore": Row(E, 200, trashed_post),
    "GET /api/v1/admin/authors": Row(E, 200, fixed("/api/v1/admin/authors")),
    "POST /api/v1/admin/authors": Row(E, 201, fixed("/api/v1/admin/authors", {"name": "Guest"})),
    "GET /api/v1/admin/authors/{author_id}": Row(
        E, 200, record("/api/v1/admin/authors", make_author)
    ),
    "PATCH /api/v1/admin/authors/{author_id}": Row(
        E, 200, record("/api/v1/admin/authors", make_author, {"bio": "New bio."})
    ),
    "DELETE /api/v1/admin/authors/{author_id}": Row(
        E, 204, record("/api/v1/admin/authors", make_author)
    ),
    "GET /api/v1/admin/tags": Row(E, 200, fixed("/api/v1/admin/tags")),
    "POST /api/v1/admin/tags": Row(E, 201, fixed("/api/v1/admin/tags", {"name": "Fresh"})),
    "GET /api/v1/admin/tags/{tag_id}": Row(E, 200, record("/api/v1/admin/tags", make_tag)),
    "PATCH /api/v1/admin/tags/{tag_id}": Row(
        E, 200, record("/api/v1/admin/tags", make_tag, {"description": "About."})
    ),
    "DELETE /api/v1/admin/tags/{tag_id}": Row(E, 204, record("/api/v1/admin/tags", make_tag)),
    "GET /api/v1/admin/users": Row(A, 200, fixed("/api/v1/admin/users")),
    "POST /api/v1/admin/users": Row(
        A,
        201,
        fixed(
            "/api/v1/admin/users",
            {
                "email": "new@example.com",
                "name": "New",
                "role": "author",
                "password": "long enough pw",
            },
        ),
    ),
    "GET /api/v1/admin/users/{user_id}": Row(A, 200, record("/api/v1/admin/users", make_user)),
    "PATCH /api/v1/admin/users/{user_id}": Row(
        A, 200, record("/api/v1/admin/users", make_user, {"name": "Renamed"})
    ),
    "DELETE /api/v1/admin/users/{user_id}": Row(A, 204, record("/api/v1/admin/users", make_user)),
    "GET /api/v1/admin/tokens": Row(A, 200, fixed("/api/v1/admin/tokens")),
    "POST /api/v1/admin/tokens": Row(A, 201, fixed("/api/v1/admin/tokens", {"name": "Script"})),
    "GET /api/v1/admin/tokens/{token_id}": Row(
        A, 200, record("/api/v1/admin/tokens", token_of_editor)
    ),
    "DELETE /api/v1/admin/tokens/{token_id}": Row(
        A, 204, record("/api/v1/admin/tokens", token_of_editor)
    ),
    "GET /api/v1/admin/audit": Row(A, 200, fixed("/api/v1/admin/audit")),
    "GET /api/v1/admin/comments": Row(E, 200, fixed("/api/v1/admin/comments?status=pending")),
    "PATCH /api/v1/admin/comments/{comment_id}": Row(
        E, 200, record("/api/v1/admin/comments", make_comment, {"status": "approved"})
    ),
    "POST /api/v1/admin/posts/{post_id}/comments": Row(
        E, 201, post_route("/comments", body={"body": "Thanks, all."})
    ),
    "POST /api/v1/admin/media": Row(C, 201, fixed("/api/v1/admin/media"), upload=True),
    "GET /api/v1/admin/media": Row(C, 200, fixed("/api/v1/admin/media")),
    "GET /api/v1/admin/media/{media_id}": Row(C, 200, record("/api/v1/admin/media", make_media)),
    "PATCH /api/v1/admin/media/{media_id}": Row(
        C, 200, record("/api/v1/admin/media", make_media, {"alt": "A picture"})
    ),
    "DELETE /api/v1/admin/media/{media_id}": Row(E, 204, record("/api/v1/admin/media", make_media)),
    "GET /api/v1/admin/webhooks": Row(A, 200, fixed(HOOKS)),
    "POST /api/v1/admin/webhooks": Row(A, 201, fixed(HOOKS, {"url": HOOK, "events": ["*"]})),
    "GET /api/v1/admin/webhooks/{webhook_id}": Row(A, 200, record(HOOKS, make_webhook)),
    "PATCH /api/v1/admin/webhooks/{webhook_id}": Row(
        A, 200, record(HOOKS, make_webhook, {"enabled": False})
    ),
    "DELETE /api/v1/admin/webhooks/{webhook_id}": Row(A, 204, record(HOOKS, make_webhook)),
    "POST /api/v1/admin/webhooks/{webhook_id}/ping": Row(
        A, 202, lambda s: (f"{HOOKS}/{make_webhook(s).id}/ping", None)
    ),
    "GET /api/v1/admin/webhooks/{webhook_id}/deliveries": Row(
        A, 200, lambda s: (f"{HOOKS}/{make_webhook(s).id}/deliveries", None)
    ),
    "GET /api/v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}": Row(
        A, 200, delivery_route()
    ),
    "POST /api/v1/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": Row(
        A, 202, delivery_route("/redeliver")
    ),
    "GET /api/v1/admin/content-keys": Row(A, 200, fixed(KEYS)),
    "POST /api/v1/admin/content-keys": Row(A, 201, fixed(KEYS, {"name": "Gatsby site"})),
    "GET /api/v1/admin/content-keys/{key_id}": Row(A, 200, record(KEYS, make_content_key)),
    "DELETE /api/v1/admin/content-keys/{key_id}": Row(A, 204, record(KEYS, make_content_key)),
    "GET /api/v1/admin/site": Row(A, 200, fixed("/api/v1/admin/site")),
    "PATCH /api/v1/admin/site": Row(A, 200, fixed("/api/v1/admin/site", {"title": "Renamed"})),
}
PUBLIC = {"POST /api/v1/admin/session"}  # signing in needs no token


def admin_operations() -> set[str]:
    document = create_app(Settings(database_url="sqlite://")).openapi()
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/admin")
        for method in item
    }


def test_every_admin_operation_has_a_row() -> None:
    assert admin_operations() - PUBLIC == set(MATRIX)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_permission_matrix(client, session: Session, operation: str, role: Role | None) -> None:
    row = MATRIX[operation]
    method, _ = operation.split(" ", 1)
    path, body = row.make(session)
    headers = bearer(session, make_user(session, role=role)) if role else {}
    if row.if_match:
        headers["If-Match"] = "*"

    if row.upload:
        files = {"file": ("picture.png", picture(300, 200, kind="PNG"), "image/png")}
        response = client.request(method, path, files=files, headers=headers)
    else:
        response = client.request(method, path, json=body, headers=headers)

    assert response.status_code == row.expected(role), response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
