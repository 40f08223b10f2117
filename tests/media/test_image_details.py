"""Library images where readers see them: a post's feature image and an author's picture
carry their measurements (width, height, srcset, variants), and images in a body get the
attributes that stop layout shift and fetch only the size shown. Images from elsewhere stay
as they were: no measurements are made up."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from sqlmodel import Session, select, update

from cms.posts.models import Post
from cms.users.models import Role
from tests.factories import bearer, make_author, make_post, make_user
from tests.media.pictures import picture

MEDIA = "/api/v1/admin/media"
ELSEWHERE = "https://images.example.com/cat.jpg"


def uploaded(client, session: Session, **form: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    files = {"file": ("photo.jpg", picture(1200, 800), "image/jpeg")}
    response = client.post(MEDIA, files=files, data=form, headers=headers)
    assert response.status_code == 201, response.text
    item: dict = response.json()["data"]  # type: ignore[type-arg]
    return item


def images_in(html: str) -> list[dict[str, str | None]]:
    """The attributes of each <img>, as a browser's parser reads them."""
    found: list[dict[str, str | None]] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                found.append(dict(attrs))

    Images().feed(html)
    return found


def test_a_library_feature_image_is_measured_and_takes_the_librarys_alt_and_caption(
    client, session: Session
) -> None:
    item = uploaded(client, session, alt="A red circle", caption="Drawn for the test")
    make_post(session, title="Pictured", feature_image=item["url"])

    post = client.get("/api/v1/posts/pictured").json()["data"]
    listed = client.get("/api/v1/posts").json()["data"][0]

    details = post["feature_image_details"]
    assert (details["width"], details["height"]) == (1200, 800)
    assert details["srcset"] == item["srcset"]
    assert details["variants"] == item["variants"]
    assert post["feature_image_alt"] == "A red circle"
    assert post["feature_image_caption"] == "Drawn for the test"
    assert listed["feature_image_details"] == details


def test_an_alt_sent_with_the_image_wins_and_an_image_from_elsewhere_has_no_details(
    client, session: Session
) -> None:
    item = uploaded(client, session, alt="Library alt")
    make_post(session, title="Own alt", feature_image=item["url"], feature_image_alt="Mine")
    make_post(session, title="From elsewhere", feature_image=ELSEWHERE, feature_image_alt="Cat")

    own = client.get("/api/v1/posts/own-alt").json()["data"]
    other = client.get("/api/v1/posts/from-elsewhere").json()["data"]

    assert (own["feature_image_alt"], own["feature_image_caption"]) == ("Mine", None)
    assert other["feature_image_details"] is None
    assert other["feature_image_alt"] == "Cat"


def test_editors_change_the_image_and_its_description_through_the_admin_api(
    client, session: Session
) -> None:
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    item = uploaded(client, session, alt="Library alt")
    post = make_post(session, title="Edited", feature_image=ELSEWHERE)
    url = f"/api/v1/admin/posts/{post.id}"

    def patch(body: dict) -> dict:  # type: ignore[type-arg]
        etag = client.get(url, headers=headers).headers["etag"]
        response = client.patch(url, json=body, headers={**headers, "If-Match": etag})
        assert response.status_code == 200, response.text
        data: dict = response.json()["data"]  # type: ignore[type-arg]
        return data

    to_library = patch({"feature_image": item["url"]})
    captioned = patch({"feature_image_caption": "Now with a caption"})
    away = patch({"feature_image": ELSEWHERE})

    assert to_library["feature_image_details"]["width"] == 1200
    assert to_library["feature_image_alt"] == "Library alt"
    assert captioned["feature_image_alt"] == "Library alt"  # untouched by the other field
    assert captioned["feature_image_caption"] == "Now with a caption"
    assert (away["feature_image_details"], away["feature_image_alt"]) == (None, None)


def test_an_authors_library_picture_is_measured_wherever_the_author_is_shown(
    client, session: Session
) -> None:
    item = uploaded(client, session)
    author = make_author(session, name="Jo Goh", profile_image=item["url"])
    make_post(session, title="By Jo", authors=[author])

    shown = client.get("/api/v1/authors/jo-goh").json()["data"]
    byline = client.get("/api/v1/posts/by-jo").json()["data"]["primary_author"]

    assert shown["profile_image_details"]["srcset"] == item["srcset"]
    assert byline["profile_image_details"] == shown["profile_image_details"]


def test_library_images_in_a_body_get_sizes_srcset_and_lazy_loading(
    client, session: Session
) -> None:
    item = uploaded(client, session)
    variant = next(v for v in item["variants"] if v["width"] == 640)
    body = f"![Big]({item['url']})\n\n![Small]({variant['url']})\n\n![Cat]({ELSEWHERE})"
    make_post(session, title="Body images", body=body)

    html = client.get("/api/v1/posts/body-images").json()["data"]["html"]
    big, small, cat = images_in(html)

    assert (big["width"], big["height"]) == ("1200", "800")
    assert (small["width"], small["height"]) == ("640", "427")
    for img in (big, small):
        assert img["srcset"] == item["srcset"]
        assert img["loading"] == "lazy" and img["decoding"] == "async"
    assert big["sizes"] == "(max-width: 1200px) 100vw, 1200px"
    assert set(cat) == {"src", "alt"}


def test_a_post_saved_before_its_images_were_measured_is_measured_on_its_next_save(
    client, session: Session
) -> None:
    item = uploaded(client, session)
    post = make_post(session, title="Older", body=f"![Old]({item['url']})")
    unmeasured = f'<p><img src="{item["url"]}" alt="Old"></p>'
    session.exec(update(Post).where(Post.id == post.id).values(html=unmeasured))  # type: ignore[call-overload]
    session.expire_all()
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    url = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]

    saved = client.patch(url, json={"featured": True}, headers={**headers, "If-Match": etag})

    assert saved.status_code == 200, saved.text
    html = session.exec(select(Post.html).where(Post.id == post.id)).one()
    assert 'loading="lazy"' in html and 'width="1200"' in html


def test_the_feed_gives_a_library_feature_images_size(client, session: Session) -> None:
    item = uploaded(client, session)
    make_post(session, title="In the feed", feature_image=item["url"])

    feed = ET.fromstring(client.get("/rss.xml").content)
    content = feed.find(".//{http://search.yahoo.com/mrss/}content")

    assert content is not None
    assert (content.get("width"), content.get("height")) == ("1200", "800")


@pytest.mark.parametrize("storage_kind", ["disk"])
def test_the_openapi_document_describes_the_new_fields(client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    assert {"feature_image_alt", "feature_image_caption", "feature_image_details"} <= set(
        schemas["PostOut"]["properties"]
    )
    assert "profile_image_details" in schemas["AuthorOut"]["properties"]
    assert set(schemas["ImageDetails"]["properties"]) == {"width", "height", "srcset", "variants"}


def test_the_same_picture_at_another_address_keeps_the_editors_alt_and_caption(
    client, session: Session
) -> None:
    item = uploaded(client, session, alt="Library alt")
    post = make_post(
        session, title="Moved", feature_image=item["url"], feature_image_alt="Jo at the marathon"
    )
    headers = bearer(session, make_user(session, role=Role.EDITOR))
    url = f"/api/v1/admin/posts/{post.id}"
    etag = client.get(url, headers=headers).headers["etag"]
    variant = item["variants"][-1]["url"]  # the same image, 640 wide, in WebP

    moved = client.patch(
        url, json={"feature_image": variant}, headers={**headers, "If-Match": etag}
    )

    assert moved.status_code == 200, moved.text
    data = moved.json()["data"]
    assert (data["feature_image"], data["feature_image_alt"]) == (variant, "Jo at the marathon")
    assert data["feature_image_details"]["width"] == 1200


def test_text_inside_an_attribute_is_not_taken_for_one(client, session: Session) -> None:
    item = uploaded(client, session)
    body = f'<p><img src="{item["url"]}" alt="Set the saddle width=3cm" title="loading=x"></p>'
    make_post(session, title="Saddle", html=body)

    (img,) = images_in(client.get("/api/v1/posts/saddle").json()["data"]["html"])

    assert (img["width"], img["height"], img["loading"]) == ("1200", "800", "lazy")
    assert img["alt"] == "Set the saddle width=3cm"
