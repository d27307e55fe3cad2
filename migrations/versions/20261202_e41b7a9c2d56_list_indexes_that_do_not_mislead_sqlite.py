"""list indexes that do not mislead SQLite's planner

Revision ID: e41b7a9c2d56
Revises: 3c9f1d2e8a47
Create Date: 2026-12-02 21:45:00.000000

Indexes led by archived_at made SQLite, which keeps no statistics here, take "archived_at IS NULL"
for a narrow search: it drove the findings list's evidence counts from every evidence item
(1.3 s at a region's size instead of 30 ms). The count's index keeps archived_at last.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e41b7a9c2d56'
down_revision = '3c9f1d2e8a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_counted')
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_item_live_listed')
        batch_op.drop_index('ix_evidence_item_counted')
        batch_op.create_index('ix_evidence_item_counted', ['sensitivity', 'uploaded_by_id', 'archived_at'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_item_counted')
        batch_op.create_index('ix_evidence_item_counted', ['archived_at', 'sensitivity', 'uploaded_by_id'], unique=False)
        batch_op.create_index('ix_evidence_item_live_listed', ['archived_at', 'about_date', 'id'], unique=False)
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index('ix_action_counted', ['archived_at', 'status', 'owner_id'], unique=False)
