"""SEO fields: what a post tells search engines and social networks, written by editors and
shown by the Content API (null until set)."""

import pytest
from sqlmodel import Session

from cms.posts.models import SEO_FIELDS
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user

POSTS = "/api/v1/admin/posts"
SEO = {
    "meta_title": "Sit up straight: a guide",
    "meta_description": "How to sit, in five steps.",
    "canonical_url": "https://elsewhere.example/sitting",
    "og_image": "https://cdn.example.com/og.png",
    "og_title": "Sit up!",
    "og_description": "Five steps to a better back.",
    "twitter_image": "/media/card.png",
    "twitter_title": "Sit up, Twitter",
    "twitter_description": "Five steps.",
}


def editor(session: Session) -> dict[str, str]:
    return bearer(session, make_user(session, role=Role.EDITOR))


def test_seo_fields_are_null_until_written(client, session: Session) -> None:
    make_post(session, slug="plain")

    single = client.get("/api/v1/posts/plain").json()["data"]
    listed = client.get("/api/v1/posts").json()["data"][0]

    assert {name: single[name] for name in SEO_FIELDS} == dict.fromkeys(SEO_FIELDS)
    assert {name: listed[name] for name in SEO_FIELDS} == dict.fromkeys(SEO_FIELDS)


def test_an_editor_writes_seo_fields_and_readers_see_them(client, session: Session) -> None:
    headers = editor(session)
    created = client.post(POSTS, json={"title": "Sitting", **SEO}, headers=headers)
    post_id = created.json()["data"]["id"]
    assert {name: created.json()["data"][name] for name in SEO} == SEO
    client.post(f"{POSTS}/{post_id}/publish", headers=headers)

    shown = client.get("/api/v1/posts/sitting").json()["data"]
    listed = client.get("/api/v1/posts", params={"fields": "slug,og_title"}).json()["data"]

    assert {name: shown[name] for name in SEO} == SEO
    assert listed == [{"slug": "sitting", "og_title": "Sit up!"}]


def test_an_edit_clears_an_seo_field_with_null_or_empty_text(client, session: Session) -> None:
    headers = editor(session)
    created = client.post(POSTS, json={"title": "Sitting", **SEO}, headers=headers)
    url, etag = f"{POSTS}/{created.json()['data']['id']}", created.headers["etag"]

    edited = client.patch(
        url, json={"og_title": None, "meta_title": " "}, headers={**headers, "If-Match": etag}
    )

    data = edited.json()["data"]
    assert (data["og_title"], data["meta_title"]) == (None, None)
    assert data["og_description"] == SEO["og_description"]  # what was not sent stays
    assert data["version"] == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("meta_title", "x" * 301),
        ("meta_description", "x" * 501),
        ("og_title", 12),
        ("canonical_url", "javascript:alert(1)"),
        ("og_image", "ftp://example.com/a.png"),
        ("twitter_image", "https://example.com/" + "a" * 2000),
        ("twitter_description", "nul\x00"),
    ],
)
def test_bad_seo_fields_are_refused_naming_the_field(
    client, session: Session, field: str, value: object
) -> None:
    response = client.post(POSTS, json={"title": "Sitting", field: value}, headers=editor(session))

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
