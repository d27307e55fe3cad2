"""user sso subject: the single sign-on account (issuer and subject) each account is linked to (issue 20)

Revision ID: 22s1000000b2
Revises: 22s1000000a1
Create Date: 2026-12-06 04:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "22s1000000b2"
down_revision = "22s1000000a1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sso_issuer", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("sso_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_sso_issuer"), ["sso_issuer", "sso_subject"])


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_sso_issuer"), type_="unique")
        batch_op.drop_column("sso_subject")
        batch_op.drop_column("sso_issuer")
