"""What tests of concurrency share: requests sent at once from threads, and for several
server processes, a database with a post and an editor, and an edit through the Admin API of
a real server."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlmodel import Session

from cms.db import make_engine
from cms.migrations import upgrade_database
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user


@dataclass(frozen=True)
class SharedPost:
    url: str  # the database's
    post_id: int
    slug: str
    editor: dict[str, str]  # headers that sign in as an editor

    def retitle(self, server: str, title: str) -> httpx.Response:
        """Change the post's title through `server`'s Admin API, as an editor would."""
        address = f"{server}/api/v1/admin/posts/{self.post_id}"
        etag = httpx.get(address, headers=self.editor).headers["etag"]
        return httpx.patch(
            address, json={"title": title}, headers={**self.editor, "If-Match": etag}
        )


def shared_post(url: str, *, title: str) -> SharedPost:
    """A migrated database at `url` (committed, for other processes) with a live post."""
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        post = make_post(session, title=title)
        editor = bearer(session, make_user(session, role=Role.EDITOR))
        session.commit()
        shared = SharedPost(url, post.id or 0, post.slug, editor)
    engine.dispose()
    return shared


def in_parallel(count: int, call: Callable[[], int]) -> list[int]:
    """`call()` from `count` threads released at once; what each returned."""
    start, statuses = threading.Barrier(count), list[int]()

    def run() -> None:
        start.wait()
        statuses.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
