"""Applying the Alembic migrations from code (the CLI, the server's start, the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

# alembic/ sits beside the package in a checkout; in an installed copy run from
# the project folder (the Docker image) it is found in the working directory.
_CANDIDATES = (Path(__file__).resolve().parent.parent / "alembic", Path.cwd() / "alembic")


def alembic_config() -> Config:
    for folder in _CANDIDATES:
        if (folder / "env.py").exists():
            config = Config()
            config.set_main_option("script_location", str(folder))
            return config
    raise FileNotFoundError("the alembic/ folder was not found beside the cms package")


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind `engine` up to `revision` (default: the newest)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
