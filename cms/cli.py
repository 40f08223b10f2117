"""The `cms` command: serve, migrate, load the demo, and make users, API tokens and
content API keys."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import uvicorn
from pydantic import ValidationError
from sqlmodel import Session

from cms.auth import service as auth_service
from cms.auth.schemas import TokenCreate
from cms.cache import version as content_version
from cms.cache.broadcast import from_settings as broadcasting
from cms.config import get_settings
from cms.db import make_engine
from cms.demo.loader import load_demo
from cms.ghost import keys as content_keys
from cms.ghost.schemas import ContentKeyCreate
from cms.importers.items import ExportError
from cms.importers.run import import_file
from cms.migrations import upgrade_database
from cms.problems import DomainError, invalid_fields
from cms.timestamps import utcnow
from cms.users import service as users_service
from cms.users.models import Role
from cms.users.schemas import UserCreate

app = typer.Typer(help="cms: a headless CMS content API.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts that sign in to the Admin API.", no_args_is_help=True)
tokens_app = typer.Typer(help="Long-lived API tokens for scripts.", no_args_is_help=True)
content_keys_app = typer.Typer(
    help="Keys for the Ghost-compatible Content API (/ghost/api/content/).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(content_keys_app, name="content-keys")
import_app = typer.Typer(
    help="Bring posts, authors, tags and comments over from WordPress or Ghost.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


@contextmanager
def migrated_session() -> Iterator[Session]:
    """A session on the migrated database, committed at the end; a refusal ends the command."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade_database(engine)
        purged: set[str] = set()
        with Session(engine) as session:
            # Servers' caches drop what this changed, as they do for the API's writes.
            content_version.watch(session, then=lambda keys, _version: purged.update(keys))
            yield session
            session.commit()
        broadcast = broadcasting(settings)
        if broadcast is not None:  # servers hear of it at once, not within a second
            if purged:
                broadcast.publish(purged)
            broadcast.close()
    except DomainError as error:
        _fail(error.detail)
    except ValidationError as error:
        _fail(invalid_fields(error))
    finally:
        engine.dispose()


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to CMS_DATABASE_URL."""
    engine = make_engine(get_settings().database_url)
    upgrade_database(engine)
    engine.dispose()
    typer.echo("Database is up to date.")


# How long uvicorn's supervisor waits for a worker to answer its health ping before it
# kills it (uvicorn's own default is 5 s). A worker answers only once Python has started and
# unpickled it; on a busy 2-core machine that took longer than 5 s, and every worker killed
# and started again made the machine busier still. Dead workers are noticed at once anyway:
# the ping is only for a process that is alive but stuck.
WORKER_HEALTHCHECK_SECONDS = 60


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool | None,
        typer.Option(help="Log every request (default: CMS_ACCESS_LOG, off).", show_default=False),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (use the CPUs).")] = 1,
) -> None:
    """Apply pending migrations, then serve the API with uvicorn."""
    db_upgrade()
    settings = get_settings()
    if "secret_key" not in settings.model_fields_set:
        # Not configured: one random key, but the same in every worker, so that they all
        # tell visitors apart alike.
        os.environ["CMS_SECRET_KEY"] = settings.secret_key
    uvicorn.run(
        "cms.app:create_app",
        factory=True,
        host=host,
        port=port,
        access_log=settings.access_log if access_log is None else access_log,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


@app.command()
def demo() -> None:
    """Apply migrations and load the demo content (running it again adds nothing)."""
    with migrated_session() as session:
        report = load_demo(session, now=utcnow(), settings=get_settings())
    typer.echo(
        f"Demo content loaded: {report.posts} new posts, {report.authors} new authors, "
        f"{report.tags} new tags, each new post and author with its picture in the media library."
    )


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Option(help="Signs in with this e-mail.")],
    name: Annotated[str, typer.Option(help="The name shown for the user.")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Apply migrations and open an account (the first owner of a new install, say)."""
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with migrated_session() as session:
        data = UserCreate(email=email, name=name, role=role, password=password)
        user = users_service.create_user(session, data=data, actor=None, now=utcnow())
        done = f"Created {user.role} {user.email} (id {user.id})."
    typer.echo(done)  # once committed


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Option(help="The e-mail of the user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, to tell it apart.")],
) -> None:
    """Apply migrations and make an API token; its secret is printed once, here."""
    with migrated_session() as session:
        data = TokenCreate(name=name)
        owner = users_service.get_user_by_email(session, email=user)
        issued, _ = auth_service.create_api_token(
            session, name=data.name, owner_id=owner.id, actor=None, now=utcnow()
        )
        note = f"This token acts as {owner.email}. Keep it now: it will not be shown again."
    typer.echo(issued.secret)  # once committed
    typer.echo(note)


@content_keys_app.command("create")
def create_content_key(
    name: Annotated[str, typer.Option(help="Which front end it is for, to tell keys apart.")],
) -> None:
    """Apply migrations and make a content API key; it is printed once, here."""
    with migrated_session() as session:
        data = ContentKeyCreate(name=name)
        issued = content_keys.create_key(session, name=data.name, actor=None, now=utcnow())
    typer.echo(issued.key)  # once committed
    typer.echo(
        "Give it to the front end as its Content API key, with this server's address as the "
        "Ghost URL. It will not be shown again."
    )


# Not typer's own checks (exit status 2): a file that is missing or unreadable is one that
# cannot be read, as the readers say (status 1).
ExportFile = Annotated[Path, typer.Argument(help="The export file.")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Read and check everything, write nothing: the summary.")
]
Overwrite = Annotated[
    bool, typer.Option("--overwrite", help="Replace posts edited in cms since the last import.")
]


@import_app.command("wordpress")
def import_wordpress(
    file: ExportFile, dry_run: DryRun = False, overwrite: Overwrite = False
) -> None:
    """Import a WordPress export (WXR: Tools → Export → All content). Running it again
    updates what it brought in before and duplicates nothing."""
    _import("wordpress", file, dry_run=dry_run, overwrite=overwrite)


@import_app.command("ghost")
def import_ghost(
    file: ExportFile,
    dry_run: DryRun = False,
    overwrite: Overwrite = False,
    site_url: Annotated[
        str | None,
        typer.Option(help="The Ghost site's address, for its images (/content/images/...)."),
    ] = None,
) -> None:
    """Import a Ghost 4, 5 or 6 export (Settings → Labs → Export your content). Running it
    again updates what it brought in before and duplicates nothing."""
    _import("ghost", file, dry_run=dry_run, overwrite=overwrite, site_url=site_url)


def _import(kind: str, file: Path, **options: Any) -> None:
    try:
        with migrated_session() as session:
            depth = get_settings().comment_max_depth
            summary = import_file(
                session, kind=kind, path=file, now=utcnow(), max_depth=depth, **options
            )
    except ExportError as error:
        message = str(error)
        _fail(message if str(file) in message else f"{file}: {message}")
    heading = "Dry run: nothing was written. " if options["dry_run"] else ""
    typer.echo(f"{heading}Imported from {file}:")
    for line in summary.lines():
        typer.echo(line)
