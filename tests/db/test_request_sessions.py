"""The per-request session (cms/db.py) under parallel requests: a signed-in request may write
even on GET (a token's last use, the trash's purge), so on SQLite it takes the write lock at
BEGIN, and the others wait for it rather than fail with 'database is locked'."""

from sqlmodel import Session

from cms.users.models import Role
from tests.factories import bearer, make_user
from tests.processes import in_parallel


def test_parallel_signed_in_reads_all_answer(live_app) -> None:  # type: ignore[no-untyped-def]
    client, engine = live_app
    with Session(engine) as session:
        headers = bearer(session, make_user(session, role=Role.EDITOR))
        session.commit()

    statuses = in_parallel(
        8, lambda: client.get("/api/v1/admin/trash", headers=headers).status_code
    )

    assert statuses == [200] * 8
