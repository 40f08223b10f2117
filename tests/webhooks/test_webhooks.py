"""Webhooks through the Admin API and the worker, against real receivers on 127.0.0.1:
signed by the Standard Webhooks scheme (checked by its own package), retried, logged."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from standardwebhooks import Webhook as Verifier

from cms.posts import service as posts_service
from cms.users.models import Role
from cms.webhooks.models import WebhookDelivery, WebhookEvent
from tests.factories import bearer, make_post, make_user
from tests.webhooks.receivers import receiving


def create(client, admin, url: str, events=("*",)):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/admin/webhooks", json={"url": url, "events": list(events)}, headers=admin
    )


def publish(client, admin, post_id: int):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/admin/posts/{post_id}/publish", headers=admin)


def test_a_published_post_is_delivered_signed_and_verifies(client, session, admin, deliver) -> None:
    post = make_post(session, title="Hello readers", published=False)
    with receiving() as receiver:
        made = create(client, admin, receiver.url, ["post.published"])
        assert made.status_code == 201, made.text
        secret = made.json()["data"]["secret"]
        assert secret.startswith("whsec_")
        assert publish(client, admin, post.id or 0).status_code == 200

        assert deliver() == 1

    [got] = receiver.received
    assert got.headers["Content-Type"] == "application/json"
    payload = Verifier(secret).verify(got.body, got.headers)  # raises unless signed right
    assert payload["type"] == "post.published"
    assert payload["timestamp"] == "2026-01-15T12:00:00Z"
    data = payload["data"]
    assert data["post"]["title"] == "Hello readers"
    assert data["post"]["status"] == "published"
    assert data["post"]["url"] == "https://blog.example.com/post/hello-readers"
    assert data["previous"] == {"status": "draft", "published_at": "2020-01-01T00:00:00Z"} or (
        data["previous"]["status"] == "draft"
    )
    assert f"post-{post.id}" in data["cache_tags"] and "posts" in data["cache_tags"]
    assert got.headers["webhook-id"].startswith("msg_")
    # Secrets are shown once: never in a read or a list.
    listed = client.get("/api/v1/admin/webhooks", headers=admin).json()["data"]
    assert "secret" not in listed[0]
    log = client.get(listed[0]["links"]["deliveries"], headers=admin).json()["data"]
    assert (log[0]["status"], log[0]["status_code"], log[0]["attempts"]) == ("delivered", 200, 1)
    assert log[0]["event"] == "post.published" and log[0]["response"] == "ok"


def test_a_failed_attempt_is_retried_with_the_same_webhook_id(
    client, session, admin, deliver, clock
) -> None:
    post = make_post(session, published=False)
    with receiving("500", "200") as receiver:
        create(client, admin, receiver.url)
        publish(client, admin, post.id or 0)
        deliver()
        hook = client.get("/api/v1/admin/webhooks", headers=admin).json()["data"][0]
        [first] = client.get(hook["links"]["deliveries"], headers=admin).json()["data"]
        assert (first["status"], first["status_code"], first["attempts"]) == ("pending", 500, 1)
        assert first["next_attempt_at"] == "2026-01-15T12:00:05Z"
        assert deliver() == 0  # not due yet
        clock.advance(seconds=5)
        assert deliver() == 1

    ids = [item.headers["webhook-id"] for item in receiver.received]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert receiver.received[0].body == receiver.received[1].body
    [done] = client.get(hook["links"]["deliveries"], headers=admin).json()["data"]
    assert (done["status"], done["attempts"], done["next_attempt_at"]) == ("delivered", 2, None)


def test_retry_after_is_honoured_and_a_410_disables_the_webhook(
    client, session, admin, deliver, clock
) -> None:
    with receiving("503:120", "410") as receiver:
        hook = create(client, admin, receiver.url).json()["data"]
        publish(client, admin, make_post(session, published=False).id or 0)
        deliver()
        [waiting] = client.get(hook["links"]["deliveries"], headers=admin).json()["data"]
        assert waiting["next_attempt_at"] == "2026-01-15T12:02:00Z"
        clock.advance(seconds=120)
        deliver()
        shown = client.get(hook["links"]["self"], headers=admin).json()["data"]
        assert shown["enabled"] is False and "410" in shown["disabled_reason"]
        publish(client, admin, make_post(session, published=False).id or 0)
        assert deliver() == 0  # disabled: nothing more is sent, or even written
        enabled = client.patch(hook["links"]["self"], json={"enabled": True}, headers=admin)
        assert enabled.json()["data"]["disabled_reason"] is None
    [failed] = client.get(hook["links"]["deliveries"], headers=admin).json()["data"]
    assert (failed["status"], failed["status_code"]) == ("failed", 410)


@pytest.mark.parametrize("way", ["hang", "drip", "huge", "302"])
def test_a_misbehaving_receiver_ends_within_the_timeout(
    client, session, admin, deliver, way: str
) -> None:
    with receiving(way) as receiver:
        hook = create(client, admin, receiver.url).json()["data"]
        publish(client, admin, make_post(session, published=False).id or 0)
        deliver()
        [attempt] = client.get(hook["links"]["deliveries"], headers=admin).json()["data"]
    assert attempt["duration_ms"] < 2000  # the timeout is 0.5 s here; 5 s of hanging cut short
    assert len(receiver.received) == 1  # a redirect is not followed
    if way == "hang":
        assert (attempt["status"], attempt["error"]) == ("pending", "No answer within 0.5 s")
    elif way == "302":
        assert (attempt["status"], attempt["status_code"]) == ("pending", 302)
    elif way == "huge":
        assert attempt["status"] == "delivered" and len(attempt["response"]) == 1024
    else:  # drip: 200 came at once, then bytes one by one until cut off
        assert attempt["status_code"] == 200


def test_a_change_that_rolls_back_sends_nothing(client, session, admin, deliver, clock) -> None:
    post = make_post(session, published=False)
    with receiving() as receiver:
        create(client, admin, receiver.url)
        nested = session.begin_nested()
        posts_service.publish_post(session, post=post, at=None, actor=None, now=clock.now)
        assert session.exec(select(WebhookEvent)).all()  # written with the change...
        nested.rollback()
        assert session.exec(select(WebhookEvent)).all() == []  # ...and gone with it
        assert deliver() == 0
    assert receiver.received == []


def test_a_scheduled_post_announces_itself_when_its_time_comes(
    client, session, admin, deliver, clock
) -> None:
    post = make_post(session, title="Later", published=False)
    with receiving() as receiver:
        create(client, admin, receiver.url)
        at = (clock.now + timedelta(hours=1)).isoformat()
        scheduled = client.post(
            f"/api/v1/admin/posts/{post.id}/publish", json={"published_at": at}, headers=admin
        )
        assert scheduled.status_code == 200, scheduled.text
        deliver()
        assert receiver.types() == ["post.scheduled"]
        clock.advance(minutes=59)
        deliver()
        assert receiver.types() == ["post.scheduled"]
        clock.advance(minutes=1)
        deliver()
        deliver()  # once only
    assert receiver.types() == ["post.scheduled", "post.published"]
    went_live = receiver.received[1].payload
    assert went_live["timestamp"] == "2026-01-15T13:00:00Z"
    assert went_live["data"]["post"]["status"] == "published"
    assert went_live["data"]["previous"] == {"status": "scheduled"}


def test_a_scheduled_post_called_off_or_moved_keeps_one_waiting_event(
    client, session, admin, deliver, clock
) -> None:
    post = make_post(session, published=False)
    with receiving() as receiver:
        create(client, admin, receiver.url, ["post.published", "post.unpublished"])
        for hours in (1, 2):
            at = (clock.now + timedelta(hours=hours)).isoformat()
            client.post(
                f"/api/v1/admin/posts/{post.id}/publish", json={"published_at": at}, headers=admin
            )
        waiting = session.exec(select(WebhookEvent).where(WebhookEvent.post_id == post.id)).all()
        assert [event.due_at for event in waiting] == [clock.now + timedelta(hours=2)]
        client.post(f"/api/v1/admin/posts/{post.id}/unpublish", headers=admin)
        clock.advance(hours=3)
        deliver()
    assert receiver.types() == ["post.unpublished"]


def test_edits_unpublishing_and_deleting_are_announced(client, session, admin, deliver) -> None:
    post = make_post(session, title="First title")
    with receiving() as receiver:
        create(client, admin, receiver.url)
        address = f"/api/v1/admin/posts/{post.id}"
        etag = client.get(address, headers=admin).headers["etag"]
        edited = client.patch(
            address, json={"title": "Second"}, headers={**admin, "If-Match": etag}
        )
        assert edited.status_code == 200, edited.text
        client.post(f"{address}/unpublish", headers=admin)
        etag = client.get(address, headers=admin).headers["etag"]
        deleted = client.delete(address, headers={**admin, "If-Match": etag})
        assert deleted.status_code == 204
        deliver()
    # Sent at once, so in any order (as Standard Webhooks allows): `timestamp` orders them.
    by_type = {item.payload["type"]: item.payload for item in receiver.received}
    assert sorted(by_type) == ["post.deleted", "post.published.edited", "post.unpublished"]
    assert by_type["post.published.edited"]["data"]["previous"] == {"title": "First title"}


def test_comments_are_announced_when_made_and_approved(client, session, admin, deliver) -> None:
    post = make_post(session, title="Talked about")
    with receiving() as receiver:
        create(client, admin, receiver.url, ["comment.created", "comment.approved"])
        made = client.post(
            "/api/v1/posts/talked-about/comments",
            json={"author_name": "Ann", "author_email": "ann@example.com", "body": "Nice."},
        )
        assert made.status_code in (201, 202), made.text
        comment_id = made.json()["data"]["id"]
        deliver()
        client.patch(
            f"/api/v1/admin/comments/{comment_id}", json={"status": "approved"}, headers=admin
        )
        deliver()
    assert receiver.types() == ["comment.created", "comment.approved"]
    approved = receiver.received[1].payload["data"]
    assert approved["comment"]["status"] == "approved"
    assert approved["post"]["id"] == post.id
    assert f"comments-{post.id}" in approved["cache_tags"]
    assert receiver.received[0].payload["data"]["cache_tags"] == []  # pending: nothing to purge


def test_ping_and_redeliver(client, session, admin, deliver) -> None:
    with receiving() as receiver:
        made = create(client, admin, receiver.url, ["post.deleted"]).json()["data"]
        pinged = client.post(f"{made['links']['self']}/ping", headers=admin)
        assert pinged.status_code == 202, pinged.text
        deliver()
        again = client.post(pinged.json()["data"]["links"]["redeliver"], headers=admin)
        assert again.status_code == 202
        deliver()
    assert receiver.types() == ["ping", "ping"]
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    Verifier(made["secret"]).verify(second.body, second.headers)
    assert first.payload["data"]["webhook"]["id"] == made["id"]
    done = client.get(pinged.json()["data"]["links"]["self"], headers=admin).json()["data"]
    assert done["status"] == "delivered"


def test_nothing_is_written_when_no_webhook_hears_it(client, session, admin) -> None:
    create(client, admin, "http://127.0.0.1:9/hook", ["comment.created"])
    publish(client, admin, make_post(session, published=False).id or 0)
    assert session.exec(select(WebhookEvent)).all() == []


def test_old_deliveries_are_pruned(client, session, admin, deliver, clock) -> None:
    with receiving() as receiver:
        create(client, admin, receiver.url)
        publish(client, admin, make_post(session, published=False).id or 0)
        deliver()
        clock.advance(days=31)  # CMS_WEBHOOKS_LOG_DAYS=30
        app_worker = client.app.state.webhook_worker
        app_worker._pruned = 0.0
        deliver()
    assert session.exec(select(WebhookDelivery)).all() == []
    assert session.exec(select(WebhookEvent)).all() == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "http://user:secret@93.184.215.14/hook",
        "http://93.184.215.14/" + "a" * 2000,
        "http:///nohost",
        "http://no-such-host.invalid/hook",
    ],
)
def test_a_bad_url_is_refused_naming_url(client, admin, url: str) -> None:
    refused = create(client, admin, url)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in refused.json()["errors"]] == ["url"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_private_addresses_are_refused_unless_allowed(client, admin, settings, url: str) -> None:
    settings.webhooks_allow_private = False
    refused = create(client, admin, url)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "url"
    assert "private" in refused.json()["errors"][0]["message"]


def test_a_public_address_is_taken(client, admin, settings) -> None:
    settings.webhooks_allow_private = False
    assert create(client, admin, "https://93.184.215.14/hook").status_code == 201


def test_delivery_checks_the_address_again(client, session, admin, deliver, settings) -> None:
    with receiving() as receiver:
        hook = create(client, admin, receiver.url).json()["data"]  # allowed when made
        settings.webhooks_allow_private = False  # and no longer (or the name moved)
        publish(client, admin, make_post(session, published=False).id or 0)
        deliver()
        [attempt] = client.get(hook["links"]["deliveries"], headers=admin).json()["data"]
    assert receiver.received == []
    assert attempt["status_code"] is None and "private" in attempt["error"]


@pytest.mark.parametrize("events", [["post.nothing"], [], ["*", "post.published", "nope"]])
def test_unknown_events_are_refused_naming_events(client, admin, events) -> None:
    refused = client.post(
        "/api/v1/admin/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": events},
        headers=admin,
    )
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["events"]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.AUTHOR, Role.CONTRIBUTOR])
def test_only_admins_manage_webhooks(client, session: Session, role: Role) -> None:
    headers = bearer(session, make_user(session, role=role))
    assert client.get("/api/v1/admin/webhooks", headers=headers).status_code == 403
    assert create(client, headers, "http://127.0.0.1:9/hook").status_code == 403


def test_a_send_cut_short_by_a_crash_is_made_again(client, session, admin, deliver, clock) -> None:
    worker = client.app.state.webhook_worker
    with receiving() as receiver:
        create(client, admin, receiver.url)
        publish(client, admin, make_post(session, published=False).id or 0)
        worker._in_session(worker._fan_out)
        [claimed] = worker._in_session(worker._claim)  # taken, then the process died
        assert deliver() == 0  # held by the claim: no second sender
        clock.advance(minutes=3)  # the claim runs out
        assert deliver() == 1
    assert [item.headers["webhook-id"] for item in receiver.received] == [claimed.message_id]
