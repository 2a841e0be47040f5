"""one row of packed band hashes per item instead of one row per band

The near-duplicate index is now searched in memory; the database keeps what it is built from.
Existing band rows are packed item by item, so stories keep folding across the upgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000  # items written per executemany while converting
# Plain statements: times pass through in each database's own stored form.
INSERT_PACKED = "INSERT INTO item_bands (item_id, seen_at, bands) VALUES (:item_id, :seen_at, :bands)"
INSERT_BAND = "INSERT INTO story_band (band, item_id, seen_at) VALUES (:band, :item_id, :seen_at)"


def upgrade() -> None:
    op.create_table(
        "item_bands",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bands", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_index("ix_item_bands_seen_at", "item_bands", ["seen_at"], unique=False)
    rows = op.get_bind().execute(
        sa.text("SELECT item_id, seen_at, band FROM story_band ORDER BY item_id, band")
    ).fetchall()
    packed = []
    for item_id, group in groupby(rows, key=lambda row: row[0]):
        members = list(group)
        bands = [row[2] for row in members]
        packed.append(
            {
                "item_id": item_id,
                "seen_at": members[0][1],
                "bands": struct.pack(f"<{len(bands)}q", *bands),
            }
        )
        if len(packed) >= BATCH:
            _insert(INSERT_PACKED, packed)
            packed = []
    _insert(INSERT_PACKED, packed)
    op.drop_table("story_band")


def downgrade() -> None:
    op.create_table(
        "story_band",
        sa.Column("band", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("band", "item_id"),
        sqlite_with_rowid=False,
    )
    rows = op.get_bind().execute(sa.text("SELECT item_id, seen_at, bands FROM item_bands"))
    for item_id, seen_at, blob in rows.fetchall():
        bands = struct.unpack(f"<{len(blob) // 8}q", blob)
        _insert(
            INSERT_BAND,
            [{"band": band, "item_id": item_id, "seen_at": seen_at} for band in set(bands)],
        )
    op.drop_index("ix_item_bands_seen_at", table_name="item_bands")
    op.drop_table("item_bands")


def _insert(statement: str, rows: list[dict[str, object]]) -> None:
    if rows:
        op.get_bind().execute(sa.text(statement), rows)
