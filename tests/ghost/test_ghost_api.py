"""The Ghost-compatible Content API through HTTP: Ghost's envelopes, fields, parameters and
errors over our posts, authors, tags and site settings."""

import pytest
from sqlmodel import Session

from cms.ghost import keys
from tests.factories import PAST, make_author, make_post

BASE = "/ghost/api/content"


@pytest.fixture
def key(session: Session) -> str:
    return keys.create_key(session, name="Front end", actor=None, now=PAST).key


def ghost(client, path: str, key: str, **params: object):  # type: ignore[no-untyped-def]
    return client.get(f"{BASE}{path}", params={"key": key, **params})


def test_a_browse_has_ghosts_envelope_and_meta(client, session: Session, key: str) -> None:
    for n in range(3):
        make_post(session, title=f"Post {n}", tags=["news"])

    response = ghost(client, "/posts/", key, include="authors,tags", limit=2)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["pagination"] == {
        "page": 1, "limit": 2, "pages": 2, "total": 3, "next": 2, "prev": None,
    }  # fmt: skip
    first = body["posts"][0]
    assert first["title"] == "Post 2"
    assert isinstance(first["id"], str)
    assert first["primary_tag"]["slug"] == "news"
    assert first["primary_author"] == first["authors"][0]
    assert "html" in first and "plaintext" not in first
    assert response.headers["content-version"] == "v6.0"
    assert "content-key-" in response.headers["surrogate-key"]
    assert "etag" in response.headers


def test_a_read_has_no_meta(client, session: Session, key: str) -> None:
    post = make_post(session, title="Only one")

    by_slug = ghost(client, "/posts/slug/only-one/", key, slug="only-one")
    by_id = ghost(client, f"/posts/{post.id}/", key)

    assert by_slug.json() == by_id.json()
    assert list(by_slug.json()) == ["posts"]
    assert by_slug.json()["posts"][0]["slug"] == "only-one"


def test_filters_select_posts(client, session: Session, key: str) -> None:
    make_post(session, title="Alpha", tags=["news", "tech"], featured=True)
    make_post(session, title="Beta", tags=["tech"])
    make_post(session, title="Gamma", tags=["life"])

    def titles(text: str) -> list[str]:
        response = ghost(client, "/posts/", key, filter=text, order="title asc")
        assert response.status_code == 200, response.text
        return [post["title"] for post in response.json()["posts"]]

    assert titles("tag:tech") == ["Alpha", "Beta"]
    assert titles("tag:-tech") == ["Gamma"]
    assert titles("primary_tag:tech") == ["Beta"]
    assert titles("featured:true") == ["Alpha"]
    assert titles("tag:[news,life]") == ["Alpha", "Gamma"]
    assert titles("tag:tech+featured:false,tag:life") == ["Beta", "Gamma"]
    assert titles("title:~'ph'") == ["Alpha"]
    assert titles("published_at:>now-30d") == []
    assert titles("visibility:public+slug:-beta") == ["Alpha", "Gamma"]


@pytest.mark.parametrize(
    "text",
    ["(tag:a", "tag:a)", "nope:1", "title:'x'; DROP TABLE posts;--", "x" * 10_000,
     "(" * 1000 + "tag:a" + ")" * 1000, "featured:maybe", "published_at:>'soon'", "id:abc",
     "id:" + "9" * 30, "published_at:>now-99999999999y", "published_at:>now+99999999999d",
     "title:>now-1d", "tag:~news", "slug:~'x'+author:>[a,b]", "featured:~'true'"],
)  # fmt: skip
def test_bad_filters_are_ghosts_bad_request(client, key: str, text: str) -> None:
    response = ghost(client, "/posts/", key, filter=text)

    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["type"] == "BadRequestError"
    assert error["message"] == "Request not understood error, cannot list posts."


@pytest.mark.parametrize(("name", "value"), [("limit", "0"), ("limit", "-1"), ("limit", "abc"),
                                             ("page", "0"), ("formats", "pdf")])  # fmt: skip
def test_bad_paging_is_ghosts_validation_error(client, key: str, name: str, value: str) -> None:
    response = ghost(client, "/posts/", key, **{name: value})

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "ValidationError"


def test_keys_are_checked_in_ghosts_shape(client, session: Session, key: str) -> None:
    missing = client.get(f"{BASE}/posts/")
    wrong = ghost(client, "/posts/", "a" * 25)
    unknown = ghost(client, "/posts/", "0" * 26)

    assert missing.status_code == 403
    assert missing.json()["errors"][0]["type"] == "NoPermissionError"
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["errors"][0]["type"] == "UnauthorizedError"
        assert "no-store" in response.headers["cache-control"]


def test_authors_and_tags_with_counts(client, session: Session, key: str) -> None:
    writer = make_author(session, name="Jo Goh", slug="jo")
    make_post(session, title="One", tags=["news"], authors=[writer])
    make_post(session, title="Two", tags=["news"], authors=[writer])

    authors = ghost(client, "/authors/", key, include="count.posts").json()
    tag = ghost(client, "/tags/slug/news/", key, include="count.posts").json()

    assert authors["authors"][0]["count"] == {"posts": 2}
    assert authors["authors"][0]["slug"] == "jo"
    assert tag["tags"][0]["count"] == {"posts": 2}
    assert "meta" not in tag


def test_pages_are_empty_and_settings_come_from_the_site(client, key: str) -> None:
    pages = ghost(client, "/pages/", key).json()
    settings = ghost(client, "/settings/", key).json()

    assert pages["pages"] == [] and pages["meta"]["pagination"]["total"] == 0
    assert settings["settings"]["title"] == "cms"
    assert settings["settings"]["url"] == "https://blog.example.com/"
    assert ghost(client, "/pages/slug/about/", key).status_code == 404


def test_a_browse_costs_the_same_statements_for_2_posts_as_for_15(
    client, session: Session, key: str, count_queries
) -> None:
    for n in range(15):
        make_post(session, title=f"Post {n}", tags=[f"tag {n}", "shared"])

    def statements(limit: int) -> int:
        start = count_queries.count
        response = ghost(client, "/posts/", key, include="authors,tags", limit=limit)
        assert len(response.json()["posts"]) == limit
        return len(count_queries.reads_since(start))

    assert statements(2) == statements(15) <= 6


def test_a_post_has_ghosts_fields_in_ghosts_order(client, session: Session, key: str) -> None:
    make_post(session, title="Shaped", excerpt="Short.", og_title="For cards")

    plain = ghost(client, "/posts/slug/shaped/", key).json()["posts"][0]
    both = ghost(client, "/posts/slug/shaped/", key, formats="html,plaintext").json()["posts"][0]
    narrow = ghost(client, "/posts/slug/shaped/", key, fields="title,url").json()["posts"][0]

    assert list(plain)[:6] == ["id", "uuid", "title", "slug", "html", "comment_id"]
    assert "tags" not in plain and "primary_author" not in plain  # only when included
    assert (plain["uuid"], plain["codeinjection_head"], plain["visibility"]) == (
        None,
        None,
        "public",
    )
    assert (plain["custom_excerpt"], plain["excerpt"], plain["og_title"]) == (
        "Short.",
        "Short.",
        "For cards",
    )
    assert plain["url"] == "https://blog.example.com/post/shaped"
    assert both["plaintext"].startswith("Some words")
    assert narrow == {"title": "Shaped", "url": "https://blog.example.com/post/shaped"}


def test_answers_are_public_for_any_origin_and_tagged_with_their_key(
    client, session: Session
) -> None:
    made = keys.create_key(session, name="Tagged", actor=None, now=PAST)
    post = make_post(session, title="Tagged post")

    response = client.get(
        f"{BASE}/posts/", params={"key": made.key}, headers={"Origin": "https://site.example"}
    )

    assert response.headers["access-control-allow-origin"] == "*"
    assert "public" in response.headers["cache-control"]
    shown = response.headers["surrogate-key"].split()
    assert {f"content-key-{made.record.id}", f"post-{post.id}", "posts"} <= set(shown)
    again = client.get(
        f"{BASE}/posts/",
        params={"key": made.key},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_a_revoked_key_is_refused(client, session: Session) -> None:
    made = keys.create_key(session, name="Old", actor=None, now=PAST)
    keys.revoke_key(session, key_id=made.record.id or 0, actor=None, now=PAST)

    response = ghost(client, "/posts/", made.key)

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Unknown Content API Key"


def test_any_accept_version_is_answered_with_ghosts_content_version(client, key: str) -> None:
    for asked in ("v5.0", "v6.0", "v5.78"):
        response = client.get(
            f"{BASE}/posts/", params={"key": key}, headers={"Accept-Version": asked}
        )
        assert response.status_code == 200
        assert response.headers["content-version"] == "v6.0"


def test_a_path_without_its_slash_is_sent_to_it_and_unknown_ones_are_ghosts_404(
    client, key: str
) -> None:
    moved = client.get(f"{BASE}/posts", params={"key": key}, follow_redirects=False)
    tiers = ghost(client, "/tiers/", key)

    assert moved.status_code == 308
    assert moved.headers["location"] == f"http://api.test{BASE}/posts/?key={key}"
    assert tiers.status_code == 404
    assert tiers.json()["errors"][0]["type"] == "NotFoundError"


def test_settings_follow_the_sites_settings(client, session: Session, key: str) -> None:
    from cms.users.models import Role
    from tests.factories import bearer, make_user

    admin = bearer(session, make_user(session, role=Role.ADMIN))
    client.patch("/api/v1/admin/site", json={"title": "Posture Lab", "language": "de",
                 "navigation": [{"label": "Home", "url": "/"}]}, headers=admin)  # fmt: skip

    shown = ghost(client, "/settings/", key).json()["settings"]

    assert (shown["title"], shown["lang"], shown["locale"]) == ("Posture Lab", "de", "de")
    assert shown["navigation"] == [{"label": "Home", "url": "/"}]
    assert shown["members_enabled"] is False and shown["secondary_navigation"] == []


def test_a_plus_typed_into_a_filter_by_hand_is_and(client, session: Session, key: str) -> None:
    make_post(session, title="Both", tags=["news"], featured=True)
    make_post(session, title="News only", tags=["news"])

    typed = client.get(f"{BASE}/posts/?key={key}&filter=tag:news+featured:true&order=title+asc")
    encoded = ghost(client, "/posts/", key, filter="tag:news+featured:true", order="title asc")

    assert typed.status_code == 200, typed.text
    assert [post["title"] for post in typed.json()["posts"]] == ["Both"]
    assert typed.json() == encoded.json()


@pytest.mark.parametrize(
    "path",
    ["/posts/2147483648/", "/tags/99999999999999999999/", "/authors/1e5/", "/posts/-1/",
     "/posts/slug/" + "a" * 192 + "/", "/pages/1/"],
)  # fmt: skip
def test_reads_of_what_cannot_exist_are_ghosts_404(client, key: str, path: str) -> None:
    response = ghost(client, path, key)

    assert response.status_code == 404, response.text
    assert response.json()["errors"][0]["type"] == "NotFoundError"


@pytest.mark.parametrize(
    "text",
    ["id:2147483648", "tags.id:[1,2147483648]", "featured:>true", "featured:>=false",
     "visibility:>public", "published_at:'9999-12-31T23:59:59-12:00'",
     "published_at:'0001-01-01T00:00:00+01:00'", "title:[null,xy]"],
)  # fmt: skip
def test_filters_no_row_could_meet_are_refused_not_failed(client, key: str, text: str) -> None:
    response = ghost(client, "/posts/", key, filter=text)

    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["type"] == "BadRequestError"


@pytest.mark.parametrize(("name", "value"), [("limit", "9" * 5000), ("page", "9" * 5000),
                                             ("page", "1" + "0" * 7)])  # fmt: skip
def test_huge_numbers_in_paging_are_validation_errors(
    client, key: str, name: str, value: str
) -> None:
    response = ghost(client, "/posts/", key, **{name: value})

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "ValidationError"


def test_refusals_before_the_route_are_in_ghosts_shape_too(client, key: str) -> None:
    repeated = client.get(f"{BASE}/posts/?key={key}&limit=1&limit=2")
    posted = client.post(f"{BASE}/posts/?key={key}")
    nul = client.get(f"{BASE}/tags/slug/%00/?key={key}")

    assert repeated.status_code == 400
    assert repeated.json()["errors"][0]["type"] == "BadRequestError"
    assert posted.status_code == 405
    assert posted.json()["errors"][0]["type"] == "MethodNotAllowedError"
    assert "GET" in posted.headers["allow"]
    assert nul.status_code == 400 and nul.json()["errors"][0]["type"] == "BadRequestError"
    assert client.get("/api/v1/posts?limit=1&limit=2").json()["status"] == 400  # ours: RFC 9457


def test_ghosts_own_filter_fields_status_and_type_are_taken(
    client, session: Session, key: str
) -> None:
    make_post(session, title="Live")

    for text in ("status:published", "type:post", "status:published+visibility:public"):
        assert len(ghost(client, "/posts/", key, filter=text).json()["posts"]) == 1
    assert ghost(client, "/posts/", key, filter="status:draft").json()["posts"] == []
    assert ghost(client, "/pages/", key, filter="nope:1").status_code == 400


def test_a_format_named_in_fields_is_sent(client, session: Session, key: str) -> None:
    make_post(session, title="Words", body="Some plain words.")

    shown = ghost(client, "/posts/", key, fields="title,plaintext").json()["posts"][0]

    assert shown == {"title": "Words", "plaintext": "Some plain words."}
