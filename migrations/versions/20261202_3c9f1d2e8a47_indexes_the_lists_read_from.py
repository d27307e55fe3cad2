"""indexes the evidence and action lists read their pages and counts from

Revision ID: 3c9f1d2e8a47
Revises: b7d4e2a91c05
Create Date: 2026-12-02 19:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c9f1d2e8a47'
down_revision = 'b7d4e2a91c05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_item_live_listed', ['archived_at', 'about_date', 'id'], unique=False)
        batch_op.create_index('ix_evidence_item_counted', ['archived_at', 'sensitivity', 'uploaded_by_id'], unique=False)
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index('ix_action_counted', ['archived_at', 'status', 'owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_counted')
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_item_counted')
        batch_op.drop_index('ix_evidence_item_live_listed')
