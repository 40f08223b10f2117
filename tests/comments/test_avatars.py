"""Avatars: none by default, since a Gravatar URL gives away a hash of the commenter's e-mail."""

import hashlib

from sqlmodel import Session

from cms.users.models import Role
from tests.comments.readers import comments_url, moderate, submit
from tests.factories import bearer, make_post, make_user


def approved_comment(client, session: Session, email: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def,type-arg]
    """A comment by `email`, approved: (as readers see it, as moderators see it)."""
    make_post(session, title="Faces")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    comment_id = submit(client, "faces", author_email=email).json()["data"]["id"]
    moderate(client, editor, comment_id, "approved")
    public = client.get(comments_url("faces")).json()["data"][0]
    admin = client.get("/api/v1/admin/comments", headers=editor).json()["data"][0]
    return public, admin


def test_no_gravatar_by_default(client, session: Session, settings) -> None:
    assert settings.gravatar is False

    public, admin = approved_comment(client, session, "Ann@Example.com")

    assert public["avatar_url"] is None and admin["avatar_url"] is None
    digest = hashlib.sha256(b"ann@example.com").hexdigest()
    assert digest not in str(public) and digest not in str(admin)


def test_gravatar_when_turned_on(client, session: Session, settings) -> None:
    settings.gravatar = True

    public, admin = approved_comment(client, session, "Ann@Example.com")

    digest = hashlib.sha256(b"ann@example.com").hexdigest()
    expected = f"https://www.gravatar.com/avatar/{digest}?d=identicon"
    assert public["avatar_url"] == admin["avatar_url"] == expected
