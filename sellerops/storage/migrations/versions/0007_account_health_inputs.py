"""account-health inputs

The tables of sellerops.storage.health: seller performance metrics, the FBA manage-inventory
snapshot, Sponsored Products search-term rows, the seller's cycle counts and purchase-order lines.
Written on its own branch after 0006; it is rechained onto the newest revision at merge.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 16:40:27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ad_search_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('campaign_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ad_group_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('targeting', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('match_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('customer_search_term', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('impressions', sa.Integer(), nullable=True),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('spend_cents', sa.BigInteger(), nullable=True),
    sa.Column('sales_cents', sa.BigInteger(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'date', 'campaign_name', 'ad_group_name', 'targeting', 'match_type', 'customer_search_term', name='uq_ad_search_term')
    )
    with op.batch_alter_table('ad_search_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_search_term_date'), ['date'], unique=False)

    op.create_table('cycle_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('count_date', sa.Date(), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('counted_quantity', sa.Integer(), nullable=False),
    sa.Column('system_quantity', sa.Integer(), nullable=False),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'count_date', 'location', 'sku', name='uq_cycle_count')
    )
    with op.batch_alter_table('cycle_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_count_count_date'), ['count_date'], unique=False)

    op.create_table('fba_inventory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('asin', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fnsku', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('product_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('afn_warehouse_quantity', sa.Integer(), nullable=True),
    sa.Column('afn_fulfillable_quantity', sa.Integer(), nullable=True),
    sa.Column('afn_unsellable_quantity', sa.Integer(), nullable=True),
    sa.Column('afn_reserved_quantity', sa.Integer(), nullable=True),
    sa.Column('afn_total_quantity', sa.Integer(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'report_file_id', 'sku', name='uq_fba_inventory')
    )
    with op.batch_alter_table('fba_inventory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fba_inventory_report_file_id'), ['report_file_id'], unique=False)

    op.create_table('performance_metric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reporting_from', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reporting_to', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('report_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'report_file_id', 'marketplace_id', 'metric', 'channel', name='uq_performance_metric')
    )
    with op.batch_alter_table('performance_metric', schema=None) as batch_op:
        batch_op.create_index('ix_performance_metric_lookup', ['account', 'metric', 'marketplace_id', 'report_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_performance_metric_report_file_id'), ['report_file_id'], unique=False)

    op.create_table('purchase_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('po_number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('supplier', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('expected_arrival_date', sa.Date(), nullable=False),
    sa.Column('actual_arrival_date', sa.Date(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'po_number', 'sku', name='uq_purchase_order_line')
    )
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_supplier'), ['supplier'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_supplier'))

    op.drop_table('purchase_order_line')
    with op.batch_alter_table('performance_metric', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performance_metric_report_file_id'))
        batch_op.drop_index('ix_performance_metric_lookup')

    op.drop_table('performance_metric')
    with op.batch_alter_table('fba_inventory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fba_inventory_report_file_id'))

    op.drop_table('fba_inventory')
    with op.batch_alter_table('cycle_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_count_count_date'))

    op.drop_table('cycle_count')
    with op.batch_alter_table('ad_search_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_search_term_date'))

    op.drop_table('ad_search_term')
