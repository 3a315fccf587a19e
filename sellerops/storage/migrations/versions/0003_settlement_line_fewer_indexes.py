"""settlement_line: drop two indexes no query uses

Every settlement line was written into three b-trees besides its table. No query reads lines by
(order_id, sku) — the reconciliation reads an account's lines whole — and lines by settlement are
found through uq_settlement_line (account, settlement_id, line_no). Measured on 1 M lines into
SQLite: 12.8 s with both indexes, 9.3 s without, and 20 % less disk.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 01:40:00
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_index('ix_settlement_line_order_sku')
        batch_op.drop_index('ix_settlement_line_settlement_id')


def downgrade() -> None:
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.create_index('ix_settlement_line_settlement_id', ['settlement_id'], unique=False)
        batch_op.create_index('ix_settlement_line_order_sku', ['order_id', 'sku'], unique=False)
