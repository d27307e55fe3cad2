"""audit events hash the row they changed, and the chain is keyed (issue 15, point 4); action history redactions

Revision ID: 15a1000000c3
Revises: 15a1000000b2
Create Date: 2026-12-04 18:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '15a1000000c3'
down_revision = '15a1000000b2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
