"""data changes for issue 15 (respondent ids keyed with a secret), if any

Revision ID: 15a1000000f6
Revises: 15a1000000e5
Create Date: 2026-12-04 18:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '15a1000000f6'
down_revision = '15a1000000e5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
