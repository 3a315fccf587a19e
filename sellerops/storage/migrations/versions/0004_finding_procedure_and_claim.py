"""finding: the procedure it belongs to, and its claim

A finding belongs to one procedure (a run resolves only its own procedure's findings), so every
existing finding — all made by the nightly reconciliation — gets `reconciliation`; the default is
dropped afterwards, so a writer that forgets to name its procedure fails instead of mislabelling.
A claim is recorded beside the finding: claim_state (none | claimed | reimbursed | denied), case_id,
claimed_at and claim_closed_at. Keys and first_seen are untouched.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='reconciliation'))
        batch_op.add_column(sa.Column('claim_state', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='none'))
        batch_op.add_column(sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sellerops.storage.tables.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('claim_closed_at', sellerops.storage.tables.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_finding_procedure'), ['procedure'], unique=False)
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.alter_column('procedure', existing_type=sqlmodel.sql.sqltypes.AutoString(),
                              existing_nullable=False, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_procedure'))
        batch_op.drop_column('claim_closed_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('case_id')
        batch_op.drop_column('claim_state')
        batch_op.drop_column('procedure')
