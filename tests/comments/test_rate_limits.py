"""Comment rate limits: per client address whatever its headers say, and per post."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from cms.comments.models import Comment
from cms.users.models import Role
from tests.comments.readers import new_address, submit
from tests.factories import bearer, make_post, make_user


def assert_limited(response, *, within: int = 600) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert 0 < int(response.headers["retry-after"]) <= within


def test_changing_the_user_agent_does_not_escape_the_limit_per_address(
    client, session: Session, clock
) -> None:
    make_post(session, title="Busy")
    address = new_address()

    statuses = [
        submit(client, "busy", address=address, agent=f"Browser {n}", body=f"Comment {n}")
        for n in range(6)
    ]

    assert [response.status_code for response in statuses] == [202] * 5 + [429]
    assert_limited(statuses[-1])
    assert submit(client, "busy", address=address, agent="curl/8.0").status_code == 429
    assert submit(client, "busy", address=new_address()).status_code == 202
    clock.advance(minutes=11)
    assert submit(client, "busy", address=address, agent="Browser 7").status_code == 202


def test_one_ipv6_network_is_one_sender(client, session: Session) -> None:
    """A single IPv6 client usually holds a whole /64: counting each address would let it
    rotate through 2**64 of them."""
    make_post(session, title="Six")

    statuses = [
        submit(client, "six", address=f"2001:db8:1:2::{n:x}").status_code for n in range(1, 7)
    ]

    assert statuses == [202] * 5 + [429]
    assert submit(client, "six", address="2001:db8:1:3::1").status_code == 202


def test_the_limit_holds_across_midnight(client, session: Session, clock) -> None:
    """Sender hashes change with the day; a window that spans midnight still counts both."""
    make_post(session, title="Late")
    address = new_address()
    clock.now = datetime(2026, 1, 15, 23, 57, tzinfo=UTC)
    for n in range(5):
        assert submit(client, "late", address=address, body=f"Comment {n}").status_code == 202

    clock.now = datetime(2026, 1, 16, 0, 2, tzinfo=UTC)

    assert_limited(submit(client, "late", address=address))


def test_a_post_takes_a_looser_limit_from_all_addresses_together(
    client, session: Session, settings, clock
) -> None:
    popular = make_post(session, title="Popular")
    make_post(session, title="Quiet")
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    assert settings.comment_post_rate_limit == 30

    statuses = [submit(client, "popular", body=f"Reader {n}").status_code for n in range(31)]

    assert statuses == [202] * 30 + [429]
    limited = submit(client, "popular")
    assert_limited(limited)
    assert "post" in limited.json()["detail"]
    assert submit(client, "quiet").status_code == 202
    staff = client.post(
        f"/api/v1/admin/posts/{popular.id}/comments",
        json={"body": "Thanks, all."},
        headers=editor,
    )
    assert staff.status_code == 201  # moderators are not rate-limited
    clock.advance(minutes=11)
    assert submit(client, "popular").status_code == 202


def test_no_raw_address_is_stored(client, session: Session) -> None:
    make_post(session, title="Private")

    submit(client, "private", address="192.0.2.77")

    (stored,) = session.exec(select(Comment.sender_hash)).all()
    assert "192.0.2.77" not in stored and len(stored) == 64
