"""Admin API: accounts, the role ladder's owner rules, and what each change leaves in the log."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from cms.audit.models import AuditEvent
from cms.auth.models import ApiToken
from cms.users.models import Role, User
from tests.factories import PASSWORD, bearer, make_user

USERS = "/api/v1/admin/users"
NEW_PASSWORD = "a brand new passphrase"
NOT_ALLOWED = [Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR]
ALLOWED = [Role.ADMIN, Role.OWNER]


def headers_for(session: Session, role: Role) -> dict[str, str]:
    return bearer(session, make_user(session, role=role))


def new_user(**fields: object) -> dict[str, object]:
    return {"email": "sam@example.com", "name": "Sam", "role": "editor", "password": PASSWORD} | (
        fields
    )


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def reloaded(session: Session, user: User) -> User | None:
    user_id = user.id
    session.expire_all()
    return session.get(User, user_id)


def every_endpoint(user_id: int) -> list[tuple[str, str, dict[str, object] | None]]:
    return [
        ("GET", USERS, None),
        ("POST", USERS, new_user()),
        ("GET", f"{USERS}/{user_id}", None),
        ("PATCH", f"{USERS}/{user_id}", {"name": "Renamed"}),
        ("DELETE", f"{USERS}/{user_id}", None),
    ]


def test_every_endpoint_needs_a_token(client, session: Session) -> None:
    target = make_user(session)

    for method, url, body in every_endpoint(target.id or 0):
        response = client.request(method, url, json=body)
        assert response.status_code == 401, (method, url)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", NOT_ALLOWED)
def test_below_admin_every_endpoint_is_forbidden(client, session: Session, role: Role) -> None:
    headers = headers_for(session, role)
    target = make_user(session)

    for method, url, body in every_endpoint(target.id or 0):
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (method, url)
        assert "admin" in response.json()["detail"]
    assert reloaded(session, target) is not None
    assert events(session, "user.create") == []


@pytest.mark.parametrize("role", ALLOWED)
def test_admins_and_owners_list_users_without_password_hashes(
    client, session: Session, role: Role
) -> None:
    headers = bearer(session, make_user(session, name="Kim", role=role))
    make_user(session, name="Zoe", role=Role.AUTHOR)
    make_user(session, name="Abe", role=Role.CONTRIBUTOR)

    response = client.get(USERS, params={"limit": 2}, headers=headers)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert [user["name"] for user in body["data"]] == ["Abe", "Kim"]
    assert body["meta"]["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "pages": 2,
        "next": 2,
        "prev": None,
    }
    assert body["links"]["next"] == f"http://api.test{USERS}?limit=2&page=2"
    for user in body["data"]:
        assert "password" not in str(user)
        assert user["links"]["self"] == f"http://api.test{USERS}/{user['id']}"


def test_users_can_be_sorted_and_filtered_by_role(client, session: Session) -> None:
    headers = headers_for(session, Role.ADMIN)
    make_user(session, role=Role.AUTHOR, email="b@example.com")
    make_user(session, role=Role.AUTHOR, email="a@example.com")
    make_user(session, role=Role.EDITOR, email="c@example.com")

    response = client.get(USERS, params={"role": "author", "sort": "-email"}, headers=headers)

    assert [user["email"] for user in response.json()["data"]] == ["b@example.com", "a@example.com"]


def test_unknown_sort_or_role_filter_is_a_400_naming_it(client, session: Session) -> None:
    headers = headers_for(session, Role.ADMIN)

    bad_sort = client.get(USERS, params={"sort": "password_hash"}, headers=headers)
    bad_role = client.get(USERS, params={"role": "boss"}, headers=headers)

    assert bad_sort.status_code == bad_role.status_code == 400
    assert bad_sort.json()["errors"][0]["field"] == "sort"
    assert bad_role.json()["errors"][0]["field"] == "role"


def test_get_one_user(client, session: Session) -> None:
    headers = headers_for(session, Role.ADMIN)
    user = make_user(session, role=Role.AUTHOR, name="Jo")

    response = client.get(f"{USERS}/{user.id}", headers=headers)

    assert response.status_code == 200
    assert response.json()["data"] == {
        "id": user.id,
        "email": user.email,
        "name": "Jo",
        "role": "author",
        "author_id": user.author_id,
        "created_at": response.json()["data"]["created_at"],
        "updated_at": response.json()["data"]["updated_at"],
        "last_login_at": None,
        "links": {"self": f"http://api.test{USERS}/{user.id}"},
    }


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_user_is_a_404(client, session: Session, method: str) -> None:
    headers = headers_for(session, Role.OWNER)

    response = client.request(method, f"{USERS}/999999", json={"name": "X"}, headers=headers)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ALLOWED)
def test_create_user_stores_an_argon2_hash_and_logs_it(
    client, session: Session, clock, role: Role
) -> None:
    actor = make_user(session, role=role)

    response = client.post(
        USERS,
        json=new_user(email="Sam@Example.com", name="  Sam  "),
        headers=bearer(session, actor),
    )

    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    assert response.headers["location"] == f"http://api.test{USERS}/{data['id']}"
    assert data["email"] == "sam@example.com" and data["name"] == "Sam"
    assert data["role"] == "editor" and data["created_at"] == "2026-01-15T12:00:00Z"
    assert "password" not in str(data)
    stored = session.get(User, data["id"])
    assert stored is not None and stored.password_hash != PASSWORD
    assert stored.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(stored.password_hash, PASSWORD)
    (event,) = events(session, "user.create")
    assert (event.actor_id, event.actor, event.subject_type) == (actor.id, actor.email, "user")
    assert event.subject_id == data["id"] and event.at == clock.now
    assert PASSWORD not in event.summary


def test_new_user_can_sign_in_with_the_password_given(client, session: Session) -> None:
    client.post(USERS, json=new_user(), headers=headers_for(session, Role.ADMIN))

    response = client.post(
        "/api/v1/admin/session", json={"email": "sam@example.com", "password": PASSWORD}
    )

    assert response.status_code == 201


def test_duplicate_email_is_a_409_naming_email(client, session: Session) -> None:
    headers = headers_for(session, Role.ADMIN)
    make_user(session, email="sam@example.com")

    response = client.post(USERS, json=new_user(email="SAM@example.com"), headers=headers)

    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "email", "message": "A user with e-mail sam@example.com already exists"}
    ]
    assert events(session, "user.create") == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"role": None}, "role"),
        ({"password": "too short"}, "password"),
        ({"email": "not an e-mail"}, "email"),
        ({"name": "   "}, "name"),
        ({"is_admin": True}, "is_admin"),
        ({"author_id": 999999}, "author_id"),
    ],
)
def test_bad_input_on_create_is_a_422_naming_the_field(
    client, session: Session, fields: dict[str, object], field: str
) -> None:
    headers = headers_for(session, Role.ADMIN)

    response = client.post(USERS, json=new_user(**fields), headers=headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert session.exec(select(User).where(User.email == "sam@example.com")).first() is None


INTRANET_EMAILS = ["owner@example.test", "jo@cms.local", "x@corp.internal", "it@intranet"]


@pytest.mark.parametrize("email", INTRANET_EMAILS)
def test_staff_at_special_use_and_intranet_domains_get_accounts(
    client, session: Session, email: str
) -> None:
    headers = headers_for(session, Role.ADMIN)

    created = client.post(USERS, json=new_user(email=email.upper()), headers=headers)

    assert created.status_code == 201, created.json()
    assert created.json()["data"]["email"] == email
    signed_in = client.post("/api/v1/admin/session", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 201


@pytest.mark.parametrize("email", INTRANET_EMAILS)
def test_an_email_can_be_changed_to_an_intranet_address(
    client, session: Session, email: str
) -> None:
    user = make_user(session)

    response = client.patch(
        f"{USERS}/{user.id}", json={"email": email}, headers=headers_for(session, Role.ADMIN)
    )

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["email"] == email


@pytest.mark.parametrize(
    "email", ["jo@cms..local", "jo@.test", "jo smith@corp.internal", "@x.test"]
)
def test_malformed_addresses_at_special_use_domains_are_still_refused(
    client, session: Session, email: str
) -> None:
    response = client.post(
        USERS, json=new_user(email=email), headers=headers_for(session, Role.ADMIN)
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["email"]


def test_missing_fields_are_each_named(client, session: Session) -> None:
    response = client.post(USERS, json={}, headers=headers_for(session, Role.ADMIN))

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"email", "name", "role", "password"}


def test_an_author_profile_links_to_one_user_only(client, session: Session) -> None:
    headers = headers_for(session, Role.ADMIN)
    taken = make_user(session)

    response = client.post(USERS, json=new_user(author_id=taken.author_id), headers=headers)

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "author_id"


def test_only_an_owner_can_create_an_owner(client, session: Session) -> None:
    admin = headers_for(session, Role.ADMIN)
    owner = headers_for(session, Role.OWNER)

    by_admin = client.post(USERS, json=new_user(role="owner"), headers=admin)
    by_owner = client.post(USERS, json=new_user(role="owner"), headers=owner)

    assert by_admin.status_code == 403
    assert by_owner.status_code == 201 and by_owner.json()["data"]["role"] == "owner"
    assert len(events(session, "user.create")) == 1


def test_admin_changes_a_role_name_and_email(client, session: Session, clock) -> None:
    admin = make_user(session, role=Role.ADMIN)
    user = make_user(session, role=Role.EDITOR, name="Old")
    clock.advance(days=1)

    response = client.patch(
        f"{USERS}/{user.id}",
        json={"role": "author", "name": "New", "email": "New@Example.com"},
        headers=bearer(session, admin),
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["role"], data["name"], data["email"]) == ("author", "New", "new@example.com")
    assert data["updated_at"] == "2026-01-16T12:00:00Z"
    (event,) = events(session, "user.update")
    assert event.summary == "role editor -> author, email, name"
    assert (event.actor_id, event.subject_id) == (admin.id, user.id)


def test_a_patch_that_changes_nothing_is_not_logged(client, session: Session) -> None:
    user = make_user(session, name="Same")

    response = client.patch(
        f"{USERS}/{user.id}", json={"name": "Same"}, headers=headers_for(session, Role.ADMIN)
    )

    assert response.status_code == 200
    assert events(session, "user.update") == []


def test_changing_a_password_stores_a_new_hash(client, session: Session) -> None:
    user = make_user(session)

    response = client.patch(
        f"{USERS}/{user.id}",
        json={"password": NEW_PASSWORD},
        headers=headers_for(session, Role.ADMIN),
    )

    assert response.status_code == 200
    stored = reloaded(session, user)
    assert stored is not None and stored.password_hash != NEW_PASSWORD
    assert PasswordHasher().verify(stored.password_hash, NEW_PASSWORD)
    (event,) = events(session, "user.update")
    assert event.summary == "password"


def test_a_new_password_signs_out_old_sessions(client, session: Session) -> None:
    editor = make_user(session, role=Role.EDITOR, email="ed@example.com")
    admin = bearer(session, make_user(session, role=Role.ADMIN))
    signed_in = client.post(
        "/api/v1/admin/session", json={"email": "ed@example.com", "password": PASSWORD}
    ).json()["data"]["token"]
    script = bearer(session, editor)

    client.patch(
        f"/api/v1/admin/users/{editor.id}", json={"password": "a brand new password"}, headers=admin
    )

    old = client.get("/api/v1/admin/posts", headers={"Authorization": f"Bearer {signed_in}"})
    assert old.status_code == 401
    assert client.get("/api/v1/admin/posts", headers=script).status_code == 200  # API tokens stay
    assert session.exec(select(ApiToken).where(ApiToken.user_id == editor.id)).all()


def test_author_profile_can_be_unlinked(client, session: Session) -> None:
    user = make_user(session)

    response = client.patch(
        f"{USERS}/{user.id}", json={"author_id": None}, headers=headers_for(session, Role.ADMIN)
    )

    assert response.json()["data"]["author_id"] is None


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"role": "boss"}, 422, "role"),
        ({"role": None}, 422, "role"),
        ({"name": None}, 422, "name"),
        ({"email": None}, 422, "email"),
        ({"password": "short"}, 422, "password"),
        ({"password": None}, 422, "password"),
        ({"email": "taken@example.com"}, 409, "email"),
        ({"id": 5}, 422, "id"),
    ],
)
def test_bad_input_on_update_is_refused_naming_the_field(
    client, session: Session, fields: dict[str, object], status: int, field: str
) -> None:
    headers = headers_for(session, Role.ADMIN)
    make_user(session, email="taken@example.com")
    user = make_user(session, role=Role.EDITOR)

    response = client.patch(f"{USERS}/{user.id}", json=fields, headers=headers)

    assert response.status_code == status
    assert [error["field"] for error in response.json()["errors"]] == [field]
    stored = reloaded(session, user)
    assert stored is not None and stored.role == "editor"


def test_admin_cannot_promote_to_owner_or_change_an_owner(client, session: Session) -> None:
    admin = make_user(session, role=Role.ADMIN)
    headers = bearer(session, admin)
    owner = make_user(session, role=Role.OWNER)
    make_user(session, role=Role.OWNER)  # not the last owner: only the role rule stops them
    editor = make_user(session, role=Role.EDITOR)

    attempts = [
        (editor, {"role": "owner"}),
        (admin, {"role": "owner"}),
        (owner, {"role": "editor"}),
        (owner, {"name": "Renamed"}),
        (owner, {"password": NEW_PASSWORD}),
    ]
    for user, fields in attempts:
        response = client.patch(f"{USERS}/{user.id}", json=fields, headers=headers)
        assert response.status_code == 403, fields
        assert "owner" in response.json()["detail"]
    assert [reloaded(session, user).role for user in (editor, admin, owner)] == [  # type: ignore[union-attr]
        "editor",
        "admin",
        "owner",
    ]
    assert events(session, "user.update") == []


def test_owner_promotes_and_demotes_owners(client, session: Session) -> None:
    owner = make_user(session, role=Role.OWNER)
    headers = bearer(session, owner)
    admin = make_user(session, role=Role.ADMIN)

    promoted = client.patch(f"{USERS}/{admin.id}", json={"role": "owner"}, headers=headers)
    demoted = client.patch(f"{USERS}/{owner.id}", json={"role": "admin"}, headers=headers)

    assert promoted.status_code == 200 and promoted.json()["data"]["role"] == "owner"
    assert demoted.status_code == 200 and demoted.json()["data"]["role"] == "admin"


def test_the_last_owner_cannot_be_demoted(client, session: Session) -> None:
    owner = make_user(session, role=Role.OWNER)

    response = client.patch(
        f"{USERS}/{owner.id}", json={"role": "admin"}, headers=bearer(session, owner)
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "role"
    assert reloaded(session, owner).role == "owner"  # type: ignore[union-attr]


def test_admin_deletes_a_user_with_their_tokens(client, session: Session) -> None:
    admin = make_user(session, role=Role.ADMIN)
    user = make_user(session, role=Role.ADMIN)
    user_id, email = user.id, user.email
    their_token = bearer(session, user)

    response = client.delete(f"{USERS}/{user_id}", headers=bearer(session, admin))

    assert response.status_code == 204 and response.content == b""
    assert reloaded(session, user) is None
    assert session.exec(select(ApiToken).where(ApiToken.user_id == user_id)).all() == []
    assert client.get(USERS, headers=their_token).status_code == 401
    (event,) = events(session, "user.delete")
    assert (event.actor_id, event.subject_id, event.summary) == (admin.id, user_id, email)


def test_deleting_yourself_keeps_who_did_it_in_the_log(client, session: Session) -> None:
    admin = make_user(session, role=Role.ADMIN, email="gone@example.com")

    response = client.delete(f"{USERS}/{admin.id}", headers=bearer(session, admin))

    assert response.status_code == 204
    (event,) = events(session, "user.delete")
    session.refresh(event)
    assert (event.actor_id, event.actor) == (None, "gone@example.com")


def test_only_an_owner_deletes_an_owner_and_never_the_last(client, session: Session) -> None:
    owner = make_user(session, role=Role.OWNER)
    other_owner = make_user(session, role=Role.OWNER)
    admin = headers_for(session, Role.ADMIN)

    by_admin = client.delete(f"{USERS}/{other_owner.id}", headers=admin)
    by_owner = client.delete(f"{USERS}/{other_owner.id}", headers=bearer(session, owner))
    last = client.delete(f"{USERS}/{owner.id}", headers=bearer(session, owner))

    assert (by_admin.status_code, by_owner.status_code, last.status_code) == (403, 204, 409)
    assert last.json()["errors"][0]["field"] == "role"
    assert reloaded(session, owner) is not None
    assert len(events(session, "user.delete")) == 1
