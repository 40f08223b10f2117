"""Several `cms serve` processes on one database share the deliveries: every event reaches
the receiver exactly once, scheduled posts' included, within moments of their time."""

import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session

from bench.servers import running_server
from cms.db import make_engine
from cms.users.models import Role
from cms.webhooks.models import Webhook
from cms.webhooks.signing import new_secret
from tests.factories import bearer, make_post, make_user
from tests.processes import shared_post
from tests.webhooks.receivers import Receiver, receiving

OPTIONS = {"CMS_WEBHOOKS_ALLOW_PRIVATE": "true", "CMS_WEBHOOKS_POLL_SECONDS": "0.2"}


def test_two_processes_deliver_each_event_exactly_once(new_database) -> None:
    url = new_database()
    shared_post(url, title="Shared")  # migrates
    engine = make_engine(url)
    with receiving() as receiver, Session(engine) as session:
        session.add(Webhook(url=receiver.url, events="*", secret=new_secret()))
        drafts = [make_post(session, published=False).id or 0 for _ in range(20)]
        editor = bearer(session, make_user(session, role=Role.EDITOR))
        session.commit()
        with running_server(url, **OPTIONS) as first, running_server(url, **OPTIONS) as second:
            soon = datetime.now(UTC) + timedelta(seconds=3)
            for number, post_id in enumerate(drafts):
                server = (first, second)[number % 2]
                body = {"published_at": soon.isoformat()} if number < 4 else None
                answer = httpx.post(
                    f"{server}/api/v1/admin/posts/{post_id}/publish", json=body, headers=editor
                )
                assert answer.status_code == 200, answer.text
            # 16 published now, 4 scheduled (post.scheduled now, post.published at `soon`).
            _wait_for(receiver, 24)
            time.sleep(1)  # a second sender would have sent its copies by now
    engine.dispose()
    ids = [item.headers["webhook-id"] for item in receiver.received]
    assert len(ids) == 24 and len(set(ids)) == 24
    types = receiver.types()
    assert (types.count("post.published"), types.count("post.scheduled")) == (20, 4)
    went_live = [
        datetime.fromisoformat(item.payload["timestamp"])
        for item in receiver.received
        if item.payload["data"]["previous"] == {"status": "scheduled"}
    ]
    assert len(went_live) == 4 and all(at == soon.replace(microsecond=0) for at in went_live)


def _wait_for(receiver: Receiver, count: int) -> None:
    for _ in range(200):
        if len(receiver.received) >= count:
            return
        time.sleep(0.05)
