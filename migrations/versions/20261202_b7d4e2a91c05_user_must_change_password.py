"""users' "must change password at next sign-in", set when an administrator resets a password

Revision ID: b7d4e2a91c05
Revises: 5e1a7c3b9d20
Create Date: 2026-12-02 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d4e2a91c05'
down_revision = '5e1a7c3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
