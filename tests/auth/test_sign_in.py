"""Admin API: signing in with e-mail and password, and what a token is good for."""

from sqlmodel import Session, select

from cms.auth.models import ApiToken
from cms.users.models import Role
from tests.factories import PASSWORD, bearer, make_user


def test_sign_in_returns_an_expiring_token_that_works(client, session: Session, clock) -> None:
    user = make_user(session, role=Role.EDITOR, email="jo@example.com")

    response = client.post(
        "/api/v1/admin/session", json={"email": "Jo@Example.com", "password": PASSWORD}
    )

    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    assert data["token"].startswith("cms_")
    assert data["expires_at"] == "2026-01-16T00:00:00Z"  # 12 hours after the clock's noon
    assert (data["user"]["id"], data["user"]["email"], data["user"]["role"]) == (
        user.id,
        "jo@example.com",
        "editor",
    )
    assert "password_hash" not in data["user"]
    stored = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert data["token"] not in (stored.secret_hash, stored.hint)


def test_wrong_password_and_unknown_email_both_get_the_same_401(client, session: Session) -> None:
    make_user(session, email="jo@example.com")

    def sign_in(email: str):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/admin/session", json={"email": email, "password": "x"})

    wrong, unknown = sign_in("jo@example.com"), sign_in("no@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_a_very_long_or_growing_email_is_just_a_wrong_sign_in(client) -> None:
    response = client.post("/api/v1/admin/session", json={"email": "İ" * 200, "password": "x"})

    assert response.status_code == 401


def test_repeated_failures_for_one_email_are_slowed_down(client, session: Session, clock) -> None:
    make_user(session, email="jo@example.com")
    attempt = {"email": "jo@example.com", "password": "guess"}

    statuses = [client.post("/api/v1/admin/session", json=attempt).status_code for _ in range(5)]
    blocked = client.post("/api/v1/admin/session", json={**attempt, "password": PASSWORD})

    assert statuses == [401] * 5
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    other = client.post("/api/v1/admin/session", json={"email": "x@example.com", "password": "y"})
    assert other.status_code == 401  # other e-mails are not affected
    clock.advance(minutes=16)
    ok = client.post("/api/v1/admin/session", json={**attempt, "password": PASSWORD})
    assert ok.status_code == 201


def test_expired_session_token_is_a_401(client, session: Session, clock) -> None:
    make_user(session, email="jo@example.com")
    token = client.post(
        "/api/v1/admin/session", json={"email": "jo@example.com", "password": PASSWORD}
    ).json()["data"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/admin/posts", headers=headers).status_code == 200

    clock.advance(hours=13)

    response = client.get("/api/v1/admin/posts", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_missing_malformed_and_unknown_tokens_are_401_problems(client, session: Session) -> None:
    for headers in [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic am86c2VjcmV0"},
        {"Authorization": "Bearer cms_not-a-real-token"},
        {"Authorization": "Bearer " + "x" * 5000},
    ]:
        response = client.get("/api/v1/admin/posts", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


def test_token_last_use_is_kept(client, session: Session, clock) -> None:
    user = make_user(session)
    headers = bearer(session, user)

    client.get("/api/v1/admin/posts", headers=headers)

    token = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    session.refresh(token)
    assert token.last_used_at == clock.now


def test_sign_in_with_a_malformed_body_is_422_naming_the_field(client) -> None:
    response = client.post("/api/v1/admin/session", json={"email": "jo@example.com"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"
