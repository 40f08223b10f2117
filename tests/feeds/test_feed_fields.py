"""What feed readers read from the channel and its items: language, description, images, guids."""

import pytest
from sqlmodel import Session

from cms.config import Settings
from tests.factories import bearer, make_post, make_user
from tests.feeds.reading import read_feed


def test_the_channel_says_its_language_and_describes_itself(client, settings) -> None:
    settings.site_title = "Posture Lab"

    feed = read_feed(client).feed

    assert feed.language == "en"
    # Without a configured description, one that is not merely the title again.
    assert feed.subtitle == "The latest posts from Posture Lab"


def test_the_channel_uses_the_configured_language_and_description(client, settings) -> None:
    settings.site_language = "de-AT"
    settings.site_description = "Aufrecht durchs Leben."

    feed = read_feed(client).feed

    assert feed.language == "de-AT" and feed.subtitle == "Aufrecht durchs Leben."


@pytest.mark.parametrize("language", ["", "english please", "e", "en_US"])
def test_a_language_that_is_not_a_language_tag_is_refused_at_start(language: str) -> None:
    with pytest.raises(ValueError, match="site_language"):
        Settings(site_language=language)


def test_each_item_carries_its_feature_image_as_an_absolute_media_url(
    client, session: Session
) -> None:
    make_post(session, title="Relative", feature_image="/content/images/desk.jpg")
    make_post(session, title="Absolute", feature_image="https://cdn.example.com/chair.png")
    make_post(session, title="None")
    # Written straight into the row: the Admin API refuses such an address.
    make_post(session, title="Script").feature_image = "javascript:alert(1)"
    session.flush()

    entries = {entry.title: entry for entry in read_feed(client).entries}

    assert entries["Relative"].media_content == [
        {"url": "https://blog.example.com/content/images/desk.jpg", "medium": "image"}
    ]
    assert entries["Absolute"].media_content == [
        {"url": "https://cdn.example.com/chair.png", "medium": "image"}
    ]
    assert "media_content" not in entries["None"]
    assert "media_content" not in entries["Script"]  # only http(s) images are offered


def test_a_guid_is_not_the_permalink_and_survives_a_slug_change(client, session: Session) -> None:
    post = make_post(session, title="Old name")
    before = read_feed(client).entries[0]
    headers = bearer(session, make_user(session))
    url = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]

    renamed = client.patch(url, json={"slug": "new-name"}, headers={**headers, "If-Match": etag})
    after = read_feed(client).entries[0]

    assert renamed.status_code == 200
    assert before.link.endswith("/post/old-name") and after.link.endswith("/post/new-name")
    assert after.id == before.id == f"{post.id}-20250601090000"  # id and creation time
    assert after.guidislink is False
