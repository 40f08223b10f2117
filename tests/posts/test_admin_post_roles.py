"""What contributors and authors may do with their own posts (editors and up: any post)."""

from sqlmodel import Session

from cms.authors.models import Author
from cms.users.models import Role
from tests.factories import bearer, make_author, make_post, make_user

POSTS = "/api/v1/admin/posts"


def etag(client, url: str, headers: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**headers, "If-Match": client.get(url, headers=headers).headers["etag"]}


def test_contributor_writes_and_edits_own_drafts_but_cannot_publish(
    client, session: Session
) -> None:
    headers = bearer(session, make_user(session, role=Role.CONTRIBUTOR))
    created = client.post(POSTS, json={"title": "My draft"}, headers=headers)
    url = f"{POSTS}/{created.json()['data']['id']}"

    edited = client.patch(url, json={"body": "More words."}, headers=etag(client, url, headers))
    publish = client.post(f"{url}/publish", headers=headers)

    assert created.status_code == 201 and edited.status_code == 200
    assert publish.status_code == 403
    assert "Contributors cannot publish" in publish.json()["detail"]
    assert client.get(url, headers=headers).json()["data"]["status"] == "draft"


def test_contributor_cannot_change_own_post_once_published(client, session: Session) -> None:
    user = make_user(session, role=Role.CONTRIBUTOR)
    headers = bearer(session, user)
    post = make_post(
        session,
        title="Went live",
        authors=[session.get_one(Author, user.author_id)],
    )
    url = f"{POSTS}/{post.id}"

    assert client.get(url, headers=headers).status_code == 200  # may see it
    edit = client.patch(url, json={"title": "Changed"}, headers=etag(client, url, headers))
    delete = client.delete(url, headers=etag(client, url, headers))
    assert edit.status_code == delete.status_code == 403
    assert client.post(f"{url}/unpublish", headers=headers).status_code == 403


def test_author_publishes_and_edits_own_posts_only(client, session: Session) -> None:
    author_user = make_user(session, role=Role.AUTHOR)
    headers = bearer(session, author_user)
    mine = client.post(POSTS, json={"title": "Mine"}, headers=headers).json()["data"]
    theirs = make_post(session, title="Theirs", published=False)

    published = client.post(f"{POSTS}/{mine['id']}/publish", headers=headers)
    assert published.status_code == 200 and published.json()["data"]["status"] == "published"
    assert client.get("/api/v1/posts/mine").status_code == 200
    mine_url = f"{POSTS}/{mine['id']}"
    edited = client.patch(
        mine_url, json={"title": "Mine, edited"}, headers=etag(client, mine_url, headers)
    )
    assert edited.status_code == 200
    theirs_url = f"{POSTS}/{theirs.id}"
    assert client.get(theirs_url, headers=headers).status_code == 404
    assert client.post(f"{theirs_url}/publish", headers=headers).status_code == 404
    assert client.get("/api/v1/admin/trash", headers=headers).status_code == 403


def test_co_authored_post_is_own_for_each_author(client, session: Session) -> None:
    author_user = make_user(session, role=Role.AUTHOR)
    byline = session.get_one(Author, author_user.author_id)
    post = make_post(
        session, title="Together", authors=[make_author(session), byline], published=False
    )

    response = client.post(f"{POSTS}/{post.id}/publish", headers=bearer(session, author_user))

    assert response.status_code == 200


def test_below_editor_the_list_shows_only_own_posts(client, session: Session) -> None:
    contributor = make_user(session, role=Role.CONTRIBUTOR)
    headers = bearer(session, contributor)
    client.post(POSTS, json={"title": "Mine"}, headers=headers)
    make_post(session, title="Someone else's")

    titles = [p["title"] for p in client.get(POSTS, headers=headers).json()["data"]]
    editor_titles = [
        p["title"]
        for p in client.get(
            POSTS, headers=bearer(session, make_user(session, role=Role.EDITOR))
        ).json()["data"]
    ]

    assert titles == ["Mine"]
    assert sorted(editor_titles) == ["Mine", "Someone else's"]
