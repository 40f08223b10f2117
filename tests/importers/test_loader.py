"""The loader: what an export holds, written through the services, remembered by where it
came from, so that running an import again updates instead of duplicating."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, func, select

from cms.authors.models import Author
from cms.comments.models import Comment
from cms.importers.items import (
    ImportedAuthor,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    Item,
    Skipped,
)
from cms.importers.loader import Loader
from cms.importers.models import ImportSource
from cms.linked.models import PostTag
from cms.posts import service as posts_service
from cms.posts.models import Post
from cms.posts.schemas import PostUpdate
from cms.tags import service as tags_service
from cms.tags.models import Tag
from cms.tags.schemas import TagCreate
from cms.webhooks.models import Webhook, WebhookEvent
from cms.webhooks.signing import new_secret
from tests.factories import make_post

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
WRITTEN = datetime(2019, 3, 1, 8, 30, tzinfo=UTC)
SOURCE = "https://old.example.com"


def comment(source_id: str, status: str = "approved", parent: str | None = None) -> ImportedComment:
    return ImportedComment(source_id=source_id, author_name="Reader", author_email="r@example.com",
                           body=f"Comment {source_id}", status=status,  # type: ignore[arg-type]
                           created_at=WRITTEN, parent_source_id=parent)  # fmt: skip


def blog(**changes: object) -> list[Item]:
    post = dict(
        source_id="10", title="Hello from the old blog", html="<p>Old words.</p>",
        status="published", slug="hello", published_at=WRITTEN, created_at=WRITTEN,
        updated_at=WRITTEN, featured=True, feature_image="https://old.example.com/a.jpg",
        author_ids=["jo"], tag_ids=["category:news"],
        comments=[comment("1"), comment("2", parent="1"), comment("3", "pending"),
                  comment("4", "spam")],
    )  # fmt: skip
    post.update(changes)
    return [
        ImportedAuthor(source_id="jo", name="Jo Goh"),
        ImportedTag(source_id="category:news", name="News"),
        ImportedPost(**post),  # type: ignore[arg-type]
        ImportedPost(
            source_id="11", title="A draft", html="<p>Soon.</p>", status="draft", author_ids=["jo"]
        ),
        Skipped("page", "12", "a page: cms has posts only"),
    ]


def run(session: Session, items: list[Item], **options: object):  # type: ignore[no-untyped-def]
    return Loader(session, source=SOURCE, now=NOW, **options).run(items)  # type: ignore[arg-type]


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_import_makes_posts_authors_tags_and_comments(session: Session) -> None:
    summary = run(session, blog())

    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    assert (post.title, post.status, post.featured) == (
        "Hello from the old blog",
        "published",
        True,
    )
    assert (post.published_at, post.created_at, post.updated_at) == (WRITTEN, WRITTEN, WRITTEN)
    assert (
        post.html == "<p>Old words.</p>" and post.feature_image == "https://old.example.com/a.jpg"
    )
    assert post.comment_count == 2  # the approved ones
    reply = session.exec(select(Comment).where(Comment.body == "Comment 2")).one()
    assert reply.parent_id is not None and reply.depth == 1
    draft = session.exec(select(Post).where(Post.title == "A draft")).one()
    assert draft.status == "draft"
    assert summary.created == {"author": 1, "tag": 1, "post": 2, "comment": 4}
    assert [(s.kind, s.source_id) for s in summary.skipped] == [("page", "12")]
    assert count(session, ImportSource) == 1 + 1 + 2 + 4


def test_importing_again_updates_and_duplicates_nothing(session: Session) -> None:
    run(session, blog())

    again = run(session, blog(title="Hello, edited in the old blog"))

    assert count(session, Post) == 2 and count(session, Comment) == 4
    assert count(session, Author) == 1 and count(session, Tag) == 1
    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    assert post.title == "Hello, edited in the old blog"
    assert again.created == {}
    assert again.updated == {"post": 1}
    assert again.unchanged == {"author": 1, "tag": 1, "post": 1, "comment": 4}


def test_a_post_edited_in_cms_since_is_left_alone_unless_overwritten(session: Session) -> None:
    run(session, blog())
    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    posts_service.update_post(session, post=post, data=PostUpdate(title="Mine now"), actor=None,
                              now=NOW)  # fmt: skip

    kept = run(session, blog())
    assert session.exec(select(Post.title).where(Post.slug == "hello")).one() == "Mine now"
    assert [s.reason for s in kept.skipped if s.kind == "post"] == [
        "edited in cms since it was imported (--overwrite replaces it)"
    ]
    run(session, blog(), overwrite=True)
    assert session.exec(select(Post.title).where(Post.slug == "hello")).one() == (
        "Hello from the old blog"
    )


def test_a_dry_run_writes_nothing_and_says_the_same(session: Session) -> None:
    session.commit()

    dry = run(session, blog(), dry_run=True)

    assert count(session, Post) == 0 and count(session, ImportSource) == 0
    assert dry.created == {"author": 1, "tag": 1, "post": 2, "comment": 4}
    assert dry.lines() == run(session, blog()).lines()


def test_a_taken_slug_gets_a_number_and_a_note(session: Session) -> None:
    make_post(session, slug="hello", title="Already here")

    summary = run(session, blog())

    assert session.exec(select(Post.slug).where(Post.title.startswith("Hello"))).one() == "hello-2"  # type: ignore[attr-defined]
    assert "post 10: the slug 'hello' was taken: now 'hello-2'" in summary.notes


def test_an_author_never_defined_becomes_a_guest_author_with_a_note(session: Session) -> None:
    summary = run(session, blog(author_ids=["ghostwriter"]))

    assert session.exec(select(Author.name).where(Author.name == "ghostwriter")).one()
    assert any("author 'ghostwriter' is referenced but never defined" in n for n in summary.notes)


def test_a_reply_whose_parent_is_missing_joins_the_post(session: Session) -> None:
    summary = run(session, blog(comments=[comment("7", parent="99")]))

    orphan = session.exec(select(Comment).where(Comment.body == "Comment 7")).one()
    assert orphan.parent_id is None
    assert "comment 7: its parent 99 is not in the file: imported as a comment on the post" in (
        summary.notes
    )


def test_a_ten_megabyte_body_is_skipped_naming_the_post_and_the_rest_imported(
    session: Session,
) -> None:
    summary = run(session, blog(html="<p>" + "x" * 10_000_000 + "</p>"))

    assert [(s.kind, s.source_id) for s in summary.skipped][:1] == [("post", "10")]
    assert "html" in summary.skipped[0].reason
    assert session.exec(select(Post.title)).all() == ["A draft"]


def test_an_import_announces_nothing_to_webhooks(session: Session) -> None:
    session.add(Webhook(url="https://hooks.example.com/x", events="*", secret=new_secret()))
    session.flush()

    run(session, blog())

    assert count(session, WebhookEvent) == 0


def test_a_scheduled_post_stays_scheduled(session: Session) -> None:
    later = datetime(2027, 5, 1, tzinfo=UTC)

    run(session, blog(status="scheduled", published_at=later))

    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    assert (post.status, post.published_at) == ("published", later)  # live at its time


def test_posts_commit_in_batches(session: Session) -> None:
    posts: list[Item] = [ImportedAuthor(source_id="jo", name="Jo Goh")]
    posts += [ImportedPost(source_id=str(n), title=f"Post {n}", html="<p>x</p>", status="draft",
                           author_ids=["jo"]) for n in range(5)]  # fmt: skip

    summary = run(session, posts, batch=2)

    assert summary.created["post"] == 5 and count(session, Post) == 5


def test_a_rerun_after_a_post_was_purged_makes_it_again(session: Session) -> None:
    run(session, blog())
    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    session.delete(post)  # purged from the trash: its comments go with it
    session.flush()

    again = run(session, blog())

    assert again.created == {"post": 1, "comment": 4}
    assert session.exec(select(Post).where(Post.slug == "hello")).one().comment_count == 2


def test_a_rerun_after_a_tag_was_deleted_makes_it_again(session: Session) -> None:

    run(session, blog())
    news = session.exec(select(Tag).where(Tag.slug == "news")).one()
    tags_service.delete_tag(session, tag_id=news.id or 0, actor=None, now=NOW)

    again = run(session, blog())

    assert again.created["tag"] == 1 and [s.kind for s in again.skipped] == ["page"]


def test_a_trashed_post_is_left_alone_and_said_so(session: Session) -> None:

    run(session, blog())
    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    posts_service.trash_post(session, post=post, actor=None, now=NOW)

    again = run(session, blog())

    assert [s.reason for s in again.skipped if s.kind == "post"] == [
        "in cms's trash: left alone (restore it to update it)"
    ]


def test_a_refused_post_does_not_take_its_undefined_author_with_it(session: Session) -> None:
    huge = ImportedPost(source_id="1", title="Too long", html="x" * 600_000, status="draft",
                        author_ids=["nobody"])  # fmt: skip
    fine = ImportedPost(source_id="2", title="Fine", html="<p>ok</p>", status="draft",
                        author_ids=["nobody"])  # fmt: skip

    summary = run(session, [huge, fine])

    assert [s.source_id for s in summary.skipped] == ["1"]
    assert summary.created == {"author": 1, "post": 1}
    assert session.exec(select(Post.title)).all() == ["Fine"]


def test_ids_longer_than_the_column_are_kept_by_their_hash(session: Session) -> None:
    login = "x" * 300
    items: list[Item] = [ImportedAuthor(source_id=login, name="Long login"),
                         ImportedPost(source_id="p" * 400, title="T", html="<p>t</p>",
                                      status="draft", author_ids=[login])]  # fmt: skip
    run(session, items)

    again = run(session, items)

    assert again.unchanged == {"author": 1, "post": 1} and count(session, Post) == 1


def test_replies_deeper_than_threads_go_join_the_deepest_allowed(session: Session) -> None:
    chain = [comment("1")] + [comment(str(n), parent=str(n - 1)) for n in range(2, 8)]

    run(session, blog(comments=chain), max_depth=3)

    depths = session.exec(select(Comment.depth)).all()
    assert max(depths) == 3 and len(depths) == 7


def test_fields_cms_cannot_take_are_left_out_not_the_post(session: Session) -> None:
    seo = {"canonical_url": "javascript:alert(1)", "meta_title": "M"}
    summary = run(session, blog(excerpt="e" * 600, feature_image_alt="a" * 1500, seo=seo))

    post = session.exec(select(Post).where(Post.slug == "hello")).one()
    assert (post.custom_excerpt, post.feature_image_alt, post.canonical_url) == (None, None, None)
    assert post.meta_title == "M"
    assert sum("left out" in note for note in summary.notes) == 3


def test_long_names_are_cut_and_two_authors_of_one_name_stay_two(session: Session) -> None:
    items: list[Item] = [
        ImportedAuthor(source_id="sam1", name="Sam"),
        ImportedAuthor(source_id="sam2", name="Sam"),
        ImportedTag(source_id="t", name="T" * 300),
        ImportedPost(source_id="1", title="By the second Sam", html="<p>x</p>", status="draft",
                     author_ids=["sam2"], tag_ids=["t"]),
    ]  # fmt: skip

    summary = run(session, items)

    assert summary.created == {"author": 2, "tag": 1, "post": 1}
    assert sorted(session.exec(select(Author.slug)).all()) == ["sam", "sam-2"]
    assert len(session.exec(select(Tag.name)).one()) == 191


def test_empty_comments_are_skipped(session: Session) -> None:
    blank = ImportedComment(source_id="9", author_name="", author_email="", body="  ",
                            status="approved", created_at=WRITTEN)  # fmt: skip

    summary = run(session, blog(comments=[blank]))

    assert [(s.kind, s.source_id, s.reason) for s in summary.skipped][:1] == [
        ("comment", "9", "empty")
    ]


def test_an_undefined_author_is_noted_once_not_on_every_run(session: Session) -> None:
    run(session, blog(author_ids=["ghostwriter"]))

    again = run(session, blog(author_ids=["ghostwriter"]))

    assert not any("never defined" in note for note in again.notes)


def test_a_newer_row_that_took_a_deleted_rows_id_is_not_taken_for_it(session: Session) -> None:

    run(session, blog())
    news = session.exec(select(Tag).where(Tag.slug == "news")).one()
    tags_service.delete_tag(session, tag_id=news.id or 0, actor=None, now=NOW)
    later = NOW + timedelta(days=1)  # on SQLite it may well get the deleted tag's id
    tags_service.create_tag(session, data=TagCreate(name="Editor's own"), actor=None, now=later)

    again = Loader(session, source=SOURCE, now=later).run(blog())

    assert again.created["tag"] == 1
    post = session.exec(select(Post).where(Post.slug == "hello")).one()

    linked = session.exec(select(Tag.name).join(PostTag).where(PostTag.post_id == post.id)).all()
    assert linked == ["News"]
