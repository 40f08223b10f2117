"""What readers get from what editors write: safe HTML, heading ids, text, timings."""

from sqlmodel import Session

from tests.factories import make_post


def rendered(client, session: Session, **fields: object) -> dict:  # type: ignore[type-arg]
    post = make_post(session, **fields)
    return client.get(
        f"/api/v1/posts/{post.slug}?fields=html,plaintext,excerpt,reading_time"
    ).json()["data"]


def test_markdown_is_rendered_with_stable_heading_ids(client, session: Session) -> None:
    data = rendered(
        client, session, body="# Top\n\n## Why *dry*?\n\n## Why *dry*?\n\nText **bold**."
    )

    assert '<h1 id="top">Top</h1>' in data["html"]
    assert '<h2 id="why-dry">Why <em>dry</em>?</h2>' in data["html"]
    assert '<h2 id="why-dry-1">' in data["html"]
    assert "<strong>bold</strong>" in data["html"]


def test_scripts_event_handlers_and_javascript_urls_are_removed(client, session: Session) -> None:
    body = (
        "Hello <script>alert(1)</script>\n\n"
        '<img src="x.png" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<a href="javascript:alert(4)" onclick="alert(5)">link</a>'
    )
    html = rendered(client, session, body=body)["html"]

    for bad in ("<script", "onerror", "onclick", 'href="javascript:', "alert(1)", "alert(2)"):
        assert bad not in html
    assert '<img src="x.png">' in html


def test_html_bodies_are_sanitised_and_get_heading_ids(client, session: Session) -> None:
    data = rendered(
        client,
        session,
        html='<h2 style="color:red">Does it hurt?</h2><p onclick="x()">Mostly <b>not</b>.</p>'
        '<iframe src="https://evil.example"></iframe>',
    )

    assert data["html"] == '<h2 id="does-it-hurt">Does it hurt?</h2><p>Mostly <b>not</b>.</p>'
    assert data["plaintext"] == "Does it hurt?\nMostly not."


def test_plaintext_excerpt_and_reading_time(client, session: Session) -> None:
    long_paragraph = " ".join(["word"] * 600)
    data = rendered(client, session, body=f"First line &amp; more.\n\n{long_paragraph}")

    assert data["plaintext"].startswith("First line & more.\nword word")
    assert data["excerpt"] == "First line & more."
    assert data["reading_time"] == 3  # 604 words at 265 a minute, rounded up


def test_excerpt_cuts_a_long_first_paragraph_on_a_word(client, session: Session) -> None:
    data = rendered(client, session, body="Lorem ipsum dolor " * 20)

    assert len(data["excerpt"]) <= 160
    assert data["excerpt"].endswith(("Lorem", "ipsum", "dolor"))
    assert "Lorem ipsum dolor Lorem" in data["excerpt"]


def test_custom_excerpt_wins_and_empty_body_reads_in_one_minute(client, session: Session) -> None:
    data = rendered(client, session, body="", excerpt="  Hand-written summary.  ")

    assert data["excerpt"] == "Hand-written summary."
    assert data["reading_time"] == 1
    assert data["html"] == ""
