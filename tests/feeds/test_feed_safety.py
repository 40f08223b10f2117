"""Feeds and sitemaps stay well-formed XML whatever the database or the environment holds."""

from xml.etree import ElementTree as ET

from sqlmodel import Session, select

from cms.tags.models import Tag
from tests.factories import make_author, make_post
from tests.feeds.reading import read_feed

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
# Characters XML 1.0 cannot carry, not even escaped, that a database stores without a murmur.
BAD = "\u0007\u001b\u0008\u000b\u000c\ufffe\uffff"


def test_characters_xml_cannot_hold_are_left_out_of_the_feed_and_sitemap(
    client, session: Session
) -> None:
    # Written straight into the database, as an older version or an import might have.
    author = make_author(session, name="Jo Goh")
    post = make_post(session, authors=[author], tags=["Running"])
    post.title = f"Bell{BAD} and escape"
    post.excerpt = f"An{BAD} excerpt"
    post.slug = f"bell{BAD}-post"
    author.name = f"Jo{BAD} Goh"
    author.slug = f"jo{BAD}-goh"
    tag = session.exec(select(Tag).where(Tag.name == "Running")).one()
    tag.name, tag.slug = f"Run{BAD}ning", f"run{BAD}ning"
    session.flush()

    entry = read_feed(client).entries[0]

    assert entry.title == "Bell and escape"
    assert entry.summary == "An excerpt"
    assert entry.author == "Jo Goh"
    assert [tag.term for tag in entry.tags] == ["Running"]
    assert entry.link == "https://blog.example.com/post/bell-post"
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [loc.text for loc in ET.fromstring(response.content).iter(SITEMAP)]
    assert locations == [
        "https://blog.example.com/post/bell-post",
        "https://blog.example.com/author/jo-goh",
        "https://blog.example.com/tag/running",
    ]


def test_settings_read_from_a_badly_encoded_environment_cannot_break_the_feed(
    client, session: Session, settings
) -> None:
    # Python reads undecodable environment bytes as lone surrogates (surrogateescape):
    # CMS_SITE_TITLE=$'caf\xe9' is "caf\udce9", which UTF-8 cannot even encode.
    settings.site_title = "caf\udce9"
    settings.site_description = "nul\x00 and \ud800 lone"
    make_post(session)

    feed = read_feed(client).feed

    assert feed.title == "caf" and feed.subtitle == "nul and  lone"
