"""reconcile state

The table of sellerops.storage.reconcile_state: per account, what the last computed reconciliation
had seen (newest loaded file, policy digest, each market's as-of and earliest settlement), so a
night judges only what changed since. Written on its own branch after 0006; it is rechained onto
the newest revision at merge.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 16:50:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reconcile_state',
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('files_loaded', sa.Integer(), nullable=False),
    sa.Column('policy_digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('markets', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('account')
    )


def downgrade() -> None:
    op.drop_table('reconcile_state')
