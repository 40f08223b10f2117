"""Admin API: editors manage tags; deleting one takes it off its posts, which stay."""

import pytest
from sqlmodel import Session, col, select

from cms.audit.models import AuditEvent
from cms.linked.models import PostTag
from cms.posts.models import Post
from cms.tags.models import Tag
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user

TAGS = "/api/v1/admin/tags"


def headers_for(session: Session, role: Role = Role.EDITOR) -> dict[str, str]:
    return bearer(session, make_user(session, role=role, with_author=False))


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def stored(session: Session, tag_id: int) -> Tag | None:
    session.expire_all()  # the request changed the row through its own session
    return session.exec(select(Tag).where(Tag.id == tag_id)).first()


def tag_id(session: Session, slug: str) -> int:
    found = session.exec(select(Tag.id).where(Tag.slug == slug)).one()
    assert found is not None
    return found


def test_editors_list_every_tag_with_published_post_counts(client, session: Session) -> None:
    headers = headers_for(session)
    make_post(session, tags=["Running"])
    make_post(session, tags=["Running", "Drafts only"], published=False)

    response = client.get(TAGS, headers=headers)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert [(t["name"], t["post_count"]) for t in body["data"]] == [
        ("Drafts only", 0),
        ("Running", 1),
    ]
    running = body["data"][1]
    assert running["links"]["self"] == f"http://api.test{TAGS}/{running['id']}"
    assert running["url"] == "https://blog.example.com/tag/running"
    assert {"created_at", "updated_at", "description"} <= running.keys()
    assert body["meta"]["pagination"]["total"] == 2


def test_the_tag_list_pages_and_sorts(client, session: Session) -> None:
    headers = headers_for(session)
    make_post(session, tags=["Busy"])
    make_post(session, tags=["Idle"], published=False)

    first = client.get(f"{TAGS}?sort=-post_count,name&limit=1", headers=headers).json()

    assert [t["name"] for t in first["data"]] == ["Busy"]
    assert first["meta"]["pagination"]["pages"] == 2
    second = client.get(first["links"]["next"], headers=headers).json()
    assert [t["name"] for t in second["data"]] == ["Idle"]
    assert second["links"]["prev"].startswith(f"http://api.test{TAGS}?")
    bad = client.get(f"{TAGS}?sort=nonsense", headers=headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "sort"


def test_one_tag_by_id(client, session: Session) -> None:
    make_post(session, tags=["Running"])
    running = tag_id(session, "running")

    response = client.get(f"{TAGS}/{running}", headers=headers_for(session))

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["slug"], data["name"], data["post_count"]) == (
        running,
        "running",
        "Running",
        1,
    )


def test_unknown_tag_id_is_a_404_problem(client, session: Session) -> None:
    headers = headers_for(session)

    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"description": "x"}} if method == "PATCH" else {}
        response = client.request(method, f"{TAGS}/999999", headers=headers, **kwargs)
        assert response.status_code == 404, method
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"{TAGS}/not-a-number", headers=headers).status_code == 400


def test_editor_adds_a_tag(client, session: Session) -> None:
    response = client.post(
        TAGS,
        json={"name": "Pain Relief", "description": "Easing it."},
        headers=headers_for(session),
    )

    assert response.status_code == 201
    data = response.json()["data"]
    assert response.headers["location"] == f"http://api.test{TAGS}/{data['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert (data["name"], data["slug"], data["description"]) == (
        "Pain Relief",
        "pain-relief",
        "Easing it.",
    )
    assert data["post_count"] == 0
    assert data["created_at"] == data["updated_at"] == "2026-01-15T12:00:00Z"
    tag = stored(session, data["id"])
    assert tag is not None and tag.description == "Easing it."
    (event,) = events(session, "tag.create")
    assert (event.subject_type, event.subject_id, event.summary) == (
        "tag",
        data["id"],
        "Pain Relief",
    )


def test_a_tag_with_a_chosen_slug(client, session: Session) -> None:
    response = client.post(
        TAGS, json={"name": "C++", "slug": "C plus plus"}, headers=headers_for(session)
    )

    assert response.status_code == 201 and response.json()["data"]["slug"] == "c-plus-plus"


def test_tag_names_are_unique_by_slug(client, session: Session) -> None:
    headers = headers_for(session)
    make_post(session, tags=["Pain Relief"])

    same_slug = client.post(TAGS, json={"name": "pain relief!"}, headers=headers)
    chosen = client.post(TAGS, json={"name": "Other", "slug": "pain-relief"}, headers=headers)

    for response in (same_slug, chosen):
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "slug"
    assert len(session.exec(select(Tag)).all()) == 1
    assert events(session, "tag.create") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "No name."}, "name"),
        ({"name": ""}, "name"),
        ({"name": " \t "}, "name"),
        ({"name": "x" * 192}, "name"),
        ({"name": "Tag", "slug": "!!!"}, "slug"),
        ({"name": "!!!"}, "slug"),  # no slug can be made from this name
        ({"name": "Tag", "colour": "red"}, "colour"),
        ({"name": "Tag", "description": "x" * 5001}, "description"),
    ],
)
def test_bad_tag_input_is_a_422_naming_the_field(
    client, session: Session, body: dict[str, object], field: str
) -> None:
    response = client.post(TAGS, json=body, headers=headers_for(session))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert session.exec(select(Tag)).all() == []


def test_a_body_that_is_not_json_is_a_422(client, session: Session) -> None:
    response = client.post(
        TAGS,
        content=b"name=Tag",
        headers={**headers_for(session), "Content-Type": "application/json"},
    )

    assert response.status_code == 422


def test_editor_renames_a_tag_and_its_slug(client, session: Session, clock) -> None:
    make_post(session, tags=["Runing"])
    tag = tag_id(session, "runing")
    clock.advance(minutes=5)

    response = client.patch(
        f"{TAGS}/{tag}",
        json={"name": "Running", "slug": "running", "description": "On foot."},
        headers=headers_for(session),
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["name"], data["slug"], data["description"]) == ("Running", "running", "On foot.")
    assert data["post_count"] == 1
    assert data["updated_at"] == "2026-01-15T12:05:00Z"
    assert data["created_at"] != data["updated_at"]
    stored_tag = stored(session, tag)
    assert stored_tag is not None and stored_tag.slug == "running"
    (event,) = events(session, "tag.update")
    assert event.subject_id == tag and event.summary == "Running: name, slug, description"
    post = client.get("/api/v1/posts").json()["data"][0]
    assert [t["slug"] for t in post["tags"]] == ["running"]


def test_renaming_alone_keeps_the_slug_and_null_clears_the_description(
    client, session: Session
) -> None:
    headers = headers_for(session)
    created = client.post(TAGS, json={"name": "Gym", "description": "Weights."}, headers=headers)
    tag = created.json()["data"]["id"]

    data = client.patch(
        f"{TAGS}/{tag}", json={"name": "The Gym", "description": None}, headers=headers
    ).json()["data"]

    assert (data["name"], data["slug"], data["description"]) == ("The Gym", "gym", None)


def test_an_update_that_changes_nothing_keeps_updated_at(client, session: Session, clock) -> None:
    headers = headers_for(session)
    created = client.post(TAGS, json={"name": "Gym", "description": "Weights."}, headers=headers)
    tag = created.json()["data"]["id"]
    clock.advance(days=1)

    same = client.patch(
        f"{TAGS}/{tag}",
        json={"name": " Gym ", "slug": "Gym", "description": "Weights."},
        headers=headers,
    )

    assert same.status_code == 200
    assert same.json()["data"]["updated_at"] == "2026-01-15T12:00:00Z"
    assert events(session, "tag.update") == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"slug": "running"}, 409, "slug"),
        ({"slug": "???"}, 422, "slug"),
        ({"slug": None}, 422, "slug"),
        ({"name": None}, 422, "name"),
        ({"name": "  "}, 422, "name"),
        ({"name": "x" * 192}, 422, "name"),
        ({"post_count": 9}, 422, "post_count"),
    ],
)
def test_bad_tag_changes_are_refused_and_change_nothing(
    client, session: Session, body: dict[str, object], status: int, field: str
) -> None:
    make_post(session, tags=["Running", "Gym"])
    gym = tag_id(session, "gym")

    response = client.patch(f"{TAGS}/{gym}", json=body, headers=headers_for(session))

    assert response.status_code == status
    assert field in [error["field"] for error in response.json()["errors"]]
    tag = stored(session, gym)
    assert tag is not None and (tag.name, tag.slug) == ("Gym", "gym")
    assert events(session, "tag.update") == []


def test_deleting_a_tag_takes_it_off_its_posts(client, session: Session) -> None:
    post = make_post(session, tags=["Running", "Gym"])
    other = make_post(session, tags=["Running"], published=False)
    running = tag_id(session, "running")

    response = client.delete(f"{TAGS}/{running}", headers=headers_for(session))

    assert response.status_code == 204
    assert response.content == b""
    assert stored(session, running) is None
    assert session.exec(select(PostTag).where(PostTag.tag_id == running)).all() == []
    assert len(session.exec(select(Post).where(col(Post.id).in_([post.id, other.id]))).all()) == 2
    (event,) = events(session, "tag.delete")
    assert (event.subject_type, event.subject_id, event.summary) == ("tag", running, "Running")
    live = client.get(f"/api/v1/posts/{post.slug}").json()["data"]
    assert [t["slug"] for t in live["tags"]] == ["gym"]
    assert live["primary_tag"]["slug"] == "gym"
    assert client.get("/api/v1/tags/running").status_code == 404


def test_anonymous_callers_get_401_everywhere(client, session: Session) -> None:
    make_post(session, tags=["Running"])

    for method, path, body in _every_operation(tag_id(session, "running")):
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUTHOR])
def test_authors_and_contributors_get_403_everywhere(client, session: Session, role: Role) -> None:
    headers = headers_for(session, role)
    make_post(session, tags=["Running"])
    running = tag_id(session, "running")

    for method, path, body in _every_operation(running):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
    assert stored(session, running) is not None
    assert session.exec(select(Tag).where(Tag.name == "New")).all() == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN, Role.OWNER])
def test_editors_admins_and_owners_may_do_everything(client, session: Session, role: Role) -> None:
    headers = headers_for(session, role)

    created = client.post(TAGS, json={"name": "New"}, headers=headers)
    tag = created.json()["data"]["id"]
    listed = client.get(TAGS, headers=headers)
    fetched = client.get(f"{TAGS}/{tag}", headers=headers)
    changed = client.patch(f"{TAGS}/{tag}", json={"description": "Hi."}, headers=headers)
    deleted = client.delete(f"{TAGS}/{tag}", headers=headers)

    statuses = [r.status_code for r in (created, listed, fetched, changed, deleted)]
    assert statuses == [201, 200, 200, 200, 204]
    audited = (
        select(AuditEvent).where(AuditEvent.subject_type == "tag").order_by(col(AuditEvent.id))
    )
    assert [(e.action, e.subject_id) for e in session.exec(audited)] == [
        ("tag.create", tag),
        ("tag.update", tag),
        ("tag.delete", tag),
    ]


def _every_operation(tag: int) -> list[tuple[str, str, dict[str, object] | None]]:
    return [
        ("GET", TAGS, None),
        ("POST", TAGS, {"name": "New"}),
        ("GET", f"{TAGS}/{tag}", None),
        ("PATCH", f"{TAGS}/{tag}", {"description": "Changed."}),
        ("DELETE", f"{TAGS}/{tag}", None),
    ]
