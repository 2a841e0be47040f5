"""full-text search over items: FTS5 on SQLite, a GIN expression index on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_EXPRESSION = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, ''))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_item_search ON item USING gin ({PG_EXPRESSION})")
        return
    # External-content FTS5: the index reads title/text from item, triggers keep it in step.
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS item_fts USING fts5("
        "title, text, content='item', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS item_fts_insert AFTER INSERT ON item BEGIN "
        "INSERT INTO item_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS item_fts_delete AFTER DELETE ON item BEGIN "
        "INSERT INTO item_fts(item_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS item_fts_update AFTER UPDATE OF title, text ON item BEGIN "
        "INSERT INTO item_fts(item_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO item_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute("INSERT INTO item_fts(item_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_item_search")
        return
    for trigger in ("item_fts_insert", "item_fts_delete", "item_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS item_fts")
