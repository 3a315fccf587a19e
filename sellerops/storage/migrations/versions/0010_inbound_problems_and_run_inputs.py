"""inbound problems and tracker run inputs

The FBA inbound performance report's problem lines (inbound_problem, evidence on a shipment's
shortage), and the fingerprint of what a tracker run read besides the inbound responses
(inbound_run.inputs), so an hourly run with nothing new re-evaluates only what the clock changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 17:05:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('issue_reported_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('shipment_creation_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('fba_shipment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fba_carton_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fulfillment_center_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fnsku', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('asin', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('product_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('problem_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('problem_quantity', sa.Integer(), nullable=True),
    sa.Column('expected_quantity', sa.Integer(), nullable=True),
    sa.Column('received_quantity', sa.Integer(), nullable=True),
    sa.Column('performance_measurement_unit', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('coaching_level', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fee_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fee_total_cents', sa.BigInteger(), nullable=True),
    sa.Column('problem_level', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('alert_status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'fba_shipment_id', 'fba_carton_id', 'sku', 'problem_type', 'issue_reported_date',
                        name='uq_inbound_problem')
    )
    op.create_index(op.f('ix_inbound_problem_fba_shipment_id'), 'inbound_problem', ['fba_shipment_id'], unique=False)
    with op.batch_alter_table('inbound_run') as batch:
        batch.add_column(sa.Column('inputs', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbound_run') as batch:
        batch.drop_column('inputs')
    op.drop_index(op.f('ix_inbound_problem_fba_shipment_id'), table_name='inbound_problem')
    op.drop_table('inbound_problem')
