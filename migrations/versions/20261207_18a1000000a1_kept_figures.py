"""each finding's readiness and each action's RAG kept up to date, for the dashboard (issue 18, point 4)

Revision ID: 18a1000000a1
Revises: 17a2000000a1
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '18a1000000a1'
down_revision = '17a2000000a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'finding_figures',
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('worked_on', sa.Date(), nullable=True),
        sa.Column('stale_days', sa.Integer(), nullable=True),
        sa.Column('colour_all', sa.String(length=10), nullable=True),
        sa.Column('reasons_all', sa.JSON(), nullable=True),
        sa.Column('current_all', sa.Integer(), nullable=True),
        sa.Column('colour_public', sa.String(length=10), nullable=True),
        sa.Column('reasons_public', sa.JSON(), nullable=True),
        sa.Column('current_public', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_figures_finding_id_finding'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_finding_figures')),
    )
    op.create_table(
        'action_figures',
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('worked_on', sa.Date(), nullable=True),
        sa.Column('stale_days', sa.Integer(), nullable=True),
        sa.Column('live', sa.Boolean(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('rag', sa.String(length=10), nullable=True),
        sa.Column('overdue', sa.Boolean(), nullable=True),
        sa.Column('stale', sa.Boolean(), nullable=True),
        sa.Column('latest_update_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_figures_action_id_action'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('action_id', name=op.f('pk_action_figures')),
    )
    op.create_index('ix_action_figures_counted', 'action_figures',
                    ['live', 'status', 'rag', 'overdue', 'stale', 'worked_on', 'stale_days'])
    op.create_table(
        'measure_figures',
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('worked_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_measure_figures_measure_id_measure'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('measure_id', name=op.f('pk_measure_figures')),
    )
    # a row for every finding, action and measure there is, to be worked out on the first view
    for table, parent, key in (('finding_figures', 'finding', 'finding_id'), ('action_figures', 'action', 'action_id'),
                               ('measure_figures', 'measure', 'measure_id')):
        op.execute(f'INSERT INTO {table} ({key}, generation) SELECT id, 0 FROM {parent}')
    # the dashboard counts evidence by status from the index alone
    op.create_index('ix_evidence_item_status_counts', 'evidence_item',
                    ['status', 'sensitivity', 'uploaded_by_id', 'archived_at'])


def downgrade():
    op.drop_index('ix_evidence_item_status_counts', table_name='evidence_item')
    op.drop_table('measure_figures')
    op.drop_index('ix_action_figures_counted', table_name='action_figures')
    op.drop_table('action_figures')
    op.drop_table('finding_figures')
