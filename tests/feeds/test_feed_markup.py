"""What feed readers decode as HTML carries text as text, and only sanitised markup."""

from xml.etree import ElementTree as ET

from sqlmodel import Session

from tests.factories import bearer, make_post, make_user
from tests.feeds.reading import read_feed

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def publish_through_the_api(client, session: Session, **fields: object) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(session, make_user(session))
    body = {"title": "Scripted", "body": "Plain words."} | fields
    created = client.post("/api/v1/admin/posts", json=body, headers=headers)
    assert created.status_code == 201, created.text
    post_id = created.json()["data"]["id"]
    assert client.post(f"/api/v1/admin/posts/{post_id}/publish", headers=headers).is_success


def test_a_custom_excerpt_reaches_feed_readers_as_text_never_as_markup(
    client, session: Session
) -> None:
    excerpt = '<img src=x onerror=alert(1)> "Fish & chips" <3'
    publish_through_the_api(client, session, excerpt=excerpt)

    raw = ET.fromstring(client.get("/rss.xml").content).findtext("channel/item/description")
    entry = read_feed(client).entries[0]

    # A reader decodes <description> as HTML: what it decodes must be the text, escaped.
    assert raw == '&lt;img src=x onerror=alert(1)&gt; "Fish &amp; chips" &lt;3'
    assert entry.summary_detail.type == "text/html"
    assert "<img" not in entry.summary and "&lt;img src=x onerror=alert(1)&gt;" in entry.summary


def test_whole_posts_in_the_feed_are_sanitised_html(client, session: Session, settings) -> None:
    settings.feed_content = "full"
    post = make_post(session, title="Whole")
    # Stored by something other than the editor's save (an import, an older sanitiser).
    post.html = '<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:x">y</a>'
    session.flush()

    raw = ET.fromstring(client.get("/rss.xml").content).findtext(f"channel/item/{CONTENT}")

    assert raw is not None and "<p>Hi</p>" in raw
    assert "script" not in raw and "onclick" not in raw and "javascript" not in raw
