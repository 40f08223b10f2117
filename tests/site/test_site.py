"""Site settings: what front ends show of the site as a whole, set by admins over the
server's defaults, read by anyone at GET /api/v1/site, and used by the RSS feed."""

import pytest
from sqlmodel import Session, select

from cms.audit.models import AuditEvent
from cms.site.models import SiteSettings
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user

SITE = "/api/v1/admin/site"


def admin(session: Session) -> dict[str, str]:
    return bearer(session, make_user(session, role=Role.ADMIN))


def test_the_site_shows_the_servers_defaults_until_an_admin_sets_them(client, settings) -> None:
    response = client.get("/api/v1/site")

    assert response.status_code == 200
    assert response.json()["data"] == {
        "title": "cms",
        "description": "",
        "logo": None,
        "icon": None,
        "accent_color": None,
        "language": "en",
        "timezone": "Etc/UTC",
        "url": "https://blog.example.com",
        "navigation": [],
        "links": {"self": "http://api.test/api/v1/site"},
    }
    assert "max-age=" in response.headers["cache-control"]
    assert response.headers["surrogate-key"] == "site"


def test_an_admin_sets_the_site_and_readers_see_it(client, session: Session) -> None:
    change = {
        "title": "Posture Lab",
        "description": "Standing up straight, weekly.",
        "logo": "https://cdn.example.com/logo.png",
        "icon": "/media/icon.png",
        "accent_color": "#FF1A75",
        "language": "de-AT",
        "timezone": "Europe/Vienna",
        "navigation": [{"label": "Home", "url": "/"}, {"label": "About", "url": "/about"}],
    }

    changed = client.patch(SITE, json=change, headers=admin(session))

    assert changed.status_code == 200, changed.text
    assert changed.headers["cache-control"] == "no-store"
    shown = client.get("/api/v1/site").json()["data"]
    assert shown == {
        **change,
        "accent_color": "#ff1a75",  # kept in one spelling
        "url": "https://blog.example.com",
        "links": {"self": "http://api.test/api/v1/site"},
    }
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "site.update")).one()
    assert audited.summary == (
        "accent_color, description, icon, language, logo, navigation, timezone, title"
    )


def test_only_the_fields_sent_change_and_null_goes_back_to_the_default(
    client, session: Session
) -> None:
    headers = admin(session)
    client.patch(SITE, json={"title": "Posture Lab", "language": "fr"}, headers=headers)

    response = client.patch(SITE, json={"title": None}, headers=headers)

    data = response.json()["data"]
    assert (data["title"], data["language"]) == ("cms", "fr")
    assert session.get(SiteSettings, 1).title is None  # type: ignore[union-attr]


def test_an_edit_that_changes_nothing_is_not_audited(client, session: Session) -> None:
    headers = admin(session)
    client.patch(SITE, json={"title": "Same"}, headers=headers)
    client.patch(SITE, json={"title": "Same"}, headers=headers)

    events = session.exec(select(AuditEvent).where(AuditEvent.action == "site.update")).all()
    assert len(events) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"description": "x" * 501}, "description"),
        ({"logo": "javascript:alert(1)"}, "logo"),
        ({"icon": "//elsewhere.example/icon.png"}, "icon"),
        ({"accent_color": "red"}, "accent_color"),
        ({"accent_color": "#12345"}, "accent_color"),
        ({"language": "english please"}, "language"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"navigation": [{"label": "", "url": "/"}]}, "navigation.0.label"),
        ({"navigation": [{"label": "Home", "url": "javascript:x"}]}, "navigation.0.url"),
        ({"navigation": [{"label": "Home"}]}, "navigation.0.url"),
        ({"navigation": "Home"}, "navigation"),
        ({"navigation": [{"label": "x", "url": "/"}] * 101}, "navigation"),
        ({"url": "https://elsewhere.example"}, "url"),
        ({"colour": "#ffffff"}, "colour"),
    ],
)
def test_bad_site_settings_are_refused_naming_the_field(
    client, session: Session, change: dict[str, object], field: str
) -> None:
    response = client.patch(SITE, json=change, headers=admin(session))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert session.get(SiteSettings, 1) is None  # nothing written


def test_editors_cannot_change_the_site(client, session: Session) -> None:
    editor = bearer(session, make_user(session, role=Role.EDITOR))

    response = client.patch(SITE, json={"title": "Mine now"}, headers=editor)

    assert response.status_code == 403
    assert client.get("/api/v1/site").json()["data"]["title"] == "cms"


def test_the_feed_shows_the_sites_title_description_language_and_icon(
    client, session: Session
) -> None:
    make_post(session, title="Out now")
    change = {
        "title": "Posture Lab",
        "description": "Standing up straight.",
        "language": "de",
        "icon": "/media/icon.png",
    }
    client.patch(SITE, json=change, headers=admin(session))

    feed = client.get("/rss.xml").text

    assert "<title>Posture Lab</title>" in feed
    assert "<description>Standing up straight.</description>" in feed
    assert "<language>de</language>" in feed
    assert (
        "<image><url>https://blog.example.com/media/icon.png</url><title>Posture Lab</title>"
        "<link>https://blog.example.com/</link></image>"
    ) in feed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"language": "en-aaaaaaaa-bbbbbbbb-cccccccc-dddddddd"}, "language"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": "Factory"}, "timezone"),
    ],
)
def test_settings_front_ends_could_not_use_are_refused(
    client, session: Session, change: dict[str, object], field: str
) -> None:
    response = client.patch(SITE, json=change, headers=admin(session))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
