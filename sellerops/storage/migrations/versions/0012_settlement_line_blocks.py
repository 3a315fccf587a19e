"""settlement lines as one block per settlement on SQLite

The table of sellerops.storage.lineblocks: on SQLite a settlement file's lines are one compressed
columnar block (the per-row insert was most of a month's load). Existing SQLite lines move into
blocks, one per report file, and leave settlement_line; PostgreSQL keeps its rows (the table is
created there too, and stays empty). Downgrade moves the blocks back into rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 19:40:00
"""
import datetime as dt

from alembic import op
import pandas as pd
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('settlement_line_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('settlement_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('format', sa.Integer(), nullable=False),
    sa.Column('lines', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'settlement_id', name='uq_settlement_line_block')
    )
    with op.batch_alter_table('settlement_line_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_line_block_report_file_id'), ['report_file_id'], unique=False)
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _rows_to_blocks(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _blocks_to_rows(conn)
    with op.batch_alter_table('settlement_line_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_line_block_report_file_id'))
    op.drop_table('settlement_line_block')


def _rows_to_blocks(conn) -> None:
    """Each report file's settlement lines into its block, then out of settlement_line."""
    from sellerops.storage import lineblocks

    files = conn.exec_driver_sql(
        "SELECT DISTINCT report_file_id, account, settlement_id FROM settlement_line").all()
    for fid, account, sid in files:
        lines = pd.read_sql_query(
            sa.text("SELECT * FROM settlement_line WHERE report_file_id = :f AND account = :a "
                    "AND settlement_id = :s ORDER BY id"), conn, params={"f": fid, "a": account, "s": sid})
        lines["posted_date_time"] = pd.to_datetime(lines["posted_date_time"], utc=True)
        lineblocks.write(conn, lines.drop(columns="id"), account, sid, fid)
    conn.exec_driver_sql("DELETE FROM settlement_line")


def _blocks_to_rows(conn) -> None:
    from sellerops.storage import lineblocks
    from sellerops.storage.bulk import bulk_insert
    from sellerops.storage.tables import SettlementLine

    for (block,) in conn.exec_driver_sql("SELECT lines FROM settlement_line_block ORDER BY id").all():
        lines = lineblocks.decode(bytes(block))
        # dates come back as their ISO text; the bulk writer binds date objects
        lines["posted_date"] = [None if pd.isna(d) else dt.date.fromisoformat(d) for d in lines["posted_date"].astype(object)]
        if lines["raw_digest"].dtype.kind == "u":  # kept as integers in a block, as text in a row
            lines["raw_digest"] = [f"{x:016x}" for x in lines["raw_digest"].tolist()]
        bulk_insert(conn, SettlementLine.__table__, lines)
