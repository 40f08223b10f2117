"""Preview links: an editor shows a draft to the front end before readers see it. The link's
token is unguessable and kept only hashed; it expires, ends when the post is unpublished or
deleted (or on request), and its answer is kept by no cache."""

import hashlib

import pytest
from sqlmodel import Session, select

from cms.config import Settings
from cms.previews.models import PostPreview
from cms.users.models import Role
from tests.factories import bearer, make_author, make_post, make_user


def preview_of(client, post_id: int, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/admin/posts/{post_id}/preview", headers=headers)


def editor(session: Session, role: Role = Role.EDITOR) -> dict[str, str]:
    return bearer(session, make_user(session, role=role))


def test_a_drafts_preview_shows_it_as_readers_will_see_it(client, session: Session, clock) -> None:
    post = make_post(session, title="Not yet out", body="## Soon\n\nWords.", published=False)

    made = preview_of(client, post.id or 0, editor(session))

    assert made.status_code == 201, made.text
    link = made.json()["data"]
    token = link["token"]
    assert len(token) >= 43  # 256 random bits
    assert link["url"] == f"https://blog.example.com/preview/{token}"
    assert link["expires_at"] == "2026-01-16T12:00:00Z"  # CMS_PREVIEW_HOURS=24 after now
    assert made.headers["cache-control"] == "no-store"
    shown = client.get(link["links"]["self"])
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "private, no-store"
    assert "etag" not in shown.headers
    data = shown.json()["data"]
    assert (data["title"], data["status"]) == ("Not yet out", "draft")
    assert '<h2 id="soon">Soon</h2>' in data["html"]
    assert data["primary_author"]["name"] == post_author_name(session, post.id or 0)
    assert client.get("/api/v1/posts/not-yet-out").status_code == 404  # readers still see nothing


def post_author_name(session: Session, post_id: int) -> str:
    from cms.authors.models import Author
    from cms.linked.models import PostAuthor

    row = session.exec(
        select(Author.name).join(PostAuthor).where(PostAuthor.post_id == post_id)
    ).first()
    return str(row)


def test_only_the_tokens_hash_is_stored(client, session: Session) -> None:
    post = make_post(session, published=False)

    token = preview_of(client, post.id or 0, editor(session)).json()["data"]["token"]

    stored = session.exec(select(PostPreview)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash


@pytest.mark.parametrize(
    ("token", "status"), [("made-up", 404), ("x" * 43, 404), ("a" * 5000, 404), ("%00", 400)]
)
def test_a_made_up_token_is_404(client, token: str, status: int) -> None:
    response = client.get(f"/api/v1/preview/{token}")

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_a_preview_expires(client, session: Session, clock) -> None:
    post = make_post(session, published=False)
    url = preview_of(client, post.id or 0, editor(session)).json()["data"]["links"]["self"]

    clock.advance(hours=23, minutes=59)
    still = client.get(url).status_code
    clock.advance(minutes=2)

    assert (still, client.get(url).status_code) == (200, 404)


def test_unpublishing_deleting_or_ending_them_ends_the_links(client, session: Session) -> None:
    headers = editor(session)
    published = make_post(session, title="Live")
    trashed = make_post(session, title="Trashed", published=False)
    ended = make_post(session, title="Ended", published=False)
    links = {
        post.title: preview_of(client, post.id or 0, headers).json()["data"]["links"]["self"]
        for post in (published, trashed, ended)
    }
    assert all(client.get(url).status_code == 200 for url in links.values())

    client.post(f"/api/v1/admin/posts/{published.id}/unpublish", headers=headers)
    etag = client.get(f"/api/v1/admin/posts/{trashed.id}", headers=headers).headers["etag"]
    client.delete(f"/api/v1/admin/posts/{trashed.id}", headers={**headers, "If-Match": etag})
    revoked = client.delete(f"/api/v1/admin/posts/{ended.id}/preview", headers=headers)

    assert revoked.status_code == 204
    assert {title: client.get(url).status_code for title, url in links.items()} == {
        "Live": 404, "Trashed": 404, "Ended": 404,
    }  # fmt: skip
    assert session.exec(select(PostPreview)).all() == []


def test_a_contributor_previews_their_own_drafts_only(client, session: Session) -> None:
    contributor = make_user(session, role=Role.CONTRIBUTOR)
    headers = bearer(session, contributor)
    own = make_post(session, published=False, author_ids=[contributor.author_id])
    others = make_post(session, published=False, authors=[make_author(session)])

    assert preview_of(client, own.id or 0, headers).status_code == 201
    assert preview_of(client, others.id or 0, headers).status_code == 404
    assert preview_of(client, own.id or 0, {}).status_code == 401
    ending = client.delete(f"/api/v1/admin/posts/{others.id}/preview", headers=headers)
    assert ending.status_code == 404


@pytest.fixture
def cached_settings(settings: Settings) -> Settings:
    settings.response_cache = True
    return settings


def test_no_cache_keeps_a_preview(client, session: Session, cached_settings: Settings) -> None:
    headers = editor(session)
    post = make_post(session, title="Changing", published=False)
    url = preview_of(client, post.id or 0, headers).json()["data"]["links"]["self"]
    first = client.get(url)
    etag = client.get(f"/api/v1/admin/posts/{post.id}", headers=headers).headers["etag"]
    client.patch(
        f"/api/v1/admin/posts/{post.id}",
        json={"title": "Changed"},
        headers={**headers, "If-Match": etag},
    )

    second = client.get(url)

    assert "cms-cache" not in first.headers or first.headers["cms-cache"] != "hit"
    assert second.json()["data"]["title"] == "Changed"


def test_the_preview_page_address_follows_the_setting(client, session: Session, settings) -> None:
    settings.preview_permalink = "/api/draft?secret={token}"
    post = make_post(session, published=False)

    link = preview_of(client, post.id or 0, editor(session)).json()["data"]

    assert link["url"] == f"https://blog.example.com/api/draft?secret={link['token']}"


@pytest.mark.parametrize("pattern", ["/preview", "/preview/{slug}", "/p/{token}/{0}"])
def test_a_preview_permalink_without_just_the_token_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="token"):
        Settings(preview_permalink=pattern)
