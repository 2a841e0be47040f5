"""the outbox for every transport: rows say transport, destination and payload; channel outputs

Outbox rows held Telegram HTML and an inline-keyboard JSON for a numeric chat. They now hold
what their transport sends (`payload`, Telegram's as JSON: method, text, buttons) for a
destination of that transport (a chat id, an @channel, later a phone number), and the
transport's receipt of what it delivered. Existing rows are carried over, open ones included.
Also the tables of the [[publish]] outputs: their state, and the stories posted to them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transport", sa.Text(), nullable=False, server_default="telegram")
        )
        batch_op.add_column(sa.Column("destination", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("receipt", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    _carry_rows_over()
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.alter_column("destination", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("payload", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("transport", existing_type=sa.Text(), server_default=None)
        batch_op.drop_index("ix_delivery_chat_id")
        batch_op.drop_column("chat_id")
        batch_op.drop_column("text")
        batch_op.drop_column("markup")
        batch_op.drop_column("message_id")
        batch_op.create_index(
            "ix_delivery_destination", ["transport", "destination"], unique=False
        )

    op.create_table(
        "publish_target",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chat", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("in_config", sa.Boolean(), nullable=False),
        sa.Column("next_digest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "published_story",
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("languages", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("post_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("target_id", "story_id"),
    )


def downgrade() -> None:
    op.drop_table("published_story")
    op.drop_table("publish_target")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("markup", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
    # Only Telegram rows for numeric chats fit the old shape; the others cannot go back.
    bind = op.get_bind()
    table = _delivery(("chat_id", "text", "markup", "message_id"))
    bind.execute(
        table.delete().where(
            (table.c.transport != "telegram") | table.c.destination.like("@%")
        )
    )
    for row in bind.execute(sa.select(table.c.id, table.c.destination, table.c.payload,
                                      table.c.receipt)).all():
        data = json.loads(row.payload)
        buttons = data.get("buttons") or []
        markup = (
            json.dumps({"inline_keyboard": [[{"text": label, "callback_data": value}
                                              for label, value in line] for line in buttons]})
            if buttons else None
        )
        bind.execute(
            table.update().where(table.c.id == row.id).values(
                chat_id=int(row.destination), text=data.get("text") or "", markup=markup,
                message_id=int(row.receipt) if row.receipt and row.receipt.isdigit() else None,
            )
        )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_destination")
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("transport")
        batch_op.drop_column("destination")
        batch_op.drop_column("payload")
        batch_op.drop_column("receipt")
        batch_op.create_index("ix_delivery_chat_id", ["chat_id"], unique=False)


def _delivery(extra: Sequence[str]) -> sa.Table:
    columns = [sa.column("id", sa.Integer), sa.column("transport", sa.Text),
               sa.column("destination", sa.Text), sa.column("payload", sa.Text),
               sa.column("receipt", sa.Text)]
    kinds = {"chat_id": sa.BigInteger, "text": sa.Text, "markup": sa.Text,
             "message_id": sa.Integer}
    return sa.table("delivery", *columns, *(sa.column(name, kinds[name]) for name in extra))


def _carry_rows_over() -> None:
    """Each old row's HTML and keyboard as the Telegram payload its sender now reads."""
    bind = op.get_bind()
    table = _delivery(("chat_id", "text", "markup", "message_id"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, table.c.chat_id, table.c.text, table.c.markup,
                      table.c.message_id)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            payload: dict[str, object] = {"method": "sendMessage", "text": row.text}
            buttons = _buttons(row.markup)
            if buttons:
                payload["buttons"] = buttons
            bind.execute(
                table.update().where(table.c.id == row.id).values(
                    destination=str(row.chat_id),
                    payload=json.dumps(payload, ensure_ascii=False),
                    receipt=str(row.message_id) if row.message_id is not None else None,
                )
            )
        last = rows[-1].id


def _buttons(markup: str | None) -> list[list[list[str]]]:
    if not markup:
        return []
    try:
        keyboard = json.loads(markup).get("inline_keyboard") or []
    except (ValueError, AttributeError):
        return []
    return [
        [[str(b.get("text", "")), str(b.get("callback_data", ""))] for b in row
         if isinstance(b, dict) and b.get("callback_data")]
        for row in keyboard if isinstance(row, list)
    ]
