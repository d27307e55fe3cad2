"""inspection under way: notification date, the inspectors' information requests (issue 16)

Revision ID: 16a1000000d4
Revises: 16a1000000c3
Create Date: 2026-12-05 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import tracker.models

# revision identifiers, used by Alembic.
revision = '16a1000000d4'
down_revision = '16a1000000c3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
