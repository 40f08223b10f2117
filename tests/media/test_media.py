"""Admin API: the media library. Editors upload images; apps get measured sizes, variants
and a srcset; files are named by their content and served with immutable caching."""

from pathlib import Path

import pytest
from sqlmodel import Session, select

from cms.audit.models import AuditEvent
from cms.config import Settings
from cms.media.models import Media
from cms.users.models import Role
from tests.factories import bearer, make_post, make_user
from tests.media.pictures import GPS, exif_of, picture, size_of
from tests.media.storages import fetch, stored_files

MEDIA = "/api/v1/admin/media"


def editor(session: Session, role: Role = Role.EDITOR) -> dict[str, str]:
    return bearer(session, make_user(session, role=role))


def upload(client, headers, data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg", **form):  # type: ignore[no-untyped-def]
    return client.post(MEDIA, files={"file": (name, data, kind)}, data=form, headers=headers)


def test_an_upload_is_measured_turned_upright_and_made_in_every_narrower_width(
    client, session: Session, settings: Settings
) -> None:
    response = upload(
        client, editor(session), picture(1200, 800, rotated=True), alt="A circle", caption="Art"
    )

    assert response.status_code == 201, response.text
    item = response.json()["data"]
    assert response.headers["location"] == f"http://api.test{MEDIA}/{item['id']}"
    # EXIF orientation 6: the 1200x800 pixels show as 800 wide, 1200 high.
    assert (item["width"], item["height"]) == (800, 1200)
    assert (item["mime_type"], item["alt"], item["caption"]) == ("image/jpeg", "A circle", "Art")
    assert item["filename"] == "photo.jpg"
    widths = [(v["width"], v["mime_type"]) for v in item["variants"]]
    assert widths == [
        (320, "image/jpeg"), (320, "image/webp"), (640, "image/jpeg"), (640, "image/webp"),
    ]  # fmt: skip
    assert [v["height"] for v in item["variants"]] == [480, 480, 960, 960]
    jpegs = [v["url"] for v in item["variants"] if v["mime_type"] == "image/jpeg"]
    assert item["srcset"] == f"{jpegs[0]} 320w, {jpegs[1]} 640w, {item['url']} 800w"
    assert item["url"].startswith(
        f"{settings.media_public_url}/" if settings.media_s3_bucket else "http://api.test/media/"
    )
    assert len(stored_files(settings)) == 5


def test_served_files_are_immutable_and_carry_no_exif_or_gps(client, session: Session) -> None:
    sent = picture(rotated=True)
    assert GPS in exif_of(sent)
    item = upload(client, editor(session), sent).json()["data"]

    for url in [item["url"], *(variant["url"] for variant in item["variants"])]:
        served = fetch(client, url)
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["content-type"] in ("image/jpeg", "image/webp")
        assert exif_of(served.content) == {}
    original = fetch(client, item["url"])
    assert size_of(original.content) == (item["width"], item["height"])
    assert int(original.headers["content-length"]) == item["size"]


def test_the_same_bytes_twice_are_stored_once(client, session: Session, settings: Settings) -> None:
    headers, data = editor(session), picture(700, 500)

    first = upload(client, headers, data, alt="one").json()["data"]
    second = upload(client, headers, data, name="again.jpg", alt="two").json()["data"]

    assert first["id"] != second["id"]
    assert first["url"] == second["url"]
    assert len(stored_files(settings)) == 5  # the original and four variants, once
    # Deleting one keeps the files the other still shows.
    assert client.delete(f"{MEDIA}/{first['id']}", headers=headers).status_code == 204
    assert fetch(client, second["url"]).status_code == 200


@pytest.mark.parametrize(
    ("kind", "mime_type", "name"),
    [
        ("PNG", "image/png", "pic.png"),
        ("WEBP", "image/webp", "pic.webp"),
        ("GIF", "image/gif", "pic.gif"),
    ],
)
def test_png_webp_and_gif_are_taken_too(
    client, session: Session, kind: str, mime_type: str, name: str
) -> None:
    response = upload(client, editor(session), picture(400, 300, kind=kind), name, mime_type)

    assert response.status_code == 201, response.text
    item = response.json()["data"]
    assert (item["mime_type"], item["width"], item["height"]) == (mime_type, 400, 300)
    assert [v["width"] for v in item["variants"]] == [320, 320]


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"just some text", "notes.txt", "text/plain"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.svg",
            "image/svg+xml",
        ),
        (picture(), "photo.png", "image/png"),  # JPEG bytes under a PNG name and type
        (picture(), "photo.jpg", "image/png"),  # a JPEG name, a PNG type
        (picture(kind="PNG"), "photo.jpg", "image/jpeg"),
    ],
    ids=["text", "svg", "jpeg-named-png", "jpeg-sent-as-png", "png-named-jpeg"],
)
def test_what_is_not_an_image_or_disagrees_with_its_name_is_415(
    client, session: Session, settings: Settings, data: bytes, name: str, kind: str
) -> None:
    response = upload(client, editor(session), data, name, kind)

    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "file"
    assert session.exec(select(Media)).all() == []
    assert stored_files(settings) == []


def test_a_decompression_bomb_is_422_before_it_is_decoded(
    client, session: Session, settings: Settings
) -> None:
    import io

    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(bomb, format="PNG")  # 60 MP in a few KB
    assert len(bomb.getvalue()) < 100_000

    response = upload(client, editor(session), bomb.getvalue(), "big.png", "image/png")

    assert response.status_code == 422, response.text
    assert "pixels" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "file"
    assert stored_files(settings) == []


def test_a_truncated_image_is_422_and_leaves_nothing(
    client, session: Session, settings: Settings
) -> None:
    whole = picture()

    response = upload(client, editor(session), whole[: len(whole) // 2])

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "file"
    assert session.exec(select(Media)).all() == []
    assert stored_files(settings) == []


def test_a_missing_file_is_422_naming_it(client, session: Session) -> None:
    response = client.post(
        MEDIA, data={"alt": "nothing"}, files={"other": ("x", b"x")}, headers=editor(session)
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\photo.jpg", "photo.jpg"),
        ("x" * 496 + ".jpg", ("x" * 496 + ".jpg")[-255:]),
        (".hidden.jpg", "hidden.jpg"),
    ],
)
def test_hostile_filenames_are_only_metadata(
    client, session: Session, settings: Settings, name: str, kept: str
) -> None:
    response = upload(client, editor(session), picture(300, 200), name)

    assert response.status_code == 201, response.text
    assert response.json()["data"]["filename"] == kept
    media = session.exec(select(Media)).one()
    assert stored_files(settings) == [f"{media.hash}.jpg"]
    assert not (Path(settings.media_dir).parent / "etc").exists()


def test_list_search_edit_and_delete_each_audited(client, session: Session) -> None:
    headers = editor(session)
    cat = upload(client, headers, picture(300, 200), "cat.jpg", alt="A sleeping cat").json()["data"]
    upload(client, headers, picture(310, 200), "dog.jpg", alt="A dog")

    listed = client.get(MEDIA, headers=headers).json()
    found = client.get(MEDIA, params={"q": "CAT"}, headers=headers).json()
    changed = client.patch(
        f"{MEDIA}/{cat['id']}", json={"alt": "A cat", "caption": None}, headers=headers
    )
    deleted = client.delete(f"{MEDIA}/{cat['id']}", headers=headers)

    assert [item["filename"] for item in listed["data"]] == ["dog.jpg", "cat.jpg"]
    assert listed["meta"]["pagination"]["total"] == 2
    assert [item["filename"] for item in found["data"]] == ["cat.jpg"]
    assert changed.json()["data"]["alt"] == "A cat"
    assert deleted.status_code == 204
    assert client.get(f"{MEDIA}/{cat['id']}", headers=headers).status_code == 404
    assert fetch(client, cat["url"]).status_code == 404
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["media.create", "media.create", "media.update", "media.delete"]


def test_an_image_still_on_a_post_or_an_author_is_409_naming_them(client, session: Session) -> None:
    headers = editor(session)
    item = upload(client, headers, picture(300, 200)).json()["data"]
    post = make_post(session, title="With a picture", feature_image=item["url"])

    response = client.delete(f"{MEDIA}/{item['id']}", headers=headers)

    assert response.status_code == 409
    assert response.json()["posts"] == [{"id": post.id, "slug": "with-a-picture"}]
    assert fetch(client, item["url"]).status_code == 200


def test_contributors_upload_only_editors_delete_and_strangers_nothing(
    client, session: Session
) -> None:
    contributor = editor(session, Role.CONTRIBUTOR)
    item = upload(client, contributor, picture(300, 200)).json()["data"]

    assert client.delete(f"{MEDIA}/{item['id']}", headers=contributor).status_code == 403
    assert client.get(MEDIA).status_code == 401
    assert upload(client, {}, picture(300, 200)).status_code == 401


@pytest.mark.parametrize("storage_kind", ["disk"])
@pytest.mark.parametrize("name", ["nothing.jpg", "..%2F..%2Fetc%2Fpasswd", ".upload-x", "a" * 101])
def test_unknown_or_unsafe_file_names_are_404(client, name: str) -> None:
    response = client.get(f"/media/{name}")

    assert response.status_code in (404, 400)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("storage_kind", ["disk"])
def test_a_worker_that_died_fails_one_upload_with_503_and_is_replaced(
    client, session: Session, settings: Settings
) -> None:
    import os
    import signal

    from cms.media import images

    headers = editor(session)
    assert upload(client, headers, picture(300, 200)).status_code == 201
    for pid in list(images._pool()._processes):  # as the kernel's OOM killer would
        os.kill(pid, signal.SIGKILL)

    failed = upload(client, headers, picture(310, 200))
    again = upload(client, headers, picture(320, 200))

    assert failed.status_code == 503, failed.text
    assert failed.headers["content-type"] == "application/problem+json"
    assert again.status_code == 201, again.text
    assert len(session.exec(select(Media)).all()) == 2
