"""the outbox's destination index ends with sent_at: a chat's last send is read without its history

Several workers pace a chat from its last send (storage.deliveries.last_sends); with sent_at in
the index that is a short range per chat, however long the outbox has grown.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain index operations: a batch operation could rebuild the table.
    op.drop_index("ix_delivery_destination", table_name="delivery")
    op.create_index("ix_delivery_destination", "delivery", ["transport", "destination", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_delivery_destination", table_name="delivery")
    op.create_index("ix_delivery_destination", "delivery", ["transport", "destination"])
