"""evidence: indexes for "Needs your attention", which reads only the first ten of each kind (issue 19)

Revision ID: 21a1000000a1
Revises: 19a1000000b2
Create Date: 2026-12-06 01:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "21a1000000a1"
down_revision = "19a1000000b2"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_evidence_item_returned_to": ["uploaded_by_id", "status", "archived_at", "reviewed_at"],
    "ix_evidence_item_review_by_of": ["uploaded_by_id", "status", "archived_at", "review_by"],
    "ix_evidence_item_waiting_since": ["status", "updated_at"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "evidence_item", columns)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="evidence_item")
