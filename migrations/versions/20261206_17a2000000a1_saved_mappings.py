"""mappings of an import's columns and vocabularies, remembered for next time (issue 17, point 2)

Revision ID: 17a2000000a1
Revises: 16a1000000d4
Create Date: 2026-12-06 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '17a2000000a1'
down_revision = '16a1000000d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('signature', sa.String(length=64), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['saved_by_id'], ['user.id'], name=op.f('fk_saved_mapping_saved_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_mapping')),
        sa.UniqueConstraint('kind', 'signature', name='uq_saved_mapping_kind_signature'),
    )


def downgrade():
    op.drop_table('saved_mapping')
