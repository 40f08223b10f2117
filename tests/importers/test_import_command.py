"""`cms import wordpress|ghost FILE` on a database of its own: what a user sees (the
summary, the exit status) and what the database holds after."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from cms.cli import app
from cms.comments.models import Comment
from cms.config import get_settings
from cms.db import make_engine
from cms.importers.models import ImportSource
from cms.posts.models import Post

EXPORTS = Path(__file__).with_name("exports")
WORDPRESS = EXPORTS / "wordpress-self-hosted-1.2.xml"


@pytest.fixture
def database_url(new_database, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = new_database()
    monkeypatch.setenv("CMS_DATABASE_URL", url)
    monkeypatch.setenv("CMS_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def cms(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def rows(url: str, model: type) -> list[Any]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(model)).all())
    engine.dispose()
    return found


def by_slug(url: str) -> dict[str, Post]:
    return {post.slug: post for post in rows(url, Post)}


def test_a_wordpress_export_is_imported_with_its_statuses_and_threads(database_url: str) -> None:
    result = cms("import", "wordpress", str(WORDPRESS))

    assert result.exit_code == 0, result.output
    assert "Created: 2 authors, 4 tags, 7 posts, 5 comments" in result.output
    assert "page 150: a page: cms has posts only" in result.output
    assert "post 104: private in WordPress: imported as a draft" in result.output
    posts = by_slug(database_url)
    assert posts["spring-tides"].status == "published"
    assert posts["harbour-dues"].status == "draft"  # pending review
    assert posts["winter-meeting"].status == "draft"  # private
    assert posts["mooring-codes"].status == "draft"  # password-protected
    assert posts["welcome-aboard"].featured is True  # sticky
    assert "wrong-tide-times" not in posts and "about" not in posts  # trash, a page
    spring = posts["spring-tides"]
    assert spring.comment_count == 1  # one approved; pending, spam and trashed ones kept apart
    statuses = sorted(c.status for c in rows(database_url, Comment) if c.post_id == spring.id)
    assert statuses == ["approved", "deleted", "deleted", "pending", "spam"]
    assert all(
        source.source == "https://harbour.example" for source in rows(database_url, ImportSource)
    )


def test_running_an_import_again_duplicates_nothing(database_url: str) -> None:
    cms("import", "wordpress", str(WORDPRESS))

    again = cms("import", "wordpress", str(WORDPRESS))

    assert again.exit_code == 0, again.output
    assert "Created: nothing" in again.output
    assert "Unchanged: 2 authors, 4 tags, 7 posts, 5 comments" in again.output
    assert len(rows(database_url, Post)) == 7 and len(rows(database_url, Comment)) == 5


def test_a_dry_run_writes_nothing_and_reports_the_same(database_url: str) -> None:
    dry = cms("import", "wordpress", str(WORDPRESS), "--dry-run")

    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("Dry run: nothing was written.")
    assert rows(database_url, Post) == [] and rows(database_url, ImportSource) == []
    real = cms("import", "wordpress", str(WORDPRESS))
    assert dry.output.split("\n", 1)[1] == real.output.split("\n", 1)[1]


def test_a_ghost_export_is_imported_with_its_images_where_the_site_was(database_url: str) -> None:
    result = cms("import", "ghost", str(EXPORTS / "ghost-5.json"),
                 "--site-url", "https://old-ghost.example.com")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "page 65a0f1c2e4b0a1b2c3d4e524: a page: cms has posts only" in result.output
    hello = by_slug(database_url)["hello-ghost-5"]
    assert hello.feature_image and hello.feature_image.startswith("https://old-ghost.example.com/")
    assert (hello.meta_title, hello.feature_image_alt) == ("Hello, Ghost 5 (SEO)", "A sunrise")


def test_two_ghost_sites_owners_stay_two_authors(database_url: str) -> None:
    cms("import", "ghost", str(EXPORTS / "ghost-5.json"))

    second = cms("import", "ghost", str(EXPORTS / "ghost-4.json"))

    assert "Created: 2 authors" in second.output  # Lin, the other site's owner, and Sam


@pytest.mark.parametrize(
    ("kind", "name", "says"),
    [
        ("wordpress", "wordpress-not-xml.xml", "not XML"),
        ("wordpress", "wordpress-truncated.xml", "cut short"),
        ("wordpress", "wordpress-billion-laughs.xml", "refused"),
        ("wordpress", "wordpress-external-entity.xml", "refused"),
        ("ghost", "wordpress-not-xml.xml", "JSON"),
        ("ghost", "wordpress-self-hosted-1.2.xml", "JSON"),
    ],
)
def test_a_file_that_cannot_be_read_writes_nothing_and_exits_1(
    database_url: str, kind: str, name: str, says: str
) -> None:
    result = cms("import", kind, str(EXPORTS / name))

    assert result.exit_code == 1
    assert says in result.output
    assert rows(database_url, Post) == [] and rows(database_url, ImportSource) == []


def test_a_ghost_export_of_an_unknown_version_is_refused(database_url: str, tmp_path: Path) -> None:
    old = tmp_path / "ghost-2.json"
    old.write_text('{"db": [{"meta": {"version": "2.31.0"}, "data": {"posts": []}}]}')

    result = cms("import", "ghost", str(old))

    assert result.exit_code == 1
    assert "Ghost 2" in result.output


@pytest.mark.parametrize("kind", ["wordpress", "ghost"])
def test_a_missing_file_or_a_folder_is_refused_with_status_1(
    database_url: str, kind: str, tmp_path: Path
) -> None:
    for path in (tmp_path / "missing.xml", tmp_path):
        result = cms("import", kind, str(path))

        assert result.exit_code == 1, result.output
        assert str(path) in result.output
