"""`cms import wordpress|ghost FILE`: the file's reader, the loader, and progress on a
terminal (nothing in a pipe, where a log would fill with bars)."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from cms.importers import ghost, wordpress
from cms.importers.loader import Loader
from cms.importers.summary import Summary


def import_file(
    session: Session,
    *,
    kind: str,
    path: Path,
    now: datetime,
    dry_run: bool,
    overwrite: bool,
    site_url: str | None = None,
    max_depth: int = 3,
) -> Summary:
    """Import the export at `path` (ExportError if it cannot be read at all, before anything
    is written). `site_url`: a Ghost site's address, for its site-relative images;
    `max_depth`: how deep replies nest here (CMS_COMMENT_MAX_DEPTH)."""
    if kind == "ghost":
        items = ghost.read_ghost(path, site_url=site_url)  # read and checked here, once
        source = "ghost"  # an export never names its site (ids are unique: cms.importers.ghost)
    else:
        items = wordpress.read_wordpress(path)
        source = wordpress.source_of(path)
    with _progress(sys.stderr.isatty()) as advance:
        loader = Loader(
            session,
            source=source,
            now=now,
            dry_run=dry_run,
            overwrite=overwrite,
            max_depth=max_depth,
            on_post=advance,
        )
        return loader.run(items)


@contextmanager
def _progress(shown: bool) -> Iterator[Callable[[], None]]:
    if not shown:
        yield lambda: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.completed} posts"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("import")
        yield lambda: progress.advance(task)
