"""Two editors saving the same post at the same moment: one wins, the other gets 412, no word lost;
posts made in parallel with one new title and tag: each made, or a 409, never a 500.

Real commits on a database of its own (no rolled-back test transaction), with the app's own
session handling, so the database's locking is what is tested.
"""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cms.app import create_app
from cms.config import Settings
from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user
from tests.processes import in_parallel


@pytest.fixture
def live(new_database) -> Iterator[tuple[TestClient, TestClient, int]]:  # type: ignore[no-untyped-def]
    engine = make_engine(new_database())
    upgrade_database(engine)
    with Session(engine) as session:
        alice = bearer(session, make_user(session, role=Role.EDITOR, name="Alice"))
        bob = bearer(session, make_user(session, role=Role.EDITOR, name="Bob"))
        post_id = make_post(session, title="Shared").id
        session.commit()
    app = create_app(Settings(database_url="sqlite://"), engine=engine)
    with TestClient(app, headers=alice) as a, TestClient(app, headers=bob) as b:
        yield a, b, post_id or 0
    engine.dispose()


def test_concurrent_saves_with_the_same_version_let_exactly_one_through(live) -> None:  # type: ignore[no-untyped-def]
    alice, bob, post_id = live
    url = f"/api/v1/admin/posts/{post_id}"
    for round_number in range(8):
        etag = alice.get(url).headers["etag"]
        start = threading.Barrier(2)
        results: dict[str, int] = {}

        def save(
            name: str,
            client: TestClient,
            etag: str = etag,
            n: int = round_number,
            start: threading.Barrier = start,
            results: dict[str, int] = results,
        ) -> None:
            start.wait()
            body = {"body": f"{name}'s words, round {n}."}
            results[name] = client.patch(url, json=body, headers={"If-Match": etag}).status_code

        threads = [
            threading.Thread(target=save, args=("Alice", alice)),
            threading.Thread(target=save, args=("Bob", bob)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(results.values()) == [200, 412], results
        winner = next(name for name, status in results.items() if status == 200)
        saved = alice.get(url).json()["data"]
        assert saved["body"] == f"{winner}'s words, round {round_number}."
        assert saved["updated_by"]["name"] == winner
        assert saved["version"] == round_number + 3  # created, published, then one per round


def test_parallel_posts_with_one_new_title_and_tag_never_500(live_app) -> None:  # type: ignore[no-untyped-def]
    client, engine = live_app
    with Session(engine) as session:
        headers = bearer(session, make_user(session, role=Role.EDITOR))
        session.commit()
    body = {"title": "Same title", "tags": ["Brand new tag"]}

    statuses = in_parallel(
        8, lambda: client.post("/api/v1/admin/posts", json=body, headers=headers).status_code
    )

    assert set(statuses) <= {201, 409} and 201 in statuses
