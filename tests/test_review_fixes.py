"""Edge cases found in review: each was a 500, a leak or a hole before."""

from sqlmodel import Session, select

from cms.auth.models import ApiToken
from cms.users.models import Role
from tests.factories import PASSWORD, bearer, make_user


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
