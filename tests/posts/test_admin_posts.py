"""Admin API: writing posts, their lifecycle, safe concurrent edits, revisions and the trash."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from cms.audit.models import AuditEvent
from cms.posts.models import Post, PostRevision
from cms.users.models import Role
from tests.factories import bearer, make_author, make_post, make_user

POSTS = "/api/v1/admin/posts"


def editor_headers(session: Session) -> dict[str, str]:
    return bearer(session, make_user(session, role=Role.EDITOR))


def create(client, headers, **fields):  # type: ignore[no-untyped-def]
    body = {"title": "A title", "body": "Some *words*."} | fields
    return client.post(POSTS, json=body, headers=headers)


def test_editor_writes_a_draft_with_tags_by_name(client, session: Session) -> None:
    headers = editor_headers(session)
    writer = make_author(session, name="Jo Goh")

    response = create(
        client,
        headers,
        title="Dry needling & why it's so awesome",
        author_ids=[writer.id],
        tags=["Dry Needling", "Pain Relief"],
        excerpt="Custom.",
    )

    assert response.status_code == 201
    data = response.json()["data"]
    assert response.headers["location"] == f"http://api.test{POSTS}/{data['id']}"
    assert response.headers["etag"] == f'"{data["id"]}-1"'
    assert response.headers["cache-control"] == "no-store"
    assert data["slug"] == "dry-needling-why-its-so-awesome"
    assert data["status"] == "draft" and data["published_at"] is None
    assert data["html"] == "<p>Some <em>words</em>.</p>\n"
    assert data["excerpt"] == data["custom_excerpt"] == "Custom."
    assert [a["name"] for a in data["authors"]] == ["Jo Goh"]
    assert [t["slug"] for t in data["tags"]] == ["dry-needling", "pain-relief"]
    assert data["created_by"]["name"] == data["updated_by"]["name"]
    assert client.get(f"/api/v1/posts/{data['slug']}").status_code == 404  # a draft
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "post.create")).one()
    assert audit.subject_id == data["id"]


def test_a_post_without_authors_is_by_the_writer(client, session: Session) -> None:
    user = make_user(session, role=Role.AUTHOR, name="Sam Writer")

    data = create(client, bearer(session, user)).json()["data"]

    assert [a["id"] for a in data["authors"]] == [user.author_id]


def test_a_writer_without_a_byline_gets_one_named_after_them(client, session: Session) -> None:
    make_author(session, name="Jo Goh")  # a guest author of the same name already exists
    user = make_user(session, role=Role.OWNER, name="Jo Goh", with_author=False)
    headers = bearer(session, user)

    first = create(client, headers, title="First").json()["data"]
    second = create(client, headers, title="Second").json()["data"]

    assert [a["name"] for a in first["authors"]] == ["Jo Goh"]
    assert first["authors"][0]["slug"] == "jo-goh-2"
    assert second["authors"][0]["id"] == first["authors"][0]["id"]
    session.refresh(user)
    assert user.author_id == first["authors"][0]["id"]


def test_slugs_are_made_unique_and_explicit_duplicates_are_409(client, session: Session) -> None:
    headers = editor_headers(session)
    make_post(session, title="Same title")

    second = create(client, headers, title="Same title").json()["data"]
    taken = create(client, headers, title="Other", slug="same-title")

    assert second["slug"] == "same-title-2"
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["field"] == "slug"


def test_bad_post_input_is_a_problem_naming_the_field(client, session: Session) -> None:
    headers = editor_headers(session)
    cases = [
        ({"body": "no title"}, 422, "title"),
        ({"title": ""}, 422, "title"),
        ({"title": "Big", "body": "x" * 500_001}, 422, "body"),
        ({"title": "Who", "author_ids": [999999]}, 422, "author_ids"),
        ({"title": "Tags", "tag_ids": [999999]}, 422, "tag_ids"),
        ({"title": "Both", "body": "a", "html": "<p>b</p>"}, 422, "html"),
        ({"title": "Slug", "slug": "!!!"}, 422, "slug"),
        ({"title": "Extra", "password": "x"}, 422, "password"),
        ({"title": "Nul\u0000"}, 422, "title"),
        ({"title": "Tags", "tags": ["ok", "n\u0000l"]}, 422, "tags"),
        ({"title": "Ids", "author_ids": ["1"]}, 422, "author_ids.0"),
        ({"title": "Flag", "featured": "yes"}, 422, "featured"),
        ({"title": "When", "published_at": 0}, 422, "published_at"),
        ({"title": "When", "published_at": "next tuesday"}, 422, "published_at"),
    ]
    for body, status, field in cases:
        response = client.post(POSTS, json=body, headers=headers)
        assert response.status_code != 500, response.text
        assert response.status_code == status, body
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [error["field"] for error in response.json()["errors"]], body
    assert session.exec(select(Post)).all() == []  # nothing half-written


def test_over_long_tag_names_and_blank_titles_are_422(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))

    long_tag = client.post(
        "/api/v1/admin/posts", json={"title": "x", "tags": ["a" * 300]}, headers=headers
    )
    blank = client.post("/api/v1/admin/posts", json={"title": "   "}, headers=headers)

    assert long_tag.status_code == 422 and long_tag.json()["errors"][0]["field"] == "tags.0"
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "title"


def test_a_body_that_is_not_json_is_a_422_naming_the_body(client, session: Session) -> None:
    response = client.post(
        POSTS,
        content=b'{"title": "unfinished',
        headers={**editor_headers(session), "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


def test_a_time_without_offset_is_taken_as_utc(client, session: Session) -> None:
    created = create(client, editor_headers(session), published_at="2030-01-01T09:00:00")

    assert created.json()["data"]["published_at"] == "2030-01-01T09:00:00Z"


def test_a_body_that_is_not_utf8_is_a_422(client, session: Session) -> None:
    response = client.post(
        POSTS,
        content=b'{"title": "caf\xe9"}',
        headers={**editor_headers(session), "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


def test_html_in_a_body_is_sanitised_not_rejected(client, session: Session) -> None:
    headers = editor_headers(session)

    data = create(client, headers, body=None, html='<p onclick="x()">Hi<script>bad()</script></p>')
    assert data.status_code == 201
    assert data.json()["data"]["html"] == "<p>Hi</p>"


def test_edit_needs_if_match_and_a_stale_version_gets_412(client, session: Session) -> None:
    headers = editor_headers(session)
    created = create(client, headers, title="Draft")
    url, etag = f"{POSTS}/{created.json()['data']['id']}", created.headers["etag"]

    missing = client.patch(url, json={"title": "No precondition"}, headers=headers)
    first = client.patch(url, json={"title": "First edit"}, headers={**headers, "If-Match": etag})
    second = client.patch(url, json={"title": "Second edit"}, headers={**headers, "If-Match": etag})

    assert missing.status_code == 428
    assert first.status_code == 200 and first.headers["etag"] != etag
    assert second.status_code == 412
    problem = second.json()
    assert problem["current"]["version"] == 2
    assert problem["current"]["etag"] == first.headers["etag"]
    assert problem["current"]["updated_by"]["name"]
    assert client.get(url, headers=headers).json()["data"]["title"] == "First edit"


def test_two_editors_editing_at_once_never_lose_a_word(client, session: Session, clock) -> None:
    alice = bearer(session, make_user(session, role=Role.EDITOR, name="Alice"))
    bob = bearer(session, make_user(session, role=Role.EDITOR, name="Bob"))
    created = create(client, alice, title="Shared", body="Original.")
    url = f"{POSTS}/{created.json()['data']['id']}"
    etag_alice = client.get(url, headers=alice).headers["etag"]
    etag_bob = client.get(url, headers=bob).headers["etag"]

    clock.advance(minutes=1)
    saved = client.patch(
        url, json={"body": "Alice's words."}, headers={**alice, "If-Match": etag_alice}
    )
    refused = client.patch(
        url, json={"body": "Bob's words."}, headers={**bob, "If-Match": etag_bob}
    )

    assert saved.status_code == 200
    assert refused.status_code == 412
    assert refused.json()["current"]["updated_by"]["name"] == "Alice"
    assert refused.json()["current"]["updated_at"] == "2026-01-15T12:01:00Z"
    assert client.get(url, headers=bob).json()["data"]["body"] == "Alice's words."


def test_updated_at_changes_only_when_content_does(client, session: Session, clock) -> None:
    headers = editor_headers(session)
    created = create(client, headers, title="Steady")
    url, etag = f"{POSTS}/{created.json()['data']['id']}", created.headers["etag"]
    clock.advance(days=1)

    same = client.patch(url, json={"title": "Steady"}, headers={**headers, "If-Match": etag})

    assert same.status_code == 200
    assert same.json()["data"]["updated_at"] == created.json()["data"]["updated_at"]
    assert same.headers["etag"] == etag
    changed = client.patch(url, json={"featured": True}, headers={**headers, "If-Match": etag})
    assert changed.json()["data"]["updated_at"] == "2026-01-16T12:00:00Z"


def test_publish_schedule_and_unpublish(client, session: Session, clock) -> None:
    headers = editor_headers(session)
    post_id = create(client, headers, title="Going live").json()["data"]["id"]
    url = f"{POSTS}/{post_id}"

    scheduled = client.post(
        f"{url}/publish", json={"published_at": "2026-01-20T08:00:00Z"}, headers=headers
    )
    assert scheduled.json()["data"]["status"] == "scheduled"
    assert client.get("/api/v1/posts/going-live").status_code == 404

    clock.advance(days=5)  # no job runs: the time passing is enough
    assert client.get(url, headers=headers).json()["data"]["status"] == "published"
    assert client.get("/api/v1/posts/going-live").status_code == 200

    unpublished = client.post(f"{url}/unpublish", headers=headers)
    assert unpublished.json()["data"]["status"] == "draft"
    assert client.get("/api/v1/posts/going-live").status_code == 404

    now = client.post(f"{url}/publish", headers=headers)
    assert now.json()["data"]["status"] == "published"
    again = client.post(f"{url}/publish", headers=headers)  # already live: nothing changes
    assert again.headers["etag"] == now.headers["etag"]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.subject_id == post_id)).all()
    assert sorted(actions) == ["post.create", "post.publish", "post.schedule", "post.unpublish"]


def test_a_live_post_cannot_lose_its_publish_date(client, session: Session) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    post = make_post(session, title="Live one")
    url = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]

    response = client.patch(url, json={"published_at": None}, headers={**headers, "If-Match": etag})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "published_at"
    assert client.get("/api/v1/posts/live-one").status_code == 200


def test_changing_a_published_slug_keeps_the_old_one_redirecting(client, session: Session) -> None:
    headers = editor_headers(session)
    post = make_post(session, title="Old name")
    url = f"{POSTS}/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]

    renamed = client.patch(url, json={"slug": "new-name"}, headers={**headers, "If-Match": etag})

    assert renamed.json()["data"]["slug"] == "new-name"
    moved = client.get("/api/v1/posts/old-name", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"].endswith("/api/v1/posts/new-name")
    taken = create(client, headers, title="Another", slug="old-name")
    assert taken.status_code == 409  # a former slug stays reserved


def test_revisions_keep_every_saved_version_and_restore_as_a_new_one(
    client, session: Session
) -> None:
    headers = editor_headers(session)
    created = create(client, headers, title="V1", body="First.")
    url = f"{POSTS}/{created.json()['data']['id']}"
    etag = created.headers["etag"]
    etag = client.patch(
        url, json={"title": "V2", "body": "Second."}, headers={**headers, "If-Match": etag}
    ).headers["etag"]
    client.patch(url, json={"excerpt": "Short."}, headers={**headers, "If-Match": etag})

    listed = client.get(f"{url}/revisions", headers=headers).json()["data"]
    assert [(r["number"], r["title"], r["excerpt"]) for r in listed] == [
        (3, "V2", "Short."),
        (2, "V2", None),
        (1, "V1", None),
    ]
    assert listed[0]["created_by"]["name"]

    restored = client.post(f"{url}/revisions/1/restore", headers=headers)

    assert restored.status_code == 200
    assert restored.json()["data"]["title"] == "V1"
    assert restored.json()["data"]["body"] == "First."
    numbers = [r["number"] for r in client.get(f"{url}/revisions", headers=headers).json()["data"]]
    assert numbers == [4, 3, 2, 1]
    assert client.post(f"{url}/revisions/99/restore", headers=headers).status_code == 404


def test_delete_moves_to_the_trash_and_an_editor_restores_it(
    client, session: Session, clock
) -> None:
    headers = editor_headers(session)
    post = make_post(session, title="Oops")
    url = f"{POSTS}/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]

    assert client.delete(url, headers=headers).status_code == 428
    assert client.delete(url, headers={**headers, "If-Match": '"0-0"'}).status_code == 412
    deleted = client.delete(url, headers={**headers, "If-Match": etag})

    assert deleted.status_code == 204
    assert client.get("/api/v1/posts/oops").status_code == 404
    assert client.get(url, headers=headers).status_code == 404
    trash = client.get("/api/v1/admin/trash", headers=headers).json()["data"]
    assert [p["slug"] for p in trash] == ["oops"] and trash[0]["deleted_at"]

    restored = client.post(f"/api/v1/admin/trash/{post.id}/restore", headers=headers)

    assert restored.status_code == 200
    assert client.get("/api/v1/posts/oops").status_code == 200
    assert client.get("/api/v1/admin/trash", headers=headers).json()["data"] == []


def test_the_trash_is_emptied_after_30_days(client, session: Session, clock) -> None:
    headers = editor_headers(session)
    post = make_post(session, title="Gone")
    url = f"{POSTS}/{post.id}"
    client.delete(
        url, headers={**headers, "If-Match": client.get(url, headers=headers).headers["etag"]}
    )

    clock.advance(days=29)
    assert len(client.get("/api/v1/admin/trash", headers=headers).json()["data"]) == 1
    clock.advance(days=2)
    assert client.get("/api/v1/admin/trash", headers=headers).json()["data"] == []
    assert client.post(f"/api/v1/admin/trash/{post.id}/restore", headers=headers).status_code == 404
    assert session.exec(select(Post).where(Post.id == post.id)).first() is None


def test_list_filters_by_status(client, session: Session, clock) -> None:
    headers = editor_headers(session)
    make_post(session, title="Draft", published=False)
    make_post(session, title="Live")
    make_post(session, title="Later", published_at=datetime(2027, 1, 1, tzinfo=UTC))

    def titles(status: str) -> list[str]:
        body = client.get(f"{POSTS}?status={status}", headers=headers).json()
        return [post["title"] for post in body["data"]]

    assert titles("draft") == ["Draft"]
    assert titles("published") == ["Live"]
    assert titles("scheduled") == ["Later"]
    assert client.get(f"{POSTS}?status=trashed", headers=headers).status_code == 400
    assert len(client.get(POSTS, headers=headers).json()["data"]) == 3


def test_saving_keeps_a_revision_row_per_content_change(client, session: Session) -> None:
    headers = editor_headers(session)
    created = create(client, headers)
    post_id = created.json()["data"]["id"]
    client.patch(
        f"{POSTS}/{post_id}",
        json={"featured": True},
        headers={**headers, "If-Match": created.headers["etag"]},
    )

    rows = session.exec(select(PostRevision).where(PostRevision.post_id == post_id)).all()
    assert len(rows) == 1  # featuring is not a change of title, body or excerpt
