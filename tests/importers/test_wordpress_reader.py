"""The WordPress reader: what a WXR export (1.0 to 1.2) becomes as items, what it refuses,
and that it reads a large file in bounded memory. No database: the reader only reads.

The exports in exports/wordpress-*.xml are hand-written for these tests; the bodies and the
large file are made in tmp_path."""

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cms.importers.items import (
    ExportError,
    ImportedAuthor,
    ImportedPost,
    ImportedTag,
    Item,
    Skipped,
)
from cms.importers.wordpress import read_wordpress, source_of

EXPORTS = Path(__file__).parent / "exports"
SELF_HOSTED = EXPORTS / "wordpress-self-hosted-1.2.xml"
WORDPRESS_COM = EXPORTS / "wordpress-com-1.0.xml"
ODDITIES = EXPORTS / "wordpress-oddities-1.1.xml"

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:wxr_version>1.2</wp:wxr_version>
"""
ITEM = """<item><title>Post {id}</title><dc:creator>writer</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded><wp:post_id>{id}</wp:post_id>
<wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type></item>
"""
FOOTER = "</channel></rss>\n"


def read(path: Path) -> list[Item]:
    return list(read_wordpress(path))


def posts(path: Path) -> dict[str, ImportedPost]:
    return {item.source_id: item for item in read(path) if isinstance(item, ImportedPost)}


def skipped(path: Path) -> list[Skipped]:
    return [item for item in read(path) if isinstance(item, Skipped) and item.kind != "note"]


def body_of(tmp_path: Path, body: str) -> str:
    """The html the reader makes of `body`, as the content of a post in a small export."""
    path = tmp_path / "body.xml"
    path.write_text(HEADER + ITEM.format(id=1, body=body) + FOOTER)
    return posts(path)["1"].html


# What comes out, and in which order


def test_authors_come_first_then_categories_and_tags_then_posts() -> None:
    kinds = [type(item).__name__ for item in read(SELF_HOSTED) if not isinstance(item, Skipped)]
    assert kinds == ["ImportedAuthor"] * 2 + ["ImportedTag"] * 4 + ["ImportedPost"] * 7


def test_authors_are_named_by_display_name_else_first_and_last_name_else_login() -> None:
    authors = [item for item in read(SELF_HOSTED) if isinstance(item, ImportedAuthor)]
    assert authors == [
        ImportedAuthor(source_id="harbourmaster", name="Morwenna Trelawny"),
        ImportedAuthor(source_id="deckhand", name="Jory Penrose"),
    ]
    assert [item for item in read(ODDITIES) if isinstance(item, ImportedAuthor)] == [
        ImportedAuthor(source_id="fixer", name="fixer")
    ]


def test_categories_and_tags_both_become_tags_named_by_their_taxonomy() -> None:
    tags = [item for item in read(SELF_HOSTED) if isinstance(item, ImportedTag)]
    assert tags == [
        ImportedTag("category:boats", "Boats & Rigging", "boats", "Hulls, sails and knots"),
        ImportedTag("category:tides", "Tides", "tides"),
        ImportedTag("post_tag:fog", "Fog", "fog"),
        ImportedTag("post_tag:lighthouse", "Lighthouse", "lighthouse", "The one on the point"),
    ]


def test_a_post_lists_its_categories_before_its_tags_once_each() -> None:
    post = posts(SELF_HOSTED)["101"]
    # The file has tides and boats, fog and lighthouse interleaved, tides twice, and a post
    # format (not a tag at all).
    assert post.tag_ids == [
        "category:tides",
        "category:boats",
        "post_tag:fog",
        "post_tag:lighthouse",
    ]


def test_a_published_post_has_its_gmt_dates_slug_excerpt_author_and_feature_image() -> None:
    post = posts(SELF_HOSTED)["101"]
    assert post.title == "Spring tides at the quay"
    assert post.status == "published"
    assert post.slug == "spring-tides"
    assert post.excerpt == "Higher than the almanac said."
    assert post.published_at == post.created_at == datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
    assert post.updated_at == datetime(2024, 2, 3, 18, 5, tzinfo=UTC)
    assert post.author_ids == ["harbourmaster"]
    assert post.featured is False


def test_the_feature_image_comes_from_an_attachment_later_in_the_file() -> None:
    post = posts(SELF_HOSTED)["101"]
    assert post.feature_image == "https://harbour.example/wp-content/uploads/2024/02/quay.jpg"
    assert posts(SELF_HOSTED)["102"].feature_image is None


def test_sticky_posts_become_featured() -> None:
    assert posts(SELF_HOSTED)["108"].featured is True


# Statuses


@pytest.mark.parametrize(
    ("post_id", "status"),
    [
        ("101", "published"),  # publish
        ("102", "draft"),  # draft
        ("103", "draft"),  # pending
        ("104", "draft"),  # private
        ("105", "scheduled"),  # future
        ("107", "draft"),  # publish, behind a password
    ],
)
def test_each_wordpress_status_becomes_a_cms_status(post_id: str, status: str) -> None:
    assert posts(SELF_HOSTED)[post_id].status == status


def test_a_scheduled_post_is_published_at_its_future_gmt_date() -> None:
    assert posts(SELF_HOSTED)["105"].published_at == datetime(2024, 7, 6, 11, 0, tzinfo=UTC)


def test_a_draft_without_a_gmt_date_is_dated_by_its_local_date_and_has_no_slug_yet() -> None:
    draft = posts(SELF_HOSTED)["102"]
    assert draft.published_at is None
    assert draft.created_at == datetime(2024, 2, 10, 16, 45, tzinfo=UTC)
    assert draft.slug is None
    assert draft.excerpt is None


def test_private_and_password_protected_posts_come_after_a_note_saying_so() -> None:
    items, by_id = read(SELF_HOSTED), posts(SELF_HOSTED)
    private, protected = items.index(by_id["104"]), items.index(by_id["107"])
    assert items[private - 1] == Skipped("note", "104", "private in WordPress: imported as a draft")
    assert items[protected - 1] == Skipped(
        "note", "107", "password-protected in WordPress: imported as a draft"
    )
    assert [
        item.source_id for item in items if isinstance(item, Skipped) and item.kind == "note"
    ] == [
        "104",
        "107",
    ]


def test_trashed_posts_are_skipped() -> None:
    assert Skipped("post", "106", "in WordPress's trash") in skipped(SELF_HOSTED)
    assert "106" not in posts(SELF_HOSTED)


def test_pages_menu_items_attachments_and_other_types_are_skipped_one_by_one() -> None:
    assert [item for item in skipped(SELF_HOSTED) if item.kind not in ("post", "comment")] == [
        Skipped("page", "150", "a page: cms has posts only"),
        Skipped("nav_menu_item", "160", "a menu item: cms has no menus"),
        Skipped("product", "170", "a WordPress 'product' item: cms has posts only"),
        Skipped("attachment", "201", "an attachment: media files are not imported"),
        Skipped("attachment", "202", "an attachment: media files are not imported"),
    ]


def test_posts_without_a_title_are_skipped() -> None:
    assert skipped(ODDITIES) == [Skipped("post", "1", "no title"), Skipped("post", "2", "no title")]


def test_an_author_never_declared_is_named_by_the_post_but_not_invented() -> None:
    items = read(ODDITIES)
    assert posts(ODDITIES)["3"].author_ids == ["ghostwriter"]
    assert [item.source_id for item in items if isinstance(item, ImportedAuthor)] == ["fixer"]


# Comments


def test_comments_keep_the_file_order_their_parents_and_every_approval_value() -> None:
    comments = posts(SELF_HOSTED)["101"].comments
    assert [(c.source_id, c.status, c.parent_source_id) for c in comments] == [
        ("501", "approved", None),
        ("502", "pending", "501"),
        ("503", "spam", None),
        ("504", "deleted", "502"),  # trash
        ("505", "deleted", None),  # post-trashed
    ]


def test_a_comment_body_is_plain_text_with_its_paragraphs_and_line_breaks() -> None:
    comment = posts(SELF_HOSTED)["101"].comments[0]
    assert comment.body == (
        "Highest I've seen since \u201989.\n\nThe lifeboat went out twice & came back.\nTwice!"
    )
    assert comment.created_at == datetime(2024, 2, 1, 10, 0, tzinfo=UTC)


def test_a_comment_without_a_name_is_anonymous_and_dated_by_its_local_date() -> None:
    comment = posts(SELF_HOSTED)["101"].comments[1]
    assert (comment.author_name, comment.author_email) == ("Anonymous", "")
    assert comment.created_at == datetime(2024, 2, 1, 12, 15, tzinfo=UTC)


def test_pingbacks_and_trackbacks_are_skipped_before_their_post() -> None:
    assert Skipped("comment", "506", "a pingback") in skipped(SELF_HOSTED)
    items = read(WORDPRESS_COM)
    post = items[items.index(Skipped("comment", "4", "a trackback")) + 1]
    assert isinstance(post, ImportedPost)
    assert (post.source_id, post.comments) == ("8", [])


# Bodies


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks(tmp_path: Path) -> None:
    html = body_of(tmp_path, "First line\r\nsecond line.\n\n \nA new paragraph.\n")
    assert html == "<p>First line<br />\nsecond line.</p>\n<p>A new paragraph.</p>"


def test_an_empty_body_stays_empty(tmp_path: Path) -> None:
    assert body_of(tmp_path, "") == ""


def test_block_elements_in_classic_content_are_not_wrapped_and_pre_is_left_alone() -> None:
    html = posts(SELF_HOSTED)["101"].html
    assert "<h2>What to do</h2>\n<ul>\n<li>Check the board</li>" in html
    assert "<pre>knot:\n  bowline\n\n  clove hitch</pre>" in html
    assert html.endswith("<p>Stay safe.</p>")


def test_a_blockquote_of_paragraphs_gets_them_inside_it(tmp_path: Path) -> None:
    html = body_of(tmp_path, "<blockquote>One.\n\nTwo.</blockquote>\nAfter.")
    assert html == "<blockquote>One.\n<p>Two.</p></blockquote>\n<p>After.</p>"


def test_gutenberg_content_is_left_as_its_blocks() -> None:
    html = posts(SELF_HOSTED)["108"].html
    assert html.startswith("<!-- wp:paragraph -->\n<p>Welcome to the harbour's notes.</p>\n")
    assert "<br />" not in html
    assert "<ul><li>Tides</li><li>Boats</li></ul>" in html


def test_content_with_its_own_paragraphs_is_left_as_it_is() -> None:
    assert posts(WORDPRESS_COM)["8"].html == "<p>Already in paragraphs.</p>"


def test_a_caption_shortcode_becomes_a_figure_with_a_figcaption() -> None:
    html = posts(SELF_HOSTED)["101"].html
    assert '<figure><img src="https://harbour.example/wp-content/uploads/2024/02/quay.jpg"' in html
    assert "<figcaption>The quay at <em>high water</em></figcaption>" in html
    assert "[caption" not in html


def test_an_old_caption_in_an_attribute_becomes_the_figcaption(tmp_path: Path) -> None:
    html = body_of(tmp_path, '[caption caption="A &amp; B"]<img src="/a.jpg" />[/caption]')
    assert html == '<figure><img src="/a.jpg" />\n<figcaption>A &amp; B</figcaption>\n</figure>'


def test_an_embed_shortcode_becomes_a_link_to_its_url() -> None:
    url = "https://video.example/watch?v=tide&amp;t=10"
    assert f'<p><a href="{url}">{url}</a></p>' in posts(SELF_HOSTED)["101"].html


def test_a_gallery_shortcode_shows_the_images_it_names() -> None:
    uploads = "https://harbour.example/wp-content/uploads/2024/02"
    assert (
        f'<figure class="gallery"><img src="{uploads}/quay.jpg" />'
        f'<img src="{uploads}/slipway.jpg" /></figure>'
    ) in posts(SELF_HOSTED)["101"].html
    assert f'<img src="{uploads}/slipway.jpg" />' in posts(SELF_HOSTED)["108"].html


def test_a_gallery_without_known_images_is_left_out(tmp_path: Path) -> None:
    assert body_of(tmp_path, 'Before [gallery] and [gallery ids="9"] after') == (
        "<p>Before  and  after</p>"
    )


def test_unknown_shortcodes_are_removed_keeping_their_text_but_brackets_in_prose_stay() -> None:
    html = posts(SELF_HOSTED)["101"].html
    assert "<p>Mind the steps when the water is up. [sic]</p>" in html


def test_self_closing_and_attribute_only_shortcodes_are_removed(tmp_path: Path) -> None:
    html = body_of(tmp_path, 'Write to us: [contact-form-7 id="12"] or [newsletter /] [see above]')
    assert html == "<p>Write to us:  or  [see above]</p>"


def test_a_body_over_ten_megabytes_is_yielded_whole_for_the_caller_to_refuse(
    tmp_path: Path,
) -> None:
    body = "A long line of text.\n\n" * 550_000
    assert len(body_of(tmp_path, body)) > 10 * 1024 * 1024


# WXR 1.0 (WordPress.com)


def test_a_wxr_1_0_export_is_read_with_its_namespaces() -> None:
    post = posts(WORDPRESS_COM)["7"]
    assert post.title == "Café culture"
    assert post.slug == "café-culture"  # WordPress percent-encodes non-ASCII slugs
    assert post.html == "<p>First cup of the day.</p>\n<p>Second cup.</p>"
    assert post.published_at == datetime(2010, 9, 12, 15, 20, tzinfo=UTC)
    assert post.author_ids == ["kettlediaries"]  # WXR 1.0 has no wp:author: the caller reports
    assert [c.body for c in post.comments] == ["Two cups is restraint."]


def test_a_tag_used_but_never_declared_is_yielded_once_before_the_first_post_using_it() -> None:
    items = read(WORDPRESS_COM)
    undeclared = ImportedTag("post_tag:second-flush", "Second flush", "second-flush")
    assert items.count(undeclared) == 1
    assert items[items.index(undeclared) + 1] == posts(WORDPRESS_COM)["7"]
    assert posts(WORDPRESS_COM)["7"].tag_ids == [
        "category:tea",
        "post_tag:oolong",
        "post_tag:second-flush",
    ]
    assert posts(WORDPRESS_COM)["8"].tag_ids == ["post_tag:second-flush"]


def test_a_category_never_declared_is_yielded_before_its_post() -> None:
    items = read(ODDITIES)
    at = items.index(ImportedTag("category:guest-posts", "Guest posts", "guest-posts"))
    assert items[at + 1] == posts(ODDITIES)["3"]


def test_the_source_of_an_export_is_its_blog_url() -> None:
    assert source_of(SELF_HOSTED) == "https://harbour.example"
    assert source_of(WORDPRESS_COM) == "http://kettlediaries.wordpress.com"
    assert source_of(ODDITIES) == "wordpress"  # neither a blog URL nor a link


# Files that are refused


@pytest.mark.parametrize("name", ["wordpress-billion-laughs.xml", "wordpress-external-entity.xml"])
def test_a_file_declaring_entities_is_refused_before_anything_is_yielded(name: str) -> None:
    items = read_wordpress(EXPORTS / name)
    with pytest.raises(ExportError, match=r"declares XML entities.*billion laughs"):
        next(items)
    with pytest.raises(ExportError, match="declares XML entities"):
        source_of(EXPORTS / name)


def test_a_truncated_file_is_refused_naming_the_line() -> None:
    with pytest.raises(ExportError, match=r"cut short: unclosed CDATA section: line 23"):
        next(read_wordpress(EXPORTS / "wordpress-truncated.xml"))


def test_a_file_cut_short_while_it_is_read_raises_after_the_items_already_yielded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.xml"
    author = "<wp:author><wp:author_login>writer</wp:author_login></wp:author>"
    whole, half = ITEM.format(id=1, body="Whole."), ITEM.format(id=2, body="Half")
    path.write_text(HEADER + author + whole + half + FOOTER)
    items = read_wordpress(path)
    assert next(items) == ImportedAuthor("writer", "writer")
    path.write_text(HEADER + author + whole + half[:100])  # as if a copy were being written
    assert isinstance(next(items), ImportedPost)
    with pytest.raises(ExportError, match="cut short"):
        next(items)


def test_a_file_that_is_not_xml_is_refused() -> None:
    with pytest.raises(ExportError, match=r"not XML, or cut short: syntax error: line 1"):
        read(EXPORTS / "wordpress-not-xml.xml")


def test_an_rss_feed_is_not_a_wordpress_export(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<rss version="2.0"><channel><item><title>A</title></item></channel></rss>')
    with pytest.raises(ExportError, match=r"not a WordPress export .*wxr_version"):
        read(path)
    with pytest.raises(ExportError, match="not a WordPress export"):
        source_of(path)


def test_xml_that_is_not_rss_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text("<urlset><url><loc>https://example.org/</loc></url></urlset>")
    with pytest.raises(ExportError, match=r"its root is not <rss>"):
        read(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot be read"):
        read(tmp_path / "nowhere.xml")


# Memory


def test_memory_stays_bounded_however_many_posts_the_file_has(tmp_path: Path) -> None:
    path = tmp_path / "large.xml"
    body = "A paragraph of an ordinary length, about the harbour and its boats.\n\n" * 40
    with path.open("w") as export:
        export.write(HEADER)
        for post_id in range(3_000):
            export.write(ITEM.format(id=post_id, body=body))
        export.write(FOOTER)
    assert path.stat().st_size > 8 * 1024 * 1024

    tracemalloc.start()
    try:
        count = sum(isinstance(item, ImportedPost) for item in read_wordpress(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3_000
    # Kept in the tree, the items would take more than the file's 9 MB; read one at a time,
    # they take well under 1 MB, whatever the file's size.
    assert peak < 4 * 1024 * 1024
