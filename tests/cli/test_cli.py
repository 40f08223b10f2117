"""The `cms` command: db upgrade, demo, and serve, each on a database of its own."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import inspect
from sqlmodel import Session, select
from typer.testing import CliRunner

from bench.servers import running_server
from cms.audit.models import AuditEvent
from cms.auth import service as auth_service
from cms.auth.models import ApiToken
from cms.cache.models import CachePurge
from cms.cli import app
from cms.config import get_settings
from cms.db import make_engine
from cms.ghost import keys as content_keys
from cms.ghost.models import ContentApiKey
from cms.migrations import upgrade_database
from cms.timestamps import utcnow
from cms.users.models import User
from tests.factories import PASSWORD, make_post


@pytest.fixture
def database_url(new_database, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = new_database()
    monkeypatch.setenv("CMS_DATABASE_URL", url)
    monkeypatch.setenv("CMS_MEDIA_DIR", str(tmp_path / "media"))  # the demo's pictures
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_creates_the_schema(database_url: str) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    engine = make_engine(database_url)
    assert {"posts", "authors", "tags", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_demo_loads_once_and_reports_what_it_added(database_url: str) -> None:
    first = CliRunner().invoke(app, ["demo"])
    second = CliRunner().invoke(app, ["demo"])

    assert first.exit_code == 0 and "15 new posts" in first.output
    assert second.exit_code == 0 and "0 new posts" in second.output
    # Servers' caches drop everything the demo shows, and nothing for the run that added none.
    (purge,) = _rows(database_url, CachePurge)
    assert {"posts", "feeds", "post-1", "authors", "tags"} <= set(purge.keys.split())


def test_serve_applies_migrations_and_answers(database_url: str) -> None:
    with running_server(database_url) as base:
        posts = httpx.get(f"{base}/api/v1/posts")

    assert posts.status_code == 200 and posts.json()["data"] == []


def test_serve_with_workers_shares_one_visitor_key(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_database(engine)
    with Session(engine) as session:
        make_post(session, title="Busy")
        session.commit()
    engine.dispose()

    with running_server(database_url, workers=2) as base:
        # New connections each time, so that both workers answer some of them.
        counts = {
            httpx.post(
                f"{base}/api/v1/posts/busy/views", headers={"User-Agent": "One reader"}
            ).json()["data"]["view_count"]
            for _ in range(12)
        }

    assert counts == {1}


def users_create(email: str = "Jo@Example.com", name: str = "Jo", role: str = "owner") -> list[str]:
    return ["users", "create", "--email", email, "--name", name, "--role", role]


CREATE_OWNER = users_create()


def _rows(database_url: str, model: type) -> list[Any]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = list(session.exec(select(model)).all())
    engine.dispose()
    return rows


def test_users_create_makes_the_first_owner_from_stdin(database_url: str) -> None:
    result = CliRunner().invoke(app, [*CREATE_OWNER, "--password-stdin"], input=PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert "Created owner jo@example.com" in result.output
    (user,) = _rows(database_url, User)
    assert (user.email, user.name, user.role) == ("jo@example.com", "Jo", "owner")
    assert user.password_hash != PASSWORD
    assert PasswordHasher().verify(user.password_hash, PASSWORD)
    (event,) = _rows(database_url, AuditEvent)
    assert (event.actor, event.actor_id, event.action) == ("cli", None, "user.create")
    assert event.subject_id == user.id
    assert _rows(database_url, CachePurge) == []  # readers see no user: caches keep all


def test_users_create_asks_for_the_password_twice_without_echo(database_url: str) -> None:
    typed = f"{PASSWORD}\nsomething else!\n{PASSWORD}\n{PASSWORD}\n"

    result = CliRunner().invoke(app, CREATE_OWNER, input=typed)

    assert result.exit_code == 0, result.output
    assert result.output.count("Password:") == 2  # asked again after the mismatch
    assert PASSWORD not in result.output
    (user,) = _rows(database_url, User)
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("options", "password", "exit_code", "message"),
    [
        ({"role": "boss"}, PASSWORD, 2, "Invalid value for '--role'"),
        ({"role": "admin"}, "too short", 1, "Error: password: String should have at least 10"),
        ({"email": "not-an-email"}, PASSWORD, 1, "Error: email: value is not a valid email"),
        ({"name": "  "}, PASSWORD, 1, "Error: name: String should have at least 1"),
    ],
)
def test_users_create_refuses_bad_input_plainly(
    database_url: str, options: dict[str, str], password: str, exit_code: int, message: str
) -> None:
    command = [*users_create(**options), "--password-stdin"]

    result = CliRunner().invoke(app, command, input=password)

    assert result.exit_code == exit_code, result.output
    assert message in " ".join(result.output.split())  # the error box wraps long lines
    assert "Traceback" not in result.output
    if exit_code == 1:  # the database was migrated, and nothing was added to it
        assert _rows(database_url, User) == []


@pytest.mark.parametrize("email", ["owner@example.test", "jo@cms.local", "x@corp.internal"])
def test_users_create_accepts_staff_at_intranet_and_special_use_domains(
    database_url: str, email: str
) -> None:
    command = [*users_create(email=email), "--password-stdin"]

    result = CliRunner().invoke(app, command, input=PASSWORD)

    assert result.exit_code == 0, result.output
    assert f"Created owner {email}" in result.output
    assert [user.email for user in _rows(database_url, User)] == [email]


def test_users_create_refuses_an_email_taken_in_any_case(database_url: str) -> None:
    first = CliRunner().invoke(app, [*CREATE_OWNER, "--password-stdin"], input=PASSWORD)
    second = CliRunner().invoke(
        app,
        [*users_create(email="JO@example.COM", role="editor"), "--password-stdin"],
        input=PASSWORD,
    )

    assert first.exit_code == 0
    assert second.exit_code == 1
    assert "Error: A user with e-mail jo@example.com already exists" in second.output
    assert "Traceback" not in second.output
    assert len(_rows(database_url, User)) == 1


def test_tokens_create_prints_the_secret_once_and_stores_its_hash(database_url: str) -> None:
    CliRunner().invoke(app, [*CREATE_OWNER, "--password-stdin"], input=PASSWORD)

    result = CliRunner().invoke(
        app, ["tokens", "create", "--user", "JO@example.com", "--name", "ci"]
    )

    assert result.exit_code == 0, result.output
    secret, note = result.output.strip().splitlines()
    assert secret.startswith("cms_")
    assert "will not be shown again" in note
    (token,) = _rows(database_url, ApiToken)
    assert (token.name, token.kind, token.expires_at) == ("ci", "api", None)
    assert token.secret_hash == auth_service.hash_secret(secret) != secret
    engine = make_engine(database_url)
    with Session(engine) as session:
        user = auth_service.user_for_secret(session, secret=secret, now=utcnow())
        assert user.email == "jo@example.com"
    engine.dispose()
    events = _rows(database_url, AuditEvent)
    assert [(e.action, e.actor) for e in events] == [
        ("user.create", "cli"),
        ("token.create", "cli"),
    ]


def test_tokens_create_for_an_unknown_user_says_so(database_url: str) -> None:
    result = CliRunner().invoke(
        app, ["tokens", "create", "--user", "no@example.com", "--name", "ci"]
    )

    assert result.exit_code == 1
    assert "Error: No user with e-mail no@example.com" in result.output
    assert "Traceback" not in result.output
    assert _rows(database_url, ApiToken) == []


def test_content_keys_create_prints_a_ghost_shaped_key_once(database_url: str) -> None:
    result = CliRunner().invoke(app, ["content-keys", "create", "--name", "Gatsby site"])

    assert result.exit_code == 0, result.output
    key, note = result.output.strip().splitlines()
    assert len(key) == 26 and int(key, 16) >= 0  # as Ghost's client expects
    assert "will not be shown again" in note
    (record,) = _rows(database_url, ContentApiKey)
    assert (record.name, record.hint, record.revoked_at) == ("Gatsby site", key[:6], None)
    assert key not in record.key_hash
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert content_keys.key_in_use(session, key=key) == record.id
    engine.dispose()


def test_content_keys_create_refuses_an_empty_name(database_url: str) -> None:
    result = CliRunner().invoke(app, ["content-keys", "create", "--name", "  "])

    assert result.exit_code == 1
    assert "name" in result.output
    assert _rows(database_url, ContentApiKey) == []
