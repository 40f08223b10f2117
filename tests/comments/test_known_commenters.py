"""Known commenters are approved at once, but only on proof: the commenter token they were
given, never an e-mail address anyone can type, and never an account's address."""

from sqlmodel import Session, select

from cms.comments.models import Comment
from cms.users.models import Role
from tests.comments.readers import comments_url, moderate, submit
from tests.factories import bearer, make_post, make_user


def shown(client, slug: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The html of the comments readers see on the post."""
    return [c["html"] for c in client.get(comments_url(slug)).json()["data"]]


def test_an_editors_address_typed_by_anyone_is_not_approved(client, session: Session) -> None:
    """The reproduction of issue 12, item 7."""
    post = make_post(session, title="Staff")
    user = make_user(session, role=Role.EDITOR, email="editor@example.com", name="Ed")
    editor = bearer(session, user)
    staff = client.post(
        f"/api/v1/admin/posts/{post.id}/comments", json={"body": "Thanks!"}, headers=editor
    )
    assert staff.status_code == 201

    for typed in ("editor@example.com", "Editor@EXAMPLE.com", " editor@example.com "):
        forged = submit(client, "staff", author_name="Ed", author_email=typed, body="Buy pills")
        assert forged.status_code == 202
        assert forged.json()["data"]["status"] == "pending"

    assert shown(client, "staff") == ["<p>Thanks!</p>\n"]


def test_a_commenter_with_their_token_is_approved_at_once(client, session: Session) -> None:
    post = make_post(session, title="Regulars")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    first = submit(client, "regulars", author_email="reg@example.com").json()["data"]
    token = first["commenter_token"]
    assert first["status"] == "pending" and len(token) >= 40
    moderate(client, editor, first["id"], "approved")

    again = submit(client, "regulars", body="Me again", commenter_token=token)

    assert again.status_code == 202
    assert again.json()["data"]["status"] == "approved"
    assert again.json()["data"]["commenter_token"] == token  # keep using the same one
    assert shown(client, "regulars") == ["<p>Nice post!</p>\n", "<p>Me again</p>\n"]
    session.refresh(post)
    assert post.comment_count == 2


def test_a_known_address_without_the_token_waits(client, session: Session) -> None:
    make_post(session, title="Regulars")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    first = submit(client, "regulars", author_email="reg@example.com").json()["data"]
    moderate(client, editor, first["id"], "approved")

    typed = submit(client, "regulars", author_email="REG@example.com", body="Impostor")

    assert typed.json()["data"]["status"] == "pending"
    assert typed.json()["data"]["commenter_token"] != first["commenter_token"]
    assert shown(client, "regulars") == ["<p>Nice post!</p>\n"]


def test_a_forged_or_unproven_token_waits(client, session: Session) -> None:
    make_post(session, title="Tokens")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    approved = submit(client, "tokens").json()["data"]
    moderate(client, editor, approved["id"], "approved")
    waiting = submit(client, "tokens").json()["data"]  # another reader, not yet approved

    forged = submit(client, "tokens", commenter_token=approved["commenter_token"][:-2] + "xx")
    unproven = submit(client, "tokens", commenter_token=waiting["commenter_token"])

    assert forged.json()["data"]["status"] == "pending"
    assert forged.json()["data"]["commenter_token"] not in (
        approved["commenter_token"],
        approved["commenter_token"][:-2] + "xx",
    )
    assert unproven.json()["data"]["status"] == "pending"
    assert len(shown(client, "tokens")) == 1


def test_a_token_never_approves_an_accounts_address(client, session: Session) -> None:
    make_post(session, title="Mixed")
    editor = bearer(session, make_user(session, role=Role.EDITOR, email="boss@example.com"))
    first = submit(client, "mixed").json()["data"]
    moderate(client, editor, first["id"], "approved")

    posing = submit(
        client, "mixed", author_email="boss@example.com", commenter_token=first["commenter_token"]
    )

    assert posing.json()["data"]["status"] == "pending"


def test_spam_from_a_token_holder_ends_their_auto_approval(client, session: Session) -> None:
    make_post(session, title="Turned")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    first = submit(client, "turned").json()["data"]
    token = first["commenter_token"]
    moderate(client, editor, first["id"], "approved")
    later = submit(client, "turned", commenter_token=token).json()["data"]
    assert later["status"] == "approved"

    moderate(client, editor, later["id"], "spam")

    assert submit(client, "turned", commenter_token=token).json()["data"]["status"] == "pending"


def test_auto_approval_can_be_turned_off(client, session: Session, settings) -> None:
    make_post(session, title="Strict")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    first = submit(client, "strict").json()["data"]
    moderate(client, editor, first["id"], "approved")
    settings.comment_auto_approve_known = False

    again = submit(client, "strict", commenter_token=first["commenter_token"])

    assert again.json()["data"]["status"] == "pending"


def test_tokens_are_stored_hashed_and_checked_for_shape(client, session: Session) -> None:
    make_post(session, title="Hashed")
    token = submit(client, "hashed").json()["data"]["commenter_token"]

    (stored,) = session.exec(select(Comment.commenter_hash)).all()
    assert stored and token not in stored
    for bad in ("", "x" * 201, "tab\there"):
        refused = submit(client, "hashed", commenter_token=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "commenter_token"
