"""bounded night indexes

The by-key reads of a bounded night (sellerops.reconciliation.bounded): the order lines whose grace
ends tonight (by purchase date), and the order, return and reimbursement rows a new report file
wrote (by report file), and a reimbursement's reversals (by original reimbursement) — each an index
instead of a scan of the history. Declared with their tables in sellerops.storage.tables.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 19:50:00
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_order_line_account_purchase_date', 'order_line', ['account', 'purchase_date']),
    ('ix_order_line_report_file_id', 'order_line', ['report_file_id']),
    ('ix_fba_return_report_file_id', 'fba_return', ['report_file_id']),
    ('ix_seller_return_report_file_id', 'seller_return', ['report_file_id']),
    ('ix_reimbursement_report_file_id', 'reimbursement', ['report_file_id']),
    ('ix_reimbursement_account_order', 'reimbursement', ['account', 'amazon_order_id']),
    ('ix_reimbursement_account_original', 'reimbursement', ['account', 'original_reimbursement_id']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
