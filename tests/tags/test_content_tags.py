"""Content API: tags with their published post counts."""

from sqlmodel import Session

from tests.factories import make_post


def test_tags_are_listed_by_name_with_published_post_counts(client, session: Session) -> None:
    make_post(session, tags=["Running", "Recovery"])
    make_post(session, tags=["Running"])
    make_post(session, tags=["Recovery", "Secret"], published=False)

    body = client.get("/api/v1/tags").json()

    assert [(t["name"], t["post_count"]) for t in body["data"]] == [
        ("Recovery", 1),
        ("Running", 2),
    ]  # "Secret" is only on a draft: readers do not learn of it
    assert client.get("/api/v1/tags/secret").status_code == 404
    running = body["data"][1]
    assert running["url"] == "https://blog.example.com/tag/running"
    assert running["links"]["self"] == "http://api.test/api/v1/tags/running"


def test_tag_by_slug_and_unknown_tag(client, session: Session) -> None:
    make_post(session, tags=["Dry Needling"])

    found = client.get("/api/v1/tags/dry-needling")
    assert found.status_code == 200
    assert found.json()["data"]["name"] == "Dry Needling"
    assert found.json()["data"]["post_count"] == 1

    missing = client.get("/api/v1/tags/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["status"] == 404


def test_tags_paginate_and_reject_bad_parameters(client, session: Session) -> None:
    make_post(session, tags=[f"Tag {n:02d}" for n in range(12)])

    body = client.get("/api/v1/tags?limit=5&page=3").json()

    assert [t["name"] for t in body["data"]] == ["Tag 10", "Tag 11"]
    assert body["meta"]["pagination"]["pages"] == 3
    for query, field in [("page=-1", "page"), ("limit=1000", "limit"), ("sort=nope", "sort")]:
        response = client.get(f"/api/v1/tags?{query}")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == field


def test_tags_and_authors_take_fields_like_every_collection(client, session: Session) -> None:
    make_post(session, tags=["Running"])

    tags = client.get("/api/v1/tags?fields=slug,post_count").json()["data"]
    one = client.get("/api/v1/tags/running?fields=name").json()["data"]
    authors = client.get("/api/v1/authors?fields=name").json()["data"]

    assert tags == [{"slug": "running", "post_count": 1}]
    assert one == {"name": "Running"}
    assert list(authors[0]) == ["name"]
    for url in ("/api/v1/tags?fields=nonsense", "/api/v1/authors/anyone?fields=id,secret"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "fields"
