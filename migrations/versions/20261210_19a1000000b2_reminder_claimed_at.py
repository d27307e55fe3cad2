"""reminders: when a run last took a digest or Teams post to send, so one still sending long after is shown stuck (issue 19)

Revision ID: 19a1000000b2
Revises: 20a1000000a1
Create Date: 2026-12-06 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "19a1000000b2"
down_revision = "20a1000000a1"
branch_labels = None
depends_on = None

TABLES = ("reminder_digest", "teams_post")


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        # one already sending was claimed when it was made: a first send is claimed as it is made
        table = sa.table(name, sa.column("status", sa.String), sa.column("created_at", sa.DateTime),
                         sa.column("claimed_at", sa.DateTime))
        op.execute(table.update().where(table.c.status == "sending").values(claimed_at=table.c.created_at))


def downgrade():
    for name in TABLES:
        # the older code knows no "stuck": it is what it was before, a send that never finished
        table = sa.table(name, sa.column("status", sa.String))
        op.execute(table.update().where(table.c.status == "stuck").values(status="sending"))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("claimed_at")
