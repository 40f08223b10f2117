"""The `cms` command: serve the API, migrate the database, load the demo content."""

from typing import Annotated

import typer
import uvicorn
from sqlmodel import Session

from cms.config import get_settings
from cms.db import make_engine
from cms.demo.loader import load_demo
from cms.migrations import upgrade_database
from cms.timestamps import utcnow

app = typer.Typer(help="cms: a headless CMS content API.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to CMS_DATABASE_URL."""
    engine = make_engine(get_settings().database_url)
    upgrade_database(engine)
    engine.dispose()
    typer.echo("Database is up to date.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Apply pending migrations, then serve the API with uvicorn."""
    db_upgrade()
    uvicorn.run("cms.app:create_app", factory=True, host=host, port=port, access_log=access_log)


@app.command()
def demo() -> None:
    """Apply migrations and load the demo content (running it again adds nothing)."""
    engine = make_engine(get_settings().database_url)
    upgrade_database(engine)
    with Session(engine) as session:
        report = load_demo(session, now=utcnow())
        session.commit()
    engine.dispose()
    typer.echo(
        f"Demo content loaded: {report.posts} new posts, {report.authors} new authors, "
        f"{report.tags} new tags."
    )
