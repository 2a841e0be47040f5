"""drop the item indexes on canonical URL and text hash: exact dedup looks keys up in story_key

Every item insert kept two b-trees of long keys that no query reads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain DROP INDEX: a batch operation could rebuild the table and lose its search triggers.
    op.drop_index("ix_item_canonical_url", table_name="item")
    op.drop_index("ix_item_text_hash", table_name="item")


def downgrade() -> None:
    op.create_index("ix_item_text_hash", "item", ["text_hash"], unique=False)
    op.create_index("ix_item_canonical_url", "item", ["canonical_url"], unique=False)
