"""The Ghost reader: what a Ghost 4, 5 or 6 JSON export becomes (authors, tags, posts and what
is skipped, in that order), and which files it refuses outright.

exports/ghost-4.json and exports/ghost-5.json are small exports written for these tests in the
shapes Ghost's exporter writes (one list of database rows per table): Ghost 4's posts carry
mobiledoc, an author_id and SQLite-style dates; Ghost 5's carry lexical and ISO dates. Other
cases are written by the test that needs them. No database is involved."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cms.importers import ghost
from cms.importers.ghost import read_ghost
from cms.importers.items import (
    ExportError,
    ImportedAuthor,
    ImportedPost,
    ImportedTag,
    Item,
    Skipped,
)

EXPORTS = Path(__file__).parent / "exports"
GHOST_4 = EXPORTS / "ghost-4.json"
GHOST_5 = EXPORTS / "ghost-5.json"

# Ids in ghost-5.json
# The owner: id "1" on every site until Ghost 6.0, so it goes with its slug.
OWNER = "1:ada"
GRACE, STAFF, PAGE_WRITER = (f"65a0f1c2e4b0a1b2c3d4e50{n}" for n in range(2, 5))
NEWS, PYTHON, INTERNAL, UNUSED = (f"65a0f1c2e4b0a1b2c3d4e51{n}" for n in range(1, 5))
HELLO, SCHEDULED, DRAFT, PAGE, SENT, UNTITLED, LEXICAL_ONLY, PAID = (
    f"65a0f1c2e4b0a1b2c3d4e52{n}" for n in range(1, 9)
)
NEVER_DEFINED = "65a0f1c2e4b0a1b2c3d4e5ff"
# Ids in ghost-4.json
LIN, SAM = "1:lin", "60a1b2c3d4e5f6a7b8c9d002"
TRAVEL, PHOTOS = "60a1b2c3d4e5f6a7b8c9d011", "60a1b2c3d4e5f6a7b8c9d012"
OLD_HELLO, OLD_NOTE, MOBILEDOC_ONLY, CONTACT_PAGE = (
    f"60a1b2c3d4e5f6a7b8c9d02{n}" for n in range(1, 5)
)


def read(path: Path, **options: Any) -> list[Item]:
    return list(read_ghost(path, **options))


def posts_of(items: list[Item]) -> dict[str, ImportedPost]:
    return {item.source_id: item for item in items if isinstance(item, ImportedPost)}


def skipped_of(items: list[Item]) -> dict[str, Skipped]:
    return {item.source_id: item for item in items if isinstance(item, Skipped)}


def written(tmp_path: Path, document: object, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def export(version: str = "5.75.2", **tables: Any) -> dict[str, Any]:
    """An export as Ghost's Settings → Export downloads it, holding `tables`."""
    return {"db": [{"meta": {"exported_on": 1704783600000, "version": version}, "data": tables}]}


def post_row(**fields: Any) -> dict[str, Any]:
    """A published Ghost 5 post with a body, changed by `fields`."""
    row = {"id": "p1", "title": "A post", "slug": "a-post", "html": "<p>Body.</p>",
           "lexical": "{}", "type": "post", "status": "published", "visibility": "public",
           "published_at": "2024-01-09T05:52:29.000Z"}  # fmt: skip
    return row | fields


def one_post(tmp_path: Path, **fields: Any) -> ImportedPost | Skipped:
    """What the reader makes of a file holding one post row."""
    items = read(written(tmp_path, export(posts=[post_row(**fields)])))
    assert len(items) == 1
    item = items[0]
    assert isinstance(item, ImportedPost | Skipped)
    return item


def refusal(path: Path) -> str:
    with pytest.raises(ExportError) as caught:
        read_ghost(path)
    return str(caught.value)


# Ghost 5


def test_a_ghost_5_export_gives_its_authors_then_its_tags_then_its_posts() -> None:
    kinds = [type(item).__name__ for item in read(GHOST_5) if not isinstance(item, Skipped)]
    assert kinds == ["ImportedAuthor"] * 2 + ["ImportedTag"] * 3 + ["ImportedPost"] * 4


def test_only_users_credited_with_an_imported_post_become_authors() -> None:
    authors = [item for item in read(GHOST_5) if isinstance(item, ImportedAuthor)]
    # STAFF wrote nothing, PAGE_WRITER only a page: neither is an author, nor a Skipped.
    assert [author.source_id for author in authors] == [OWNER, GRACE]
    assert not {STAFF, PAGE_WRITER} & set(skipped_of(read(GHOST_5)))


def test_an_author_keeps_name_slug_bio_website_and_profile_image() -> None:
    ada = next(item for item in read(GHOST_5) if isinstance(item, ImportedAuthor))
    assert ada == ImportedAuthor(
        source_id=OWNER,
        name="Ada Lovelace",
        slug="ada",
        bio="Writes about engines.",
        website="https://ada.example.org",
        profile_image="/content/images/2023/12/ada.jpg",
    )


def test_every_tag_is_given_even_one_no_post_uses() -> None:
    tags = [item for item in read(GHOST_5) if isinstance(item, ImportedTag)]
    assert tags == [
        ImportedTag(NEWS, "News", "news", "What happened this week."),
        ImportedTag(PYTHON, "Python", "python"),
        ImportedTag(UNUSED, "Unused", "unused"),
    ]


def test_an_internal_tag_is_skipped_and_attached_to_no_post() -> None:
    items = read(GHOST_5)
    assert skipped_of(items)[INTERNAL] == Skipped("tag", INTERNAL, "an internal tag")
    assert all(INTERNAL not in post.tag_ids for post in posts_of(items).values())


def test_a_tag_named_with_a_hash_is_internal_whatever_its_visibility(tmp_path: Path) -> None:
    tag = {"id": "t1", "name": "#hidden", "slug": "hash-hidden", "visibility": "public"}
    items = read(written(tmp_path, export(tags=[tag])))
    assert items == [Skipped("tag", "t1", "an internal tag")]


def test_a_published_post_keeps_its_fields() -> None:
    hello = posts_of(read(GHOST_5))[HELLO]
    assert hello.title == "Hello, Ghost 5"
    assert (hello.slug, hello.status) == ("hello-ghost-5", "published")
    assert hello.excerpt == "Where it all starts."  # custom_excerpt, not Ghost's plaintext one
    assert hello.featured is True
    assert hello.published_at == datetime(2024, 1, 9, 5, 52, 29, tzinfo=UTC)
    assert hello.created_at == datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
    assert hello.updated_at == datetime(2024, 1, 9, 6, 0, tzinfo=UTC)
    assert hello.html.startswith("<p>First words.</p>")
    assert hello.comments == []
    assert (hello.feature_image_alt, hello.feature_image_caption) == ("A sunrise", "Photo by Ada")
    assert hello.seo == {"meta_title": "Hello, Ghost 5 (SEO)", "meta_description": "A first post."}


def test_authors_and_tags_come_in_sort_order_not_file_order() -> None:
    hello = posts_of(read(GHOST_5))[HELLO]
    assert hello.author_ids == [OWNER, GRACE]  # the file lists Grace (sort_order 1) first
    assert hello.tag_ids == [NEWS, PYTHON]  # sort_order 1 and 2; the internal tag was 0


def test_the_ghost_url_placeholder_becomes_a_site_relative_path() -> None:
    hello = posts_of(read(GHOST_5))[HELLO]
    assert hello.feature_image == "/content/images/2024/01/hello.jpg"
    assert '<img src="/content/images/2024/01/desk.jpg"' in hello.html
    assert '<a href="/about/">' in hello.html
    assert "__GHOST_URL__" not in hello.html


def test_a_site_url_makes_the_ghost_url_placeholder_absolute_again() -> None:
    items = read(GHOST_5, site_url="https://blog.example.com/")
    hello = posts_of(items)[HELLO]
    assert hello.feature_image == "https://blog.example.com/content/images/2024/01/hello.jpg"
    assert '<a href="https://blog.example.com/about/">' in hello.html
    ada = next(item for item in items if isinstance(item, ImportedAuthor))
    assert ada.profile_image == "https://blog.example.com/content/images/2023/12/ada.jpg"


def test_a_scheduled_post_stays_scheduled_with_its_date_to_come() -> None:
    coming = posts_of(read(GHOST_5))[SCHEDULED]
    assert coming.status == "scheduled"
    assert coming.published_at == datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


def test_a_draft_is_a_draft_without_a_publication_date() -> None:
    draft = posts_of(read(GHOST_5))[DRAFT]
    assert (draft.status, draft.published_at) == ("draft", None)


def test_an_author_referenced_but_never_defined_stays_in_author_ids() -> None:
    items = read(GHOST_5)
    assert posts_of(items)[DRAFT].author_ids == [NEVER_DEFINED]  # the loader reports it
    assert NEVER_DEFINED not in {i.source_id for i in items if isinstance(i, ImportedAuthor)}


def test_a_page_is_skipped() -> None:
    assert skipped_of(read(GHOST_5))[PAGE] == Skipped("page", PAGE, "a page: cms has posts only")


def test_a_post_sent_only_as_an_email_is_skipped() -> None:
    assert skipped_of(read(GHOST_5))[SENT] == Skipped("post", SENT, "sent as an email only")


def test_a_post_with_a_blank_title_is_skipped() -> None:
    assert skipped_of(read(GHOST_5))[UNTITLED] == Skipped("post", UNTITLED, "no title")


def test_a_post_with_only_lexical_and_no_html_is_skipped() -> None:
    reason = skipped_of(read(GHOST_5))[LEXICAL_ONLY].reason
    assert reason == "no html in the export (only lexical)"


def test_a_paid_post_is_imported_as_a_draft_after_a_note_saying_so() -> None:
    items = read(GHOST_5)
    at = next(
        n
        for n, item in enumerate(items)
        if isinstance(item, ImportedPost) and item.source_id == PAID
    )
    note = items[at - 1]
    assert isinstance(note, Skipped)
    assert (note.kind, note.source_id) == ("note", PAID)
    assert "paying members" in note.reason and "imported as a draft" in note.reason
    assert items[at].status == "draft"  # type: ignore[union-attr]


# Ghost 4


def test_a_ghost_4_export_reads_the_same_way() -> None:
    items = read(GHOST_4)
    authors = [item.source_id for item in items if isinstance(item, ImportedAuthor)]
    tags = [item.source_id for item in items if isinstance(item, ImportedTag)]
    assert (authors, tags) == ([LIN, SAM], [TRAVEL, PHOTOS])
    hello = posts_of(items)[OLD_HELLO]
    assert hello.html.endswith('<img src="/content/images/2021/05/road.jpg">')
    assert (hello.author_ids, hello.tag_ids) == ([LIN, SAM], [TRAVEL, PHOTOS])
    assert hello.feature_image == "/content/images/2021/05/hills.jpg"
    assert hello.excerpt == "Postcards from the road."


def test_ghost_on_sqlite_dates_without_a_zone_are_read_as_utc() -> None:
    hello = posts_of(read(GHOST_4))[OLD_HELLO]
    assert hello.published_at == datetime(2021, 5, 3, 10, 0, tzinfo=UTC)  # "2021-05-03 10:00:00"


def test_featured_as_zero_or_one_is_a_boolean() -> None:
    posts = posts_of(read(GHOST_4))
    assert (posts[OLD_HELLO].featured, posts[OLD_NOTE].featured) == (True, False)


def test_a_ghost_4_post_without_posts_authors_rows_falls_back_to_its_author_id() -> None:
    assert posts_of(read(GHOST_4))[OLD_NOTE].author_ids == [SAM]


def test_a_ghost_4_post_with_only_mobiledoc_is_skipped() -> None:
    skipped = skipped_of(read(GHOST_4))[MOBILEDOC_ONLY]
    assert skipped == Skipped("post", MOBILEDOC_ONLY, "no html in the export (only mobiledoc)")


def test_a_ghost_4_page_is_skipped() -> None:
    assert skipped_of(read(GHOST_4))[CONTACT_PAGE].kind == "page"


# Posts, row by row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-09T05:52:29.000Z", datetime(2024, 1, 9, 5, 52, 29, tzinfo=UTC)),  # MySQL
        ("2024-01-09 05:52:29", datetime(2024, 1, 9, 5, 52, 29, tzinfo=UTC)),  # SQLite
        ("2024-01-09T07:52:29+02:00", datetime(2024, 1, 9, 5, 52, 29, tzinfo=UTC)),
        (1704779549000, datetime(2024, 1, 9, 5, 52, 29, tzinfo=UTC)),  # milliseconds
        (None, None),
    ],
)
def test_dates_become_aware_utc_datetimes(tmp_path: Path, text: object, expected: object) -> None:
    post = one_post(tmp_path, published_at=text)
    assert isinstance(post, ImportedPost)
    assert post.published_at == expected


def test_an_unreadable_date_skips_the_post(tmp_path: Path) -> None:
    skipped = one_post(tmp_path, published_at="last Tuesday")
    assert skipped == Skipped("post", "p1", "an unreadable published_at: 'last Tuesday'")


@pytest.mark.parametrize(
    ("value", "featured"), [(True, True), (1, True), (0, False), (None, False)]
)
def test_featured_reads_booleans_and_numbers(tmp_path: Path, value: object, featured: bool) -> None:
    post = one_post(tmp_path, featured=value)
    assert isinstance(post, ImportedPost)
    assert post.featured is featured


def test_the_old_page_flag_makes_a_page_when_there_is_no_type(tmp_path: Path) -> None:
    row = post_row(page=True)
    del row["type"]
    items = read(written(tmp_path, export(posts=[row])))
    assert items == [Skipped("page", "p1", "a page: cms has posts only")]


def test_a_post_with_neither_html_nor_an_editor_source_has_an_empty_body(tmp_path: Path) -> None:
    post = one_post(tmp_path, html=None, lexical=None, mobiledoc=None)
    assert isinstance(post, ImportedPost)
    assert post.html == ""


def test_an_unknown_status_skips_the_post(tmp_path: Path) -> None:
    assert one_post(tmp_path, status="archived") == Skipped(
        "post", "p1", "an unknown status 'archived'"
    )


def test_a_post_without_an_id_is_skipped_by_its_row(tmp_path: Path) -> None:
    assert one_post(tmp_path, id=None) == Skipped("post", "row 1", "no id in the export")


def test_a_tag_linked_twice_is_attached_once(tmp_path: Path) -> None:
    links = [{"post_id": "p1", "tag_id": "t1", "sort_order": 0}] * 2
    tags = [{"id": "t1", "name": "News", "slug": "news"}]
    items = read(written(tmp_path, export(posts=[post_row()], tags=tags, posts_tags=links)))
    assert posts_of(items)["p1"].tag_ids == ["t1"]


def test_comments_in_a_full_backup_are_skipped_one_by_one(tmp_path: Path) -> None:
    comment = {"id": "c1", "post_id": "p1", "member_id": "m1", "html": "<p>Hi</p>"}
    items = read(written(tmp_path, export(posts=[post_row()], comments=[comment])))
    assert items[-1] == Skipped("comment", "c1", "Ghost comments are not imported")
    assert posts_of(items)["p1"].comments == []


# Shapes and versions


def test_a_backup_without_the_db_wrapper_is_read_too(tmp_path: Path) -> None:
    backup = json.loads(GHOST_5.read_text(encoding="utf-8"))["db"][0]  # {"meta", "data"}
    assert read(written(tmp_path, backup)) == read(GHOST_5)


@pytest.mark.parametrize("version", ["4.0.0", "4.48.9", "5.0.0", "5.130.1", "6.0.0", "6.3.1"])
def test_ghost_4_5_and_6_exports_are_read(tmp_path: Path, version: str) -> None:
    path = written(tmp_path, export(version, posts=[post_row()]))
    assert [item.source_id for item in read(path)] == ["p1"]


@pytest.mark.parametrize(
    ("version", "major"), [("1.25.5", 1), ("2.0.0", 2), ("3.42.9", 3), ("7.0.0", 7)]
)
def test_an_export_of_another_ghost_version_is_refused(
    tmp_path: Path, version: str, major: int
) -> None:
    message = refusal(written(tmp_path, export(version)))
    assert message == f"a Ghost {major} export: this importer reads Ghost 4, 5 and 6 exports"


def test_an_export_whose_version_is_not_semver_is_refused(tmp_path: Path) -> None:
    assert "'003' is not a Ghost version" in refusal(written(tmp_path, export("003")))  # Ghost 0.x


def test_an_export_without_a_version_is_refused(tmp_path: Path) -> None:
    document = {"db": [{"meta": {"exported_on": 1}, "data": {"posts": []}}]}
    assert "names no Ghost version" in refusal(written(tmp_path, document))


NOT_EXPORTS = [
    [],
    {"foo": 1},
    None,
    42,
    "db",
    {"db": []},
    {"db": {}},
    {"db": [{"meta": {"version": "5.0.0"}}]},  # no data
    {"db": [{"meta": {"version": "5.0.0"}, "data": []}]},
]


@pytest.mark.parametrize("document", NOT_EXPORTS)
def test_json_that_is_not_a_ghost_export_is_refused(tmp_path: Path, document: object) -> None:
    assert refusal(written(tmp_path, document)).startswith("not a Ghost export")


def test_a_table_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    message = refusal(written(tmp_path, export(posts={"id": "p1"})))
    assert message == "not a Ghost export: data.posts is not a list of rows"


# Files that are not JSON


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("<?xml version='1.0'?><rss/>", encoding="utf-8")
    assert refusal(path).startswith("not JSON: Expecting value (line 1, column 1)")


def _cut_in_a_string(text: str) -> str:
    return text[: text.index('"Hello, Ghost 5"') + 5]


def _cut_after_a_comma(text: str) -> str:
    return text[: text.index('"featured": true,') + len('"featured": true,')]


def _cut_before_the_last_brace(text: str) -> str:
    return text.rstrip()[:-1]


@pytest.mark.parametrize("cut", [_cut_in_a_string, _cut_after_a_comma, _cut_before_the_last_brace])
def test_a_truncated_export_is_refused_as_truncated(tmp_path: Path, cut: Any) -> None:
    path = tmp_path / "export.json"
    path.write_text(cut(GHOST_5.read_text(encoding="utf-8")), encoding="utf-8")
    assert "the export looks truncated" in refusal(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b"")
    assert refusal(path) == "the file is empty, not a Ghost export"


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b'{"db": "\xff\xfe\xfa"}')
    assert refusal(path) == "not JSON: the file is not UTF-8 text"


def test_json_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "nested too deeply" in refusal(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path / "nowhere.json").startswith("cannot read")


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(ghost, "MAX_EXPORT_BYTES", GHOST_5.stat().st_size - 1)
    monkeypatch.setattr(ghost.json, "load", never)
    assert "over the" in refusal(GHOST_5)


def test_a_bad_file_is_refused_at_the_call_before_any_iteration(tmp_path: Path) -> None:
    path = written(tmp_path, export("3.0.0"))
    with pytest.raises(ExportError):
        read_ghost(path)  # no next(): the error does not wait for the loop


# The import's source
