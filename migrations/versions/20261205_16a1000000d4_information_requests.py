"""inspection under way: notification date, the inspectors' information requests (issue 16)

Revision ID: 16a1000000d4
Revises: 16a1000000c3
Create Date: 2026-12-05 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import tracker.models

# revision identifiers, used by Alembic.
revision = '16a1000000d4'
down_revision = '16a1000000c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inspection_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', tracker.models.UTCDateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', tracker.models.UTCDateTime(), nullable=True),
    sa.Column('open_marker', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_inspection_period_closed_by_id_user')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_period_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_inspection_period_opened_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_period')),
    sa.UniqueConstraint('open_marker', name=op.f('uq_inspection_period_open_marker'))
    )
    with op.batch_alter_table('inspection_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_period_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('information_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('category', sa.Enum('self_evaluation', 'data', 'case_sampling', 'partnership', 'commissioning', 'voice', 'other', name='requestcategory', native_enum=False, length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_at', tracker.models.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'sent', 'closed', name='requeststatus', native_enum=False, length=40), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('names_child', sa.Boolean(), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['logged_by_id'], ['user.id'], name=op.f('fk_information_request_logged_by_id_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_information_request_owner_id_user')),
    sa.ForeignKeyConstraint(['period_id'], ['inspection_period.id'], name=op.f('fk_information_request_period_id_inspection_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_request')),
    sa.UniqueConstraint('period_id', 'number', name='uq_information_request_period_number')
    )
    with op.batch_alter_table('information_request', schema=None) as batch_op:
        batch_op.create_index('ix_information_request_listed', ['period_id', 'due_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_information_request_owner_id'), ['owner_id'], unique=False)

    op.create_table('request_evidence',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_for', sa.Boolean(), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('attached_at', tracker.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attached_by_id'], ['user.id'], name=op.f('fk_request_evidence_attached_by_id_user')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_item.id'], name=op.f('fk_request_evidence_evidence_id_evidence_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['information_request.id'], name=op.f('fk_request_evidence_request_id_information_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'evidence_id', name=op.f('pk_request_evidence'))
    )
    with op.batch_alter_table('request_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_evidence_evidence_id'), ['evidence_id'], unique=False)


def downgrade():
    with op.batch_alter_table('request_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_evidence_evidence_id'))

    op.drop_table('request_evidence')
    with op.batch_alter_table('information_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_information_request_owner_id'))
        batch_op.drop_index('ix_information_request_listed')

    op.drop_table('information_request')
    with op.batch_alter_table('inspection_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_period_inspection_id'))

    op.drop_table('inspection_period')
