"""workers, named leases and the send budget: several processes share one database

Source and delivery leases name their owner, so a re-run can tell a live holder from a dead one
and a worker renews only what it holds.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): a batch rebuild would lose the search triggers' neighbours.
    op.add_column("source", sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("delivery", sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        "worker",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), primary_key=True),
        sa.Column("host", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "lease",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), primary_key=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "send_budget",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), primary_key=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_table("lease")
    op.drop_table("worker")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("lease_owner")
    with op.batch_alter_table("source") as batch:
        batch.drop_column("lease_owner")
