"""the self-evaluation: statements per criterion, their versions, citations and sign-off (issue 16)

Revision ID: 16a1000000b2
Revises: 16a1000000a1
Create Date: 2026-12-05 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import tracker.models

# revision identifiers, used by Alembic.
revision = '16a1000000b2'
down_revision = '16a1000000a1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
