"""returns: order reports with customer keys, return requests and unit actions (sellerops.storage.returns)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 16:40:52
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('return_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rma_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('requested_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('amazon_status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('in_policy', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('return_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reasons', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('buyer_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('vip', sa.Boolean(), nullable=True),
    sa.Column('vip_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('clv_cents', sa.BigInteger(), nullable=True),
    sa.Column('orders_365d', sa.Integer(), nullable=True),
    sa.Column('care_script', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('label_path', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('care_decision_id', sa.Integer(), nullable=True),
    sa.Column('form_run_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('first_seen_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'rma_id', 'sku', name='uq_return_request')
    )
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_request_rma_id'), ['rma_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_request_status'), ['status'], unique=False)

    op.create_table('return_unit_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('returned_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('license_plate_number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('disposition', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'order_id', 'sku', 'returned_at', 'license_plate_number', name='uq_return_unit_action')
    )
    with op.batch_alter_table('return_unit_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_unit_action_sku'), ['sku'], unique=False)

    op.create_table('actionable_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('order_item_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('purchase_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('payments_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('promise_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('buyer_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('product_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('quantity_purchased', sa.Integer(), nullable=True),
    sa.Column('quantity_shipped', sa.Integer(), nullable=True),
    sa.Column('quantity_to_ship', sa.Integer(), nullable=True),
    sa.Column('ship_service_level', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_city', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_state', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_postal_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_country', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sales_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('is_business_order', sa.Boolean(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'order_id', 'order_item_id', name='uq_actionable_order_line')
    )
    with op.batch_alter_table('actionable_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actionable_order_line_buyer_key'), ['buyer_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_actionable_order_line_order_id'), ['order_id'], unique=False)

    op.create_table('fulfilled_shipment_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amazon_order_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('merchant_order_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('shipment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('shipment_item_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amazon_order_item_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('purchase_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('payments_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('shipment_date', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('buyer_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('product_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('quantity_shipped', sa.Integer(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('item_price_cents', sa.BigInteger(), nullable=True),
    sa.Column('item_tax_cents', sa.BigInteger(), nullable=True),
    sa.Column('shipping_price_cents', sa.BigInteger(), nullable=True),
    sa.Column('item_promotion_discount_cents', sa.BigInteger(), nullable=True),
    sa.Column('ship_city', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_state', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_postal_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ship_country', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fulfillment_center_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fulfillment_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sales_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('report_file_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_file_id'], ['report_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'shipment_id', 'shipment_item_id', name='uq_fulfilled_shipment_line')
    )
    with op.batch_alter_table('fulfilled_shipment_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfilled_shipment_line_amazon_order_id'), ['amazon_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfilled_shipment_line_buyer_key'), ['buyer_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('fulfilled_shipment_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfilled_shipment_line_buyer_key'))
        batch_op.drop_index(batch_op.f('ix_fulfilled_shipment_line_amazon_order_id'))

    op.drop_table('fulfilled_shipment_line')
    with op.batch_alter_table('actionable_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actionable_order_line_order_id'))
        batch_op.drop_index(batch_op.f('ix_actionable_order_line_buyer_key'))

    op.drop_table('actionable_order_line')
    with op.batch_alter_table('return_unit_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_unit_action_sku'))

    op.drop_table('return_unit_action')
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_request_status'))
        batch_op.drop_index(batch_op.f('ix_return_request_rma_id'))

    op.drop_table('return_request')
