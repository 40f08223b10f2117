"""Reading /rss.xml as subscribers do: with a strict XML parser, then with feedparser."""

from xml.etree import ElementTree as ET

import feedparser
from fastapi.testclient import TestClient


def read_feed(client: TestClient) -> feedparser.FeedParserDict:
    """The served feed as feedparser reads it, after checking it is well-formed XML."""
    response = client.get("/rss.xml")
    assert response.status_code == 200
    ET.fromstring(response.content)  # expat: raises on anything that is not well-formed
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed
