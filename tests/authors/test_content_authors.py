"""Content API: authors with their published post counts."""

from sqlmodel import Session

from tests.factories import make_author, make_post


def test_authors_are_listed_by_name_with_published_post_counts(client, session: Session) -> None:
    jo = make_author(session, name="Jo Goh", website="https://jo.example")
    amy = make_author(session, name="Amy Adams")
    make_post(session, authors=[jo])
    make_post(session, authors=[jo, amy])
    make_post(session, authors=[amy], published=False)

    body = client.get("/api/v1/authors").json()

    assert [(a["name"], a["post_count"]) for a in body["data"]] == [("Amy Adams", 1), ("Jo Goh", 2)]
    assert body["meta"]["pagination"]["total"] == 2
    jo_out = body["data"][1]
    assert jo_out["url"] == "https://blog.example.com/author/jo-goh"
    assert jo_out["links"]["self"] == "http://api.test/api/v1/authors/jo-goh"
    assert jo_out["website"] == "https://jo.example"


def test_authors_sort_by_post_count(client, session: Session) -> None:
    busy, quiet = make_author(session, name="Busy"), make_author(session, name="Quiet")
    make_post(session, authors=[busy])
    make_post(session, authors=[busy])
    make_post(session, authors=[quiet])

    names = [a["name"] for a in client.get("/api/v1/authors?sort=-post_count").json()["data"]]

    assert names == ["Busy", "Quiet"]


def test_authors_with_nothing_published_are_not_shown_to_readers(client, session: Session) -> None:
    drafting = make_author(session, name="Still Drafting")
    make_post(session, authors=[drafting], published=False)

    assert client.get("/api/v1/authors").json()["data"] == []
    assert client.get("/api/v1/authors/still-drafting").status_code == 404


def test_author_by_slug(client, session: Session) -> None:
    jo = make_author(session, name="Jo Goh", bio="Physio.")
    make_post(session, authors=[jo])

    response = client.get("/api/v1/authors/jo-goh")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == "Jo Goh" and data["bio"] == "Physio." and data["post_count"] == 1


def test_unknown_author_is_404_and_bad_sort_is_400(client) -> None:
    missing = client.get("/api/v1/authors/nobody")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"

    bad = client.get("/api/v1/authors?sort=password")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "sort"
    assert client.get("/api/v1/authors?limit=0").status_code == 400
