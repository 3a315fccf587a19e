"""decisions and incidents

The tables of sellerops.storage.people: decisions a procedure owes a person and their escalation
steps, listing-takedown incidents with their tiers and timelines, and backup listings. Written on
its own branch after 0003; it is rechained onto the newest revision at merge.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-28 14:08:56
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sellerops.storage.tables


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('backup_listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('backup_sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'marketplace', 'sku', name='uq_backup_listing')
    )
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('chain', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('escalate_every_hours', sa.Float(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deadline', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('breached_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('escalated_to', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('answered_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('procedure', 'subject', 'what', name='uq_decision')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_procedure'), ['procedure'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_subject'), ['subject'], unique=False)

    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('marketplace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('asin', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('complaint_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('rights_owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('open_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('opened_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('appeal_filed_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('priority_review', sa.Boolean(), nullable=False),
    sa.Column('run_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key', name='uq_incident_open_listing')
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_sku'), ['sku'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)

    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('notified', sa.Boolean(), nullable=False),
    sa.Column('notify_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('decision_id', 'step', name='uq_escalation_step')
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_decision_id'), ['decision_id'], unique=False)

    op.create_table('incident_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', sellerops.storage.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_event_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('poa_markdown', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('legal_decision', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('complaint_valid', sa.Boolean(), nullable=True),
    sa.Column('evidence_complete', sa.Boolean(), nullable=True),
    sa.Column('backup_proposed', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('backup_sku', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('run_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'tier', name='uq_incident_tier')
    )
    with op.batch_alter_table('incident_tier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_tier_incident_id'), ['incident_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('incident_tier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_tier_incident_id'))

    op.drop_table('incident_tier')
    with op.batch_alter_table('incident_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_event_incident_id'))

    op.drop_table('incident_event')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_decision_id'))

    op.drop_table('escalation')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_sku'))
        batch_op.drop_index(batch_op.f('ix_incident_account'))

    op.drop_table('incident')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_subject'))
        batch_op.drop_index(batch_op.f('ix_decision_state'))
        batch_op.drop_index(batch_op.f('ix_decision_procedure'))

    op.drop_table('decision')
    op.drop_table('backup_listing')
