"""Admin API: long-lived API tokens: shown once, stored hashed, listed without secrets, revoked."""

import hashlib

import pytest
from sqlmodel import Session, select

from cms.audit.models import AuditEvent
from cms.auth.models import ApiToken
from cms.users.models import Role, User
from tests.factories import PASSWORD, bearer, make_user

TOKENS = "/api/v1/admin/tokens"


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def stored(session: Session, token_id: int) -> ApiToken:
    session.expire_all()
    token = session.get(ApiToken, token_id)
    assert token is not None
    return token


def make_token(client, headers, **fields):  # type: ignore[no-untyped-def]
    response = client.post(TOKENS, json={"name": "deploy"} | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_every_endpoint_needs_a_token(client) -> None:
    for method, url in [
        ("GET", TOKENS),
        ("POST", TOKENS),
        ("GET", f"{TOKENS}/1"),
        ("DELETE", f"{TOKENS}/1"),
    ]:
        response = client.request(method, url, json={"name": "x"})
        assert response.status_code == 401, (method, url)
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR])
def test_below_admin_every_endpoint_is_forbidden(client, session: Session, role: Role) -> None:
    user = make_user(session, role=role)
    headers = bearer(session, user)
    token_id = session.exec(select(ApiToken.id).where(ApiToken.user_id == user.id)).one()

    for method, url in [
        ("GET", TOKENS),
        ("POST", TOKENS),
        ("GET", f"{TOKENS}/{token_id}"),
        ("DELETE", f"{TOKENS}/{token_id}"),
    ]:
        response = client.request(method, url, json={"name": "x"}, headers=headers)
        assert response.status_code == 403, (method, url)
    assert stored(session, token_id).revoked_at is None
    assert session.exec(select(ApiToken).where(ApiToken.name == "x")).all() == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_create_shows_the_secret_once_and_stores_only_its_hash(
    client, session: Session, clock, role: Role
) -> None:
    user = make_user(session, role=role, name="Kim")

    response = client.post(TOKENS, json={"name": " deploy "}, headers=bearer(session, user))

    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    secret = data["token"]
    assert response.headers["location"] == f"http://api.test{TOKENS}/{data['id']}"
    assert data == {
        "token": secret,
        "id": data["id"],
        "name": "deploy",
        "kind": "api",
        "hint": secret[:8],
        "user": {"id": user.id, "name": "Kim"},
        "created_at": "2026-01-15T12:00:00Z",
        "expires_at": None,
        "last_used_at": None,
        "revoked_at": None,
        "links": {"self": f"http://api.test{TOKENS}/{data['id']}"},
    }
    assert secret.startswith("cms_") and len(secret) > 40
    token = stored(session, data["id"])
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert secret not in {str(value) for value in token.model_dump().values()}
    again = client.get(f"{TOKENS}/{data['id']}", headers=bearer(session, user)).json()["data"]
    assert "token" not in again and secret not in str(again)
    (event,) = events(session, "token.create")
    assert (event.actor_id, event.subject_type, event.subject_id) == (user.id, "token", data["id"])
    assert secret not in event.summary


def test_the_new_token_works_and_its_last_use_is_kept(client, session: Session, clock) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    data = make_token(client, admin)
    clock.advance(hours=2)

    response = client.get(TOKENS, headers={"Authorization": f"Bearer {data['token']}"})

    assert response.status_code == 200
    assert stored(session, data["id"]).last_used_at == clock.now
    mine = next(token for token in response.json()["data"] if token["id"] == data["id"])
    assert mine["last_used_at"] == "2026-01-15T14:00:00Z"


def test_admin_makes_a_token_for_another_user(client, session: Session) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    editor = make_user(session, role=Role.EDITOR, name="Eddie")

    data = make_token(client, admin, user_id=editor.id)

    assert data["user"] == {"id": editor.id, "name": "Eddie"}
    works = client.get("/api/v1/admin/posts", headers={"Authorization": f"Bearer {data['token']}"})
    assert works.status_code == 200
    as_editor = client.get(TOKENS, headers={"Authorization": f"Bearer {data['token']}"})
    assert as_editor.status_code == 403  # the token has its owner's role, not its maker's


def test_only_an_owner_makes_or_revokes_an_owners_token(client, session: Session) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    owner_user = make_user(session, role=Role.OWNER)
    owner = bearer(session, owner_user)
    owners_token = make_token(client, owner)

    made_by_admin = client.post(TOKENS, json={"name": "x", "user_id": owner_user.id}, headers=admin)
    revoked_by_admin = client.delete(f"{TOKENS}/{owners_token['id']}", headers=admin)
    made_by_owner = client.post(TOKENS, json={"name": "y", "user_id": owner_user.id}, headers=owner)

    assert (made_by_admin.status_code, revoked_by_admin.status_code) == (403, 403)
    assert made_by_owner.status_code == 201
    assert stored(session, owners_token["id"]).revoked_at is None
    assert len(events(session, "token.create")) == 2
    assert events(session, "token.revoke") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 192}, "name"),
        ({"name": "x", "user_id": 999999}, "user_id"),
        ({"name": "x", "user_id": 0}, "user_id"),
        ({"name": "x", "kind": "session"}, "kind"),
        ({"name": "x", "expires_at": "2030-01-01T00:00:00Z"}, "expires_at"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client, session: Session, body: dict[str, object], field: str
) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))

    response = client.post(TOKENS, json=body, headers=admin)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert events(session, "token.create") == []


def test_list_shows_every_token_newest_first_without_secrets(
    client, session: Session, clock
) -> None:
    admin_user = make_user(session, role=Role.ADMIN)
    admin = bearer(session, admin_user)  # made at factories.PAST: the oldest
    editor = make_user(session, role=Role.EDITOR, email="ed@example.com")
    signed_in = client.post(
        "/api/v1/admin/session", json={"email": "ed@example.com", "password": PASSWORD}
    ).json()["data"]["token"]
    clock.advance(minutes=5)
    created = make_token(client, admin, name="backup")

    response = client.get(TOKENS, headers=admin)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert [(t["name"], t["kind"]) for t in body["data"]] == [
        ("backup", "api"),
        ("session", "session"),
        ("test", "api"),
    ]
    assert body["data"][1]["user"] == {"id": editor.id, "name": editor.name}
    assert body["data"][1]["expires_at"] == "2026-01-16T00:00:00Z"
    assert body["meta"]["pagination"]["total"] == 3
    text = response.text
    assert created["token"] not in text and signed_in not in text
    for token in session.exec(select(ApiToken)).all():
        assert token.secret_hash not in text


def test_list_filters_by_user_and_kind_and_pages(client, session: Session) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    editor = make_user(session, role=Role.EDITOR)
    for name in ["one", "two", "three"]:
        make_token(client, admin, name=name, user_id=editor.id)

    mine = client.get(TOKENS, params={"user_id": editor.id, "limit": 2}, headers=admin).json()
    sessions = client.get(TOKENS, params={"kind": "session"}, headers=admin).json()
    bad = client.get(TOKENS, params={"kind": "forever"}, headers=admin)

    assert [t["name"] for t in mine["data"]] == ["three", "two"]
    assert mine["meta"]["pagination"]["total"] == 3
    assert mine["links"]["next"] == f"http://api.test{TOKENS}?limit=2&user_id={editor.id}&page=2"
    assert sessions["data"] == []
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_unknown_token_is_a_404(client, session: Session) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))

    assert client.get(f"{TOKENS}/999999", headers=admin).status_code == 404
    assert client.delete(f"{TOKENS}/999999", headers=admin).status_code == 404


def test_a_revoked_token_gets_401_on_every_admin_call(client, session: Session, clock) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    data = make_token(client, admin)
    victim = {"Authorization": f"Bearer {data['token']}"}
    assert client.get("/api/v1/admin/users", headers=victim).status_code == 200

    response = client.delete(f"{TOKENS}/{data['id']}", headers=admin)

    assert response.status_code == 204 and response.content == b""
    for url in [TOKENS, "/api/v1/admin/users", "/api/v1/admin/audit", "/api/v1/admin/posts"]:
        assert client.get(url, headers=victim).status_code == 401, url
    assert stored(session, data["id"]).revoked_at == clock.now
    listed = client.get(f"{TOKENS}/{data['id']}", headers=admin).json()["data"]
    assert listed["revoked_at"] == "2026-01-15T12:00:00Z"
    (event,) = events(session, "token.revoke")
    assert event.subject_id == data["id"]


def test_revoking_twice_changes_nothing(client, session: Session, clock) -> None:
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    data = make_token(client, admin)
    client.delete(f"{TOKENS}/{data['id']}", headers=admin)
    clock.advance(hours=1)

    again = client.delete(f"{TOKENS}/{data['id']}", headers=admin)

    assert again.status_code == 204
    assert stored(session, data["id"]).revoked_at == clock.now.replace(hour=12)
    assert len(events(session, "token.revoke")) == 1


def test_revoking_the_token_in_use_signs_the_caller_out(client, session: Session) -> None:
    admin_user = make_user(session, role=Role.ADMIN)
    admin = bearer(session, admin_user)
    token_id = session.exec(select(ApiToken.id).where(ApiToken.user_id == admin_user.id)).one()

    assert client.delete(f"{TOKENS}/{token_id}", headers=admin).status_code == 204
    assert client.get(TOKENS, headers=admin).status_code == 401
    assert session.get(User, admin_user.id) is not None
