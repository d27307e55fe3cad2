"""action reference key and indexes for lists

Revision ID: 8cd621f0cd36
Revises: c94ea728307a
Create Date: 2026-12-02 16:20:32.096020

"""
import re

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8cd621f0cd36'
down_revision = 'c94ea728307a'
branch_labels = None
depends_on = None


# link tables whose primary key starts with the other column: read from this side, they need an index
SECOND_SIDES = [('evidence_finding', 'finding_id'), ('evidence_action', 'action_id'), ('measure_finding', 'finding_id'),
                ('action_finding', 'finding_id'), ('action_measure', 'measure_id'), ('action_contributor', 'user_id'),
                ('survey_finding', 'finding_id'), ('comment_finding', 'finding_id')]


def _reference_key(reference: str) -> str:
    """As tracker.plan.models.reference_key on the day of this migration: digits padded, letters lower-cased."""
    return re.sub(r"\d+", lambda digits: digits.group().zfill(12)[-12:], reference.lower())


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_key', sa.String(length=200), nullable=True))
    action = sa.table('action', sa.column('id', sa.Integer), sa.column('reference', sa.String),
                      sa.column('reference_key', sa.String))
    connection = op.get_bind()
    for action_id, reference in connection.execute(sa.select(action.c.id, action.c.reference)).all():
        connection.execute(action.update().where(action.c.id == action_id).values(reference_key=_reference_key(reference)))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.alter_column('reference_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index(batch_op.f('ix_action_reference_key'), ['reference_key'], unique=False)
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.create_index('ix_progress_update_action_written', ['action_id', 'written_on'], unique=False)
    op.create_index('ix_evidence_item_listed', 'evidence_item', ['about_date', 'id'], unique=False)
    for table, column in SECOND_SIDES:
        op.create_index(f'ix_{table}_{column}', table, [column], unique=False)


def downgrade():
    for table, column in SECOND_SIDES:
        op.drop_index(f'ix_{table}_{column}', table_name=table)
    op.drop_index('ix_evidence_item_listed', table_name='evidence_item')
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_update_action_written')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_reference_key'))
        batch_op.drop_column('reference_key')
