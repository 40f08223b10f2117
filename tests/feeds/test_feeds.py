"""RSS and sitemap: valid XML (parsed back), absolute links, escaped text, cacheable."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import Session

from cms.feeds import sitemap
from tests.factories import make_author, make_post

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}creator"
DAY_ONE = datetime(2025, 1, 1, 9, tzinfo=UTC)


def publish_many(session: Session, count: int) -> None:
    author = make_author(session, name="Jo Goh")
    for n in range(count):
        make_post(
            session,
            title=f"Post {n:02d}",
            authors=[author],
            tags=["Running"],
            published_at=DAY_ONE + timedelta(days=n),
            now=DAY_ONE - timedelta(days=1),  # written before any went out
        )


def test_the_feed_has_the_latest_20_published_posts_newest_first(client, session: Session) -> None:
    publish_many(session, 22)
    make_post(session, title="A draft", published=False)
    make_post(session, title="Scheduled", published_at=datetime(2030, 1, 1, tzinfo=UTC))

    response = client.get("/rss.xml")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml"
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [f"Post {n:02d}" for n in range(21, 1, -1)]
    first = items[0]
    assert first.findtext("link") == "https://blog.example.com/post/post-21"
    guid = first.find("guid")
    assert guid is not None and guid.get("isPermaLink") == "false"  # ids, not addresses
    assert parsedate_to_datetime(first.findtext("pubDate") or "") == DAY_ONE + timedelta(days=21)
    assert first.findtext(DC) == "Jo Goh" and first.findtext("category") == "Running"
    assert (first.findtext("description") or "").startswith("Some words for post")
    assert first.find(CONTENT) is None  # excerpts unless the setting says "full"
    assert channel.findtext("link") == "https://blog.example.com/"


def test_the_feed_escapes_what_editors_write(client, session: Session) -> None:
    make_post(session, title='Tips & tricks: <b>"bold"</b> moves', body="Fish & chips <3")

    item = ET.fromstring(client.get("/rss.xml").content).find("channel/item")

    assert item is not None
    assert item.findtext("title") == 'Tips & tricks: <b>"bold"</b> moves'
    # <description> is HTML to readers: the plain-text excerpt is escaped as HTML text.
    assert item.findtext("description") == "Fish &amp; chips &lt;3"


def test_the_feed_can_carry_whole_posts(client, session: Session, settings) -> None:
    settings.feed_content = "full"
    make_post(session, title="Whole", body="# Heading\n\nAll *of* it.")

    item = ET.fromstring(client.get("/rss.xml").content).find("channel/item")

    assert item is not None
    assert "<em>of</em>" in (item.findtext(CONTENT) or "")


def test_feeds_are_cacheable(client, session: Session) -> None:
    publish_many(session, 2)
    for path in ("/rss.xml", "/sitemap.xml"):
        first = client.get(path)
        assert first.headers["cache-control"].startswith("public, max-age=60")
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
    feed = client.get("/rss.xml")
    assert feed.headers["last-modified"] == "Thu, 02 Jan 2025 09:00:00 GMT"


def test_an_empty_site_has_an_empty_feed_and_sitemap(client) -> None:
    feed = ET.fromstring(client.get("/rss.xml").content)
    urls = ET.fromstring(client.get("/sitemap.xml").content)

    assert feed.findall("channel/item") == [] and list(urls) == []


def locations(body: bytes) -> list[str]:
    return [loc.text or "" for loc in ET.fromstring(body).iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_published_posts_and_their_authors_and_tags(
    client, session: Session
) -> None:
    publish_many(session, 2)
    make_post(session, title="A draft", published=False, tags=["Secret"])

    response = client.get("/sitemap.xml")

    assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    assert locations(response.content) == [
        "https://blog.example.com/post/post-00",
        "https://blog.example.com/post/post-01",
        "https://blog.example.com/author/jo-goh",
        "https://blog.example.com/tag/running",
    ]
    lastmods = [url.findtext(f"{SITEMAP}lastmod") for url in root]
    assert lastmods[0] == "2025-01-01T09:00:00Z" and lastmods[1] == "2025-01-02T09:00:00Z"
    assert all(lastmod and lastmod.endswith("Z") for lastmod in lastmods)


def test_a_big_site_gets_a_sitemap_index(
    client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemap, "PER_FILE", 2)
    publish_many(session, 3)

    index = client.get("/sitemap.xml")

    assert ET.fromstring(index.content).tag == f"{SITEMAP}sitemapindex"
    files = locations(index.content)
    assert files == [
        "http://api.test/sitemap-posts-1.xml",
        "http://api.test/sitemap-posts-2.xml",
        "http://api.test/sitemap-authors.xml",
        "http://api.test/sitemap-tags.xml",
    ]
    pages = [locations(client.get(file.removeprefix("http://api.test")).content) for file in files]
    assert pages == [
        ["https://blog.example.com/post/post-00", "https://blog.example.com/post/post-01"],
        ["https://blog.example.com/post/post-02"],
        ["https://blog.example.com/author/jo-goh"],
        ["https://blog.example.com/tag/running"],
    ]
    assert client.get("/sitemap-posts-3.xml").status_code == 404
    assert client.get("/sitemap-posts-0.xml").status_code == 400
