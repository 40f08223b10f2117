import asyncio

import pytest
from sqlmodel import Session

from cms.users.models import Role
from tests.factories import bearer, make_user


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    settings.webhooks_allow_private = True  # the receivers are on 127.0.0.1
    settings.webhooks_timeout_seconds = 0.5
    return settings


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return bearer(session, make_user(session, role=Role.ADMIN))


@pytest.fixture
def deliver(app):  # type: ignore[no-untyped-def]
    """One round of the app's webhook worker, as `cms serve` runs it: how many it sent."""
    return lambda: asyncio.run(app.state.webhook_worker.step())
