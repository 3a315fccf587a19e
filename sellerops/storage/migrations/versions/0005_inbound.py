"""inbound shipments tracked node by node: saved SP-API responses, what each showed, items,
shipments, node events, claims and tracker runs (sellerops.storage.inbound)

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-28 14:11:34
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('shipment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('filed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'shipment_id', 'sku', name='uq_inbound_claim')
    )
    op.create_table('inbound_node_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('shipment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('node', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entered_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'shipment_id', 'node', name='uq_inbound_node_event')
    )
    op.create_table('inbound_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('now', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('transitions', sa.Integer(), nullable=False),
    sa.Column('findings_open', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('inbound_shipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('shipment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('api_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('plan_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('destination_fc', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('node', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('entered_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_observed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_observed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'shipment_id', name='uq_inbound_shipment')
    )
    op.create_table('inbound_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('observed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('operation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('api_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('plan_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('shipment_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_file_id', name='uq_inbound_response_file')
    )
    with op.batch_alter_table('inbound_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_response_account'), ['account'], unique=False)

    op.create_table('inbound_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('shipment_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('api_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fnsku', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('quantity_shipped', sa.Integer(), nullable=False),
    sa.Column('quantity_received', sa.Integer(), nullable=True),
    sa.Column('quantity_in_case', sa.Integer(), nullable=True),
    sa.Column('observed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['inbound_response.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'shipment_ref', 'sku', 'api_version', name='uq_inbound_item')
    )
    op.create_table('inbound_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('observed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('node', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('api_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('shipment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('draft_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('plan_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('destination_fc', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['inbound_response.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('response_id', 'position', name='uq_inbound_observation')
    )
    with op.batch_alter_table('inbound_observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_observation_account'), ['account'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inbound_observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_observation_account'))

    op.drop_table('inbound_observation')
    op.drop_table('inbound_item')
    with op.batch_alter_table('inbound_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_response_account'))

    op.drop_table('inbound_response')
    op.drop_table('inbound_shipment')
    op.drop_table('inbound_run')
    op.drop_table('inbound_node_event')
    op.drop_table('inbound_claim')
