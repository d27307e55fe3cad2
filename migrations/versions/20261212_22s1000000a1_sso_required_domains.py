"""sso required domains: the email domains an administrator requires to sign in by single sign-on (issue 20)

Revision ID: 22s1000000a1
Revises: 21a1000000a1
Create Date: 2026-12-06 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "22s1000000a1"
down_revision = "21a1000000a1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sso_required_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user.id"], name=op.f("fk_sso_required_domain_added_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_required_domain")),
        sa.UniqueConstraint("domain", name=op.f("uq_sso_required_domain_domain")),
    )


def downgrade():
    op.drop_table("sso_required_domain")
