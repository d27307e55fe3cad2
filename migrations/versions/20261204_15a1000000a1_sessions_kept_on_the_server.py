"""server-side session records, one per sign-in (issue 15, point 1)

Revision ID: 15a1000000a1
Revises: e41b7a9c2d56
Create Date: 2026-12-04 18:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '15a1000000a1'
down_revision = 'e41b7a9c2d56'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
