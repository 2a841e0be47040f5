"""WhatsApp: subscribers on a transport, their language and 24-hour window; inbound messages
handled once; what the platform says of a delivery (status webhooks)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscriber") as batch:
        batch.add_column(sa.Column("transport", sqlmodel.sql.sqltypes.AutoString(),
                                   server_default="telegram", nullable=False))
        batch.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("last_inbound_at", sa.DateTime(timezone=True),
                                   nullable=True))
    # Plain ADD COLUMN on the outbox: its busiest table need not be rebuilt.
    op.add_column("delivery", sa.Column("receipt_status", sqlmodel.sql.sqltypes.AutoString(),
                                        nullable=True))
    op.add_column("delivery", sa.Column("receipt_status_at", sa.DateTime(timezone=True),
                                        nullable=True))
    op.create_index("ix_delivery_receipt", "delivery", ["transport", "receipt"], unique=False)
    op.create_table(
        "inbound_message",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbound_message_received_at", "inbound_message", ["received_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbound_message_received_at", table_name="inbound_message")
    op.drop_table("inbound_message")
    op.drop_index("ix_delivery_receipt", table_name="delivery")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("receipt_status_at")
        batch.drop_column("receipt_status")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_column("last_inbound_at")
        batch.drop_column("language")
        batch.drop_column("transport")
