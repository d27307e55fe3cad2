"""parents' survey comments that can be marked restricted (issue 15, point 7)

Revision ID: 15a1000000e5
Revises: 15a1000000d4
Create Date: 2026-12-04 18:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '15a1000000e5'
down_revision = '15a1000000d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('survey_comment', schema=None) as batch_op:
        batch_op.drop_column('restricted')
