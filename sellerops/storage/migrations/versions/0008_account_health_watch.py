"""account health watch

The tables of sellerops.storage.health_watch: warnings per (signal, subject), their level changes,
the values behind the trends, and what the answering procedures record (ads paused, warehouse
freezes, backup suppliers and switches, clearance proposals, keyword tasks). Written on its own
branch after 0006; it is rechained onto the newest revision at merge.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 16:41:03.171334
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('backup_supplier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('backup_supplier', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supplier', 'sku', name='uq_backup_supplier')
    )
    with op.batch_alter_table('backup_supplier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_backup_supplier_supplier'), ['supplier'], unique=False)

    op.create_table('health_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('signal', 'subject', 'at', name='uq_health_value')
    )
    with op.batch_alter_table('health_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_value_signal'), ['signal'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_value_subject'), ['subject'], unique=False)

    op.create_table('health_warning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('measured_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('since', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('open_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key', name='uq_health_warning_open')
    )
    with op.batch_alter_table('health_warning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_warning_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_warning_signal'), ['signal'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_warning_subject'), ['subject'], unique=False)

    op.create_table('health_ads_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('instruction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('issued_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['warning_id'], ['health_warning.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('warning_id', name='uq_health_ads_pause')
    )
    with op.batch_alter_table('health_ads_pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_ads_pause_marketplace'), ['marketplace'], unique=False)

    op.create_table('health_clearance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=True),
    sa.Column('days_of_cover', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('age_days', sa.Integer(), nullable=True),
    sa.Column('proposal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('markdown_percent', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['warning_id'], ['health_warning.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('warning_id', name='uq_health_clearance')
    )
    with op.batch_alter_table('health_clearance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_clearance_sku'), ['sku'], unique=False)

    op.create_table('health_keyword_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('keyword', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('task', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('done_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['warning_id'], ['health_warning.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('warning_id', 'step', name='uq_health_keyword_task')
    )
    with op.batch_alter_table('health_keyword_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_keyword_task_keyword'), ['keyword'], unique=False)

    op.create_table('health_level_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('from_level', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('to_level', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['warning_id'], ['health_warning.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('warning_id', 'at', name='uq_health_level_change')
    )
    with op.batch_alter_table('health_level_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_level_change_signal'), ['signal'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_level_change_warning_id'), ['warning_id'], unique=False)

    op.create_table('health_supplier_switch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('supplier', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('backup_supplier', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('switched_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('notified', sa.Boolean(), nullable=False),
    sa.Column('notify_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['warning_id'], ['health_warning.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('warning_id', 'sku', name='uq_health_supplier_switch')
    )
    with op.batch_alter_table('health_supplier_switch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_supplier_switch_supplier'), ['supplier'], unique=False)

    op.create_table('health_warehouse_freeze',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('frozen_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('open_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('lifted_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['warning_id'], ['health_warning.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key', name='uq_health_freeze_open'),
    sa.UniqueConstraint('warning_id', name='uq_health_freeze_warning')
    )
    with op.batch_alter_table('health_warehouse_freeze', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_warehouse_freeze_location'), ['location'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('health_warehouse_freeze', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_warehouse_freeze_location'))

    op.drop_table('health_warehouse_freeze')
    with op.batch_alter_table('health_supplier_switch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_supplier_switch_supplier'))

    op.drop_table('health_supplier_switch')
    with op.batch_alter_table('health_level_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_level_change_warning_id'))
        batch_op.drop_index(batch_op.f('ix_health_level_change_signal'))

    op.drop_table('health_level_change')
    with op.batch_alter_table('health_keyword_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_keyword_task_keyword'))

    op.drop_table('health_keyword_task')
    with op.batch_alter_table('health_clearance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_clearance_sku'))

    op.drop_table('health_clearance')
    with op.batch_alter_table('health_ads_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_ads_pause_marketplace'))

    op.drop_table('health_ads_pause')
    with op.batch_alter_table('health_warning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_warning_subject'))
        batch_op.drop_index(batch_op.f('ix_health_warning_signal'))
        batch_op.drop_index(batch_op.f('ix_health_warning_level'))

    op.drop_table('health_warning')
    with op.batch_alter_table('health_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_value_subject'))
        batch_op.drop_index(batch_op.f('ix_health_value_signal'))

    op.drop_table('health_value')
    with op.batch_alter_table('backup_supplier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_backup_supplier_supplier'))

    op.drop_table('backup_supplier')
