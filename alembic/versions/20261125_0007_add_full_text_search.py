"""add full-text search over posts: FTS5 on SQLite, a weighted tsvector with GIN on PostgreSQL

Both are kept in step with edits by the database itself (triggers on SQLite, a generated
column on PostgreSQL), so no code path can forget to. Title weighs most, then the excerpt,
then the text. On SQLite, a later migration that rebuilds `posts` (batch mode) drops the
triggers with the old table and must create them again: see SQLITE_TRIGGERS.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = "title, excerpt, plaintext"
NEW = "new.id, new.title, new.excerpt, new.plaintext"
OLD = "'delete', old.id, old.title, old.excerpt, old.plaintext"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
        INSERT INTO posts_fts (rowid, {FIELDS}) VALUES ({NEW});
    END""",
    f"""CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts (posts_fts, rowid, {FIELDS}) VALUES ({OLD});
    END""",
    f"""CREATE TRIGGER posts_fts_update AFTER UPDATE OF {FIELDS} ON posts BEGIN
        INSERT INTO posts_fts (posts_fts, rowid, {FIELDS}) VALUES ({OLD});
        INSERT INTO posts_fts (rowid, {FIELDS}) VALUES ({NEW});
    END""",
]
POSTGRES_VECTOR = """
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(excerpt, '')), 'B')
    || setweight(to_tsvector('english', coalesce(plaintext, '')), 'C')
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE posts_fts USING fts5({FIELDS}, content='posts',"
            " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "ALTER TABLE posts ADD COLUMN search_vector tsvector"
            f" GENERATED ALWAYS AS ({POSTGRES_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER posts_fts_{name}")
        op.execute("DROP TABLE posts_fts")
    else:
        op.execute("DROP INDEX ix_posts_search_vector")
        op.execute("ALTER TABLE posts DROP COLUMN search_vector")
