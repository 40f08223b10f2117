"""Signing in under attack: limits per client address and per address and e-mail, and a
bound on how many passwords are hashed at once."""

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cms.app import create_app
from cms.auth import passwords
from cms.auth.models import LoginFailure
from cms.config import Settings
from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.factories import PASSWORD, make_user
from tests.processes import in_parallel

SESSION = "/api/v1/admin/session"
ATTACKER = ("203.0.113.66", 40000)
OWNER_HOME = ("198.51.100.7", 50000)


@pytest.fixture
def from_address(app) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Clients of the same app, each from an address of its own."""
    clients: list[TestClient] = []

    def client_at(address: tuple[str, int]) -> TestClient:
        client = TestClient(app, base_url="http://api.test", client=address)
        clients.append(client.__enter__())
        return client

    yield client_at
    for client in clients:
        client.__exit__(None, None, None)


def test_one_address_trying_many_emails_is_refused_after_the_limit(
    from_address, session: Session, clock
) -> None:
    make_user(session, email="owner@example.com", role=Role.OWNER)
    attacker = from_address(ATTACKER)

    sprayed = [
        attacker.post(SESSION, json={"email": f"user{n}@example.com", "password": "Winter2026!"})
        for n in range(21)
    ]

    assert [r.status_code for r in sprayed] == [401] * 20 + [429]
    refused = sprayed[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert "this address" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    right = {"email": "owner@example.com", "password": PASSWORD}
    assert attacker.post(SESSION, json=right).status_code == 429  # even the right password
    assert from_address(OWNER_HOME).post(SESSION, json=right).status_code == 201
    clock.advance(minutes=16)
    assert attacker.post(SESSION, json=right).status_code == 201


def test_an_attacker_cannot_lock_the_owner_out(from_address, session: Session) -> None:
    make_user(session, email="owner@example.com", role=Role.OWNER)
    attacker, owner = from_address(ATTACKER), from_address(OWNER_HOME)
    guess = {"email": "owner@example.com", "password": "guess"}

    guesses = [attacker.post(SESSION, json=guess).status_code for _ in range(6)]
    signed_in = owner.post(SESSION, json={**guess, "password": PASSWORD})

    assert guesses == [401] * 5 + [429]
    assert signed_in.status_code == 201
    assert attacker.post(SESSION, json={**guess, "password": PASSWORD}).status_code == 429


def test_no_address_or_email_is_stored_with_the_counts(from_address, session: Session) -> None:
    from_address(ATTACKER).post(SESSION, json={"email": "jo@example.com", "password": "x"})

    rows = session.exec(select(LoginFailure)).all()

    assert len(rows) == 2  # the address's count, and the address-and-e-mail one
    assert all(len(row.key_hash) == 64 for row in rows)
    assert not any(ATTACKER[0] in row.key_hash or "jo@" in row.key_hash for row in rows)


class Peak:
    """How many password checks run at once, at most: wraps the real check."""

    def __init__(self, check):  # type: ignore[no-untyped-def]
        self.check, self.running, self.peak, self.calls = check, 0, 0, 0
        self.lock = threading.Lock()

    def __call__(self, password_hash: str | None, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(0.3)  # a slow machine: turns overlap for certain
            return bool(self.check(password_hash, password))
        finally:
            with self.lock:
                self.running -= 1


def test_concurrent_sign_ins_hash_at_most_k_at_once_and_the_rest_are_told_to_retry(
    new_database, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(new_database())
    upgrade_database(engine)
    settings = Settings(
        database_url="sqlite://",
        password_hash_concurrency=2,
        password_hash_wait_seconds=0.05,
        response_cache=False,
    )
    app = create_app(settings, engine=engine, clock=clock)
    peak = Peak(passwords.verify_password)
    monkeypatch.setattr(passwords, "verify_password", peak)

    async def flood() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=ATTACKER)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            attempts = [{"email": f"nobody{n}@example.com", "password": "x"} for n in range(12)]
            return await asyncio.gather(*(client.post(SESSION, json=a) for a in attempts))

    try:
        answers = asyncio.run(flood())
    finally:
        engine.dispose()

    statuses = [response.status_code for response in answers]
    assert peak.peak == 2  # the bound was reached, never passed
    assert set(statuses) == {401, 503}
    assert statuses.count(503) >= 6  # told to come back, not queued
    assert statuses.count(401) == peak.calls  # unknown e-mails hashed too, within the bound
    busy = next(response for response in answers if response.status_code == 503)
    assert busy.headers["content-type"] == "application/problem+json"
    assert busy.headers["retry-after"] == "1"


def test_parallel_wrong_passwords_cannot_get_past_the_throttle(live_app) -> None:  # type: ignore[no-untyped-def]
    client, engine = live_app
    with Session(engine) as session:
        make_user(session, email="jo@example.com")
        session.commit()
    attempt = {"email": "jo@example.com", "password": "guess"}

    statuses = in_parallel(
        16, lambda: client.post("/api/v1/admin/session", json=attempt).status_code
    )

    # Never more answers than the limit; the rest are refused, or told to come back when
    # too many passwords are being checked at once (503, which counts no failure).
    assert statuses.count(401) <= 5
    assert set(statuses) <= {401, 429, 503}
