"""an inspection's outcome from the framework, and the dates it sets (issue 16)

Revision ID: 16a1000000c3
Revises: 16a1000000b2
Create Date: 2026-12-05 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import tracker.models

# revision identifiers, used by Alembic.
revision = '16a1000000c3'
down_revision = '16a1000000b2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
