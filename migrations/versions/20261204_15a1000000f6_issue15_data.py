"""data changes for issue 15: survey respondents' one-way ids keyed with a secret (HMAC), not bare SHA-256

Revision ID: 15a1000000f6
Revises: 15a1000000e5
Create Date: 2026-12-04 18:40:00.000000

Until now `survey_reply.respondent_key` held the SHA-256 of what identified the respondent (a
school's name, an ID), which anyone can recompute from a guess. Each such id becomes the HMAC of
that SHA-256 under the service's respondent key (`tracker.surveys.importer.keyed_respondent`),
which is what an import now stores for the same value: so a respondent counted before the
upgrade is the same respondent in a later export, and "39 replies from 29 SENCOs" stays right.
Ids already keyed (they start `k1:`) are left alone, so running the upgrade again changes nothing.
"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from tracker.surveys.importer import KEYED, keyed_respondent, respondent_secret

# revision identifiers, used by Alembic.
revision = '15a1000000f6'
down_revision = '15a1000000e5'
branch_labels = None
depends_on = None

reply = sa.table("survey_reply", sa.column("id", sa.Integer), sa.column("respondent_key", sa.String(64)))


def upgrade():
    connection, secret = op.get_bind(), respondent_secret(current_app.config)
    bare = connection.execute(sa.select(reply.c.id, reply.c.respondent_key)
                              .where(reply.c.respondent_key.is_not(None),
                                     sa.not_(reply.c.respondent_key.startswith(KEYED)))).all()
    if bare:
        connection.execute(reply.update().where(reply.c.id == sa.bindparam("reply_id"))
                           .values(respondent_key=sa.bindparam("keyed")),
                           [{"reply_id": reply_id, "keyed": keyed_respondent(digest, secret)} for reply_id, digest in bare])


def downgrade():
    """Keyed ids stay keyed: the bare SHA-256 cannot be had back from them, and the values were never kept.

    The older code only counts distinct ids within a survey, so after a downgrade a respondent who
    replies again in a later import is counted twice until the next upgrade keys the new bare ids
    to the same values as the old ones.
    """
