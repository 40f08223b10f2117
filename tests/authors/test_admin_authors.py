"""Admin API: editors manage authors, guests included; an author still on a post is kept."""

import pytest
from sqlmodel import Session, col, select

from cms.audit.models import AuditEvent
from cms.authors.models import Author
from cms.linked.models import PostAuthor
from cms.posts import service as posts_service
from cms.users.models import Role
from tests.factories import bearer, make_author, make_post, make_user

AUTHORS = "/api/v1/admin/authors"


def headers_for(session: Session, role: Role = Role.EDITOR) -> dict[str, str]:
    return bearer(session, make_user(session, role=role, with_author=False))


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def stored(session: Session, author_id: int | None) -> Author | None:
    session.expire_all()  # the request changed the row through its own session
    return session.exec(select(Author).where(Author.id == author_id)).first()


def test_editors_list_every_author_with_published_post_counts(client, session: Session) -> None:
    headers = headers_for(session)
    jo = make_author(session, name="Jo Goh")
    make_author(session, name="Guest Writer")  # on no post at all
    make_post(session, authors=[jo])
    make_post(session, authors=[jo], published=False)

    response = client.get(AUTHORS, headers=headers)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert [(a["name"], a["post_count"]) for a in body["data"]] == [
        ("Guest Writer", 0),
        ("Jo Goh", 1),
    ]
    jo_out = body["data"][1]
    assert jo_out["links"]["self"] == f"http://api.test{AUTHORS}/{jo.id}"
    assert jo_out["url"] == "https://blog.example.com/author/jo-goh"
    assert jo_out["created_at"] == jo_out["updated_at"]
    assert body["meta"]["pagination"]["total"] == 2


def test_the_author_list_pages_and_sorts(client, session: Session) -> None:
    headers = headers_for(session)
    busy, _idle = make_author(session, name="Busy"), make_author(session, name="Idle")
    make_post(session, authors=[busy])

    first = client.get(f"{AUTHORS}?sort=-post_count&limit=1", headers=headers).json()

    assert [a["name"] for a in first["data"]] == ["Busy"]
    assert first["meta"]["pagination"] == {
        "page": 1,
        "limit": 1,
        "total": 2,
        "pages": 2,
        "next": 2,
        "prev": None,
    }
    assert first["links"]["next"].startswith(f"http://api.test{AUTHORS}?")
    second = client.get(first["links"]["next"], headers=headers).json()
    assert [a["name"] for a in second["data"]] == ["Idle"]
    bad = client.get(f"{AUTHORS}?sort=password", headers=headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "sort"


def test_one_author_by_id_whatever_they_published(client, session: Session) -> None:
    guest = make_author(session, name="Guest", bio="Visits.", website="https://guest.example")

    response = client.get(f"{AUTHORS}/{guest.id}", headers=headers_for(session))

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == guest.id and data["slug"] == "guest" and data["post_count"] == 0
    assert data["bio"] == "Visits." and data["website"] == "https://guest.example"


def test_unknown_author_id_is_a_404_problem(client, session: Session) -> None:
    headers = headers_for(session)

    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"bio": "x"}} if method == "PATCH" else {}
        response = client.request(method, f"{AUTHORS}/999999", headers=headers, **kwargs)
        assert response.status_code == 404, method
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404
    assert client.get(f"{AUTHORS}/0", headers=headers).status_code == 400


def test_editor_adds_a_guest_author(client, session: Session, clock) -> None:
    response = client.post(
        AUTHORS,
        json={
            "name": "  Priya Raman ",
            "bio": "Sports physio.",
            "profile_image": "https://img.example/priya.jpg",
            "website": "https://priya.example",
        },
        headers=headers_for(session),
    )

    assert response.status_code == 201
    data = response.json()["data"]
    assert response.headers["location"] == f"http://api.test{AUTHORS}/{data['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert data["name"] == "Priya Raman" and data["slug"] == "priya-raman"
    assert data["post_count"] == 0
    assert data["created_at"] == data["updated_at"] == "2026-01-15T12:00:00Z"
    author = stored(session, data["id"])
    assert author is not None and author.website == "https://priya.example"
    (event,) = events(session, "author.create")
    assert (event.subject_type, event.subject_id, event.summary) == (
        "author",
        data["id"],
        "Priya Raman",
    )
    # Readers meet an author once a published post carries their name, not before.
    assert client.get("/api/v1/authors/priya-raman").status_code == 404


def test_a_given_slug_is_normalised(client, session: Session) -> None:
    response = client.post(
        AUTHORS, json={"name": "Jo Goh", "slug": "Jo's Page"}, headers=headers_for(session)
    )

    assert response.status_code == 201
    assert response.json()["data"]["slug"] == "jos-page"


def test_a_taken_slug_is_a_409_naming_slug(client, session: Session) -> None:
    headers = headers_for(session)
    make_author(session, name="Jo Goh")

    by_name = client.post(AUTHORS, json={"name": "Jo Goh"}, headers=headers)
    by_slug = client.post(AUTHORS, json={"name": "Other", "slug": "jo-goh"}, headers=headers)

    for response in (by_name, by_slug):
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "slug"
    assert events(session, "author.create") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bio": "No name."}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 192}, "name"),
        ({"name": "Jo", "slug": "!!!"}, "slug"),
        ({"name": "???"}, "slug"),  # no slug can be made from this name
        ({"name": "Jo", "slug": "x" * 181}, "slug"),
        ({"name": "Jo", "nickname": "JJ"}, "nickname"),
        ({"name": "Jo", "website": "x" * 2001}, "website"),
    ],
)
def test_bad_author_input_is_a_422_naming_the_field(
    client, session: Session, body: dict[str, object], field: str
) -> None:
    response = client.post(AUTHORS, json=body, headers=headers_for(session))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert session.exec(select(Author)).all() == []


def test_a_name_of_191_characters_is_accepted(client, session: Session) -> None:
    response = client.post(AUTHORS, json={"name": "x" * 191}, headers=headers_for(session))

    assert response.status_code == 201


def test_editor_changes_only_the_fields_sent(client, session: Session, clock) -> None:
    headers = headers_for(session)
    jo = make_author(session, name="Jo Goh", website="https://jo.example")
    clock.advance(hours=1)

    response = client.patch(
        f"{AUTHORS}/{jo.id}", json={"bio": "New bio.", "slug": "Jo G"}, headers=headers
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["bio"] == "New bio." and data["slug"] == "jo-g"
    assert data["name"] == "Jo Goh" and data["website"] == "https://jo.example"
    assert data["updated_at"] == "2026-01-15T13:00:00Z"
    assert data["links"]["self"] == f"http://api.test{AUTHORS}/{jo.id}"
    author = stored(session, jo.id)
    assert author is not None and author.slug == "jo-g" and author.bio == "New bio."
    (event,) = events(session, "author.update")
    assert event.subject_id == jo.id and event.summary == "Jo Goh: slug, bio"
    assert client.get(f"{AUTHORS}/{jo.id}", headers=headers).json()["data"]["slug"] == "jo-g"


def test_null_clears_an_optional_field(client, session: Session) -> None:
    jo = make_author(session, name="Jo Goh", website="https://jo.example")

    response = client.patch(
        f"{AUTHORS}/{jo.id}", json={"website": None}, headers=headers_for(session)
    )

    assert response.status_code == 200 and response.json()["data"]["website"] is None


def test_an_update_that_changes_nothing_keeps_updated_at(client, session: Session, clock) -> None:
    headers = headers_for(session)
    jo = make_author(session, name="Jo Goh", bio="Physio.")
    before = client.get(f"{AUTHORS}/{jo.id}", headers=headers).json()["data"]["updated_at"]
    clock.advance(hours=1)

    same = client.patch(
        f"{AUTHORS}/{jo.id}",
        json={"name": "Jo Goh", "slug": "jo-goh", "bio": "Physio."},
        headers=headers,
    )
    empty = client.patch(f"{AUTHORS}/{jo.id}", json={}, headers=headers)

    assert same.status_code == empty.status_code == 200
    assert same.json()["data"]["updated_at"] == empty.json()["data"]["updated_at"] == before
    assert events(session, "author.update") == []


def test_a_changed_author_still_shows_its_post_count(client, session: Session) -> None:
    jo = make_author(session, name="Jo Goh")
    make_post(session, authors=[jo])

    response = client.patch(f"{AUTHORS}/{jo.id}", json={"bio": "x"}, headers=headers_for(session))

    assert response.json()["data"]["post_count"] == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"slug": "amy-adams"}, 409, "slug"),
        ({"slug": "---"}, 422, "slug"),
        ({"slug": None}, 422, "slug"),
        ({"name": None}, 422, "name"),
        ({"name": ""}, 422, "name"),
        ({"name": "x" * 192}, 422, "name"),
        ({"email": "jo@example.com"}, 422, "email"),
    ],
)
def test_bad_author_changes_are_refused_and_change_nothing(
    client, session: Session, clock, body: dict[str, object], status: int, field: str
) -> None:
    make_author(session, name="Amy Adams")
    jo = make_author(session, name="Jo Goh")
    clock.advance(hours=1)

    response = client.patch(f"{AUTHORS}/{jo.id}", json=body, headers=headers_for(session))

    assert response.status_code == status
    assert field in [error["field"] for error in response.json()["errors"]]
    author = stored(session, jo.id)
    assert author is not None and (author.name, author.slug) == ("Jo Goh", "jo-goh")
    assert events(session, "author.update") == []


def test_editor_deletes_an_author_on_no_post(client, session: Session) -> None:
    headers = headers_for(session)
    guest_id = make_author(session, name="Guest").id
    assert guest_id is not None

    response = client.delete(f"{AUTHORS}/{guest_id}", headers=headers)

    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["cache-control"] == "no-store"
    assert stored(session, guest_id) is None
    (event,) = events(session, "author.delete")
    assert (event.subject_id, event.summary) == (guest_id, "Guest")
    assert client.get(f"{AUTHORS}/{guest_id}", headers=headers).status_code == 404


@pytest.mark.parametrize("post_state", ["published", "draft", "trashed"])
def test_an_author_still_on_a_post_is_not_deleted(
    client, session: Session, post_state: str
) -> None:
    jo = make_author(session, name="Jo Goh")
    post = make_post(session, authors=[jo], published=post_state == "published")
    if post_state == "trashed":
        posts_service.trash_post(session, post=post, actor=None, now=post.updated_at)

    response = client.delete(f"{AUTHORS}/{jo.id}", headers=headers_for(session))

    assert response.status_code == 409
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert "still on 1 post" in problem["detail"] and "remove the author" in problem["detail"]
    assert problem["linked_posts"] == 1
    assert stored(session, jo.id) is not None
    links = session.exec(select(PostAuthor).where(PostAuthor.author_id == jo.id)).all()
    assert [link.post_id for link in links] == [post.id]
    assert events(session, "author.delete") == []


def test_anonymous_callers_get_401_everywhere(client, session: Session) -> None:
    jo = make_author(session, name="Jo Goh")

    for method, path, body in _every_operation(jo.id):
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUTHOR])
def test_authors_and_contributors_get_403_everywhere(client, session: Session, role: Role) -> None:
    headers = headers_for(session, role)
    jo = make_author(session, name="Jo Goh")

    for method, path, body in _every_operation(jo.id):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
    assert stored(session, jo.id) is not None
    assert session.exec(select(Author).where(Author.name == "New")).all() == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN, Role.OWNER])
def test_editors_admins_and_owners_may_do_everything(client, session: Session, role: Role) -> None:
    headers = headers_for(session, role)

    created = client.post(AUTHORS, json={"name": "New"}, headers=headers)
    author_id = created.json()["data"]["id"]
    listed = client.get(AUTHORS, headers=headers)
    fetched = client.get(f"{AUTHORS}/{author_id}", headers=headers)
    changed = client.patch(f"{AUTHORS}/{author_id}", json={"bio": "Hi."}, headers=headers)
    deleted = client.delete(f"{AUTHORS}/{author_id}", headers=headers)

    statuses = [r.status_code for r in (created, listed, fetched, changed, deleted)]
    assert statuses == [201, 200, 200, 200, 204]
    audited = (
        select(AuditEvent).where(AuditEvent.subject_type == "author").order_by(col(AuditEvent.id))
    )
    assert [(e.action, e.subject_id) for e in session.exec(audited)] == [
        ("author.create", author_id),
        ("author.update", author_id),
        ("author.delete", author_id),
    ]


def _every_operation(author_id: int | None) -> list[tuple[str, str, dict[str, object] | None]]:
    return [
        ("GET", AUTHORS, None),
        ("POST", AUTHORS, {"name": "New"}),
        ("GET", f"{AUTHORS}/{author_id}", None),
        ("PATCH", f"{AUTHORS}/{author_id}", {"bio": "Changed."}),
        ("DELETE", f"{AUTHORS}/{author_id}", None),
    ]
