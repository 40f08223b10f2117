"""Admin API: the audit log says who did what, and when, newest first; admins read it."""

import pytest
from sqlmodel import Session

from cms.audit import service as audit
from cms.users.models import Role
from tests.factories import PASSWORD, bearer, make_user

AUDIT = "/api/v1/admin/audit"


def test_reading_the_log_needs_a_token(client) -> None:
    response = client.get(AUDIT)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR])
def test_below_admin_the_log_is_forbidden(client, session: Session, role: Role) -> None:
    response = client.get(AUDIT, headers=bearer(session, make_user(session, role=role)))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_admins_and_owners_read_the_log(client, session: Session, clock, role: Role) -> None:
    reader = make_user(session, role=role)
    audit.record(
        session,
        actor=reader,
        action="post.publish",
        subject_type="post",
        subject_id=7,
        summary="A title",
        now=clock.now,
    )

    response = client.get(AUDIT, headers=bearer(session, reader))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    (event,) = response.json()["data"]
    assert event == {
        "id": event["id"],
        "at": "2026-01-15T12:00:00Z",
        "actor": reader.email,
        "actor_id": reader.id,
        "action": "post.publish",
        "subject_type": "post",
        "subject_id": 7,
        "summary": "A title",
    }


def test_every_user_and_token_write_is_logged_newest_first(client, session: Session, clock) -> None:
    admin = make_user(session, role=Role.ADMIN, email="boss@example.com")
    headers = bearer(session, admin)

    def step(method: str, url: str, body: dict[str, object] | None = None) -> int | None:
        clock.advance(minutes=1)
        response = client.request(method, f"/api/v1/admin{url}", json=body, headers=headers)
        assert response.status_code in (200, 201, 204), response.text
        return response.json()["data"]["id"] if response.content else None

    new_user = {"email": "sam@example.com", "name": "Sam", "role": "author", "password": PASSWORD}
    user_id = step("POST", "/users", new_user)
    step("PATCH", f"/users/{user_id}", {"role": "editor"})
    token_id = step("POST", "/tokens", {"name": "ci", "user_id": user_id})
    step("DELETE", f"/tokens/{token_id}")
    step("DELETE", f"/users/{user_id}")
    ids = {"user": user_id, "token": token_id}

    events = client.get(AUDIT, headers=headers).json()["data"]

    assert [(e["action"], e["subject_type"], e["subject_id"]) for e in events] == [
        ("user.delete", "user", ids["user"]),
        ("token.revoke", "token", ids["token"]),
        ("token.create", "token", ids["token"]),
        ("user.update", "user", ids["user"]),
        ("user.create", "user", ids["user"]),
    ]
    assert {(e["actor"], e["actor_id"]) for e in events} == {("boss@example.com", admin.id)}
    assert [e["at"] for e in events] == [f"2026-01-15T12:0{m}:00Z" for m in (5, 4, 3, 2, 1)]
    assert events[3]["summary"] == "role author -> editor"


def test_the_log_filters_and_pages(client, session: Session, clock) -> None:
    headers = bearer(session, make_user(session, role=Role.ADMIN))
    for subject_id, action in [(1, "user.create"), (2, "user.create"), (1, "user.update")]:
        clock.advance(seconds=1)
        audit.record(
            session,
            actor=None,
            action=action,
            subject_type="user",
            subject_id=subject_id,
            now=clock.now,
        )
    audit.record(
        session,
        actor=None,
        action="token.create",
        subject_type="token",
        subject_id=1,
        now=clock.now,
    )

    def ids(**params: object) -> list[tuple[str, int]]:
        body = client.get(AUDIT, params=params, headers=headers).json()
        return [(e["action"], e["subject_id"]) for e in body["data"]]

    assert ids(action="user.create") == [("user.create", 2), ("user.create", 1)]
    assert ids(subject_type="user", subject_id=1) == [("user.update", 1), ("user.create", 1)]
    assert ids(subject_type="token") == [("token.create", 1)]
    assert ids(action="nothing.ever") == []
    page = client.get(AUDIT, params={"limit": 3, "page": 2}, headers=headers).json()
    assert [e["action"] for e in page["data"]] == ["user.create"]
    assert page["meta"]["pagination"] == {
        "page": 2,
        "limit": 3,
        "total": 4,
        "pages": 2,
        "next": None,
        "prev": 1,
    }
    assert page["links"]["prev"] == f"http://api.test{AUDIT}?limit=3&page=1"


def test_command_line_events_say_cli(client, session: Session, clock) -> None:
    headers = bearer(session, make_user(session, role=Role.ADMIN))
    audit.record(
        session, actor=None, action="user.create", subject_type="user", subject_id=1, now=clock.now
    )

    (event,) = client.get(AUDIT, headers=headers).json()["data"]

    assert (event["actor"], event["actor_id"]) == ("cli", None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"subject_id": "x"}, "subject_id"),
        ({"limit": "0"}, "limit"),
        ({"action": "a" * 65}, "action"),
    ],
)
def test_bad_filters_are_a_400_naming_them(
    client, session: Session, params: dict[str, str], field: str
) -> None:
    headers = bearer(session, make_user(session, role=Role.ADMIN))

    response = client.get(AUDIT, params=params, headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
