"""Content API keys in the Admin API: made by admins, shown once, kept hashed, revoked."""

from sqlmodel import Session, select

from cms.ghost import keys
from cms.ghost.models import ContentApiKey
from cms.users.models import Role
from tests.factories import bearer, make_user

KEYS = "/api/v1/admin/content-keys"


def admin(session: Session) -> dict[str, str]:
    return bearer(session, make_user(session, role=Role.ADMIN))


def test_an_admin_makes_a_key_shown_once_and_stored_hashed(client, session: Session) -> None:
    headers = admin(session)

    made = client.post(KEYS, json={"name": "Gatsby site"}, headers=headers)

    assert made.status_code == 201, made.text
    data = made.json()["data"]
    key = data["key"]
    assert len(key) == 26 and set(key) <= set("0123456789abcdef")
    assert (data["name"], data["hint"], data["revoked_at"]) == ("Gatsby site", key[:6], None)
    assert made.headers["location"] == data["links"]["self"]
    assert made.headers["cache-control"] == "no-store"
    stored = session.exec(select(ContentApiKey)).one()
    assert key not in stored.key_hash
    listed = client.get(KEYS, headers=headers).json()
    assert listed["meta"]["pagination"]["total"] == 1
    assert "key" not in listed["data"][0]
    assert "key" not in client.get(data["links"]["self"], headers=headers).json()["data"]


def test_a_revoked_key_is_no_longer_in_use(client, session: Session) -> None:
    headers = admin(session)
    made = client.post(KEYS, json={"name": "Old site"}, headers=headers).json()["data"]
    assert keys.key_in_use(session, key=made["key"]) == made["id"]

    first = client.delete(made["links"]["self"], headers=headers)
    again = client.delete(made["links"]["self"], headers=headers)

    assert (first.status_code, again.status_code) == (204, 204)
    assert keys.key_in_use(session, key=made["key"]) is None
    shown = client.get(made["links"]["self"], headers=headers).json()["data"]
    assert shown["revoked_at"] == "2026-01-15T12:00:00Z"


def test_bad_key_requests_are_refused(client, session: Session) -> None:
    headers = admin(session)

    assert client.post(KEYS, json={"name": ""}, headers=headers).status_code == 422
    assert client.post(KEYS, json={}, headers=headers).json()["errors"][0]["field"] == "name"
    assert client.post(KEYS, json={"name": "x" * 192}, headers=headers).status_code == 422
    assert client.delete(f"{KEYS}/999", headers=headers).status_code == 404
    assert client.get(f"{KEYS}/0", headers=headers).status_code == 400
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    assert client.post(KEYS, json={"name": "Mine"}, headers=editor).status_code == 403


def test_keys_of_the_wrong_shape_are_never_looked_up(session: Session, count_queries) -> None:
    for wrong in ("", "abc", "G" * 26, "a" * 27, "A" * 26, "a" * 25 + "\n"):
        assert keys.key_in_use(session, key=wrong) is None
    assert count_queries.count == 0
