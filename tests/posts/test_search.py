"""Full-text search: every word must match, stemmed; best matches first; kept in step with
edits by the database; and no text a reader types is ever a syntax error."""

import pytest
from sqlmodel import Session

from cms.users.models import Role
from tests.factories import bearer, make_post, make_user


def found(client, q: str, **params: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/posts", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [post["title"] for post in response.json()["data"]]


def test_every_word_must_match_in_the_title_excerpt_or_text(client, session: Session) -> None:
    make_post(session, title="Shoulder pain", body="Reaching overhead hurts.")
    make_post(session, title="Knee pain", body="Cyclists and saddles.", excerpt="For riders.")

    assert sorted(found(client, "pain")) == ["Knee pain", "Shoulder pain"]
    assert found(client, "SADDLES") == ["Knee pain"]
    assert found(client, "riders") == ["Knee pain"]  # the excerpt
    assert found(client, "pain overhead") == ["Shoulder pain"]
    assert found(client, "pain elbow") == []


def test_words_are_stemmed_and_case_folded_beyond_ascii(client, session: Session) -> None:
    make_post(session, title="Running injuries", body="Über-long runs hurt knees.")

    assert found(client, "run") == ["Running injuries"]
    assert found(client, "injury") == ["Running injuries"]
    assert found(client, "über") == ["Running injuries"]
    assert found(client, "ÜBER") == ["Running injuries"]


def test_best_matches_come_first_unless_a_sort_is_asked_for(client, session: Session) -> None:
    make_post(session, title="A day out", body="We walked, then talked about needling.")
    make_post(session, title="Dry needling explained", body="Needling, needling, needling.")

    assert found(client, "needling") == ["Dry needling explained", "A day out"]
    assert found(client, "needling", sort="title") == ["A day out", "Dry needling explained"]


def test_every_page_of_a_search_counts_all_its_matches(client, session: Session) -> None:
    for title in ("Knee pain", "Knee braces", "Knee surgery", "Elbow pain"):
        make_post(session, title=title)
    make_post(session, title="Knee draft", published=False)

    def pagination(q: str, **params: object) -> dict[str, object]:
        response = client.get("/api/v1/posts", params={"q": q, "limit": 2, **params})
        assert response.status_code == 200, response.text
        body = response.json()
        return {"shown": len(body["data"]), **body["meta"]["pagination"]}

    assert pagination("knee") == {"shown": 2, "page": 1, "limit": 2, "total": 3, "pages": 2,
                                  "next": 2, "prev": None}  # fmt: skip
    assert pagination("knee", page=2, sort="title")["shown"] == 1
    assert pagination("knee", page=2, sort="title")["total"] == 3
    assert pagination("knee", page=9) | {"prev": None} == {
        "shown": 0, "page": 9, "limit": 2, "total": 3, "pages": 2, "next": None, "prev": None
    }  # fmt: skip
    assert pagination("ankle")["total"] == pagination("ankle", page=2)["total"] == 0
    assert pagination("?!")["total"] == 0


def test_search_follows_edits_and_publication(client, session: Session) -> None:
    post = make_post(session, title="Old words")
    make_post(session, title="Hidden words", published=False)
    editor = bearer(session, make_user(session, role=Role.EDITOR))
    etag = client.get(f"/api/v1/admin/posts/{post.id}", headers=editor).headers["etag"]

    client.patch(
        f"/api/v1/admin/posts/{post.id}",
        json={"title": "Fresh words"},
        headers={**editor, "If-Match": etag},
    )

    assert found(client, "fresh") == ["Fresh words"]
    assert found(client, "old") == []
    assert found(client, "hidden") == []
    admin = client.get("/api/v1/admin/posts", params={"q": "hidden"}, headers=editor).json()
    assert [p["title"] for p in admin["data"]] == ["Hidden words"]


@pytest.mark.parametrize(
    "q",
    [
        '"unterminated',
        "pain AND OR NOT",
        "NEAR(pain knee)",
        "title:pain",
        "pain*",
        "^pain",
        "-pain +knee",
        "'; DROP TABLE posts; --",
        "!!! ??? ...",
        "()",
        "\\",
        "%_%",
    ],
)
def test_no_text_is_a_syntax_error(client, session: Session, q: str) -> None:
    make_post(session, title="Knee pain")

    response = client.get("/api/v1/posts", params={"q": q})

    assert response.status_code == 200
    titles = [post["title"] for post in response.json()["data"]]
    assert titles in ([], ["Knee pain"])


def test_too_long_a_search_is_400(client) -> None:
    response = client.get("/api/v1/posts", params={"q": "pain " * 2000})

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "q"
