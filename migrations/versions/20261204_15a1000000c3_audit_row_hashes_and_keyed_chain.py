"""audit events hash the row they changed, and the chain is keyed (issue 15, point 4); action history redactions

Revision ID: 15a1000000c3
Revises: 15a1000000b2
Create Date: 2026-12-04 18:40:00.000000

Events already written keep format 1 (SHA-256, no row fingerprint) and stay verifiable; events written from now on
are format 2 (HMAC-SHA256 under the audit key, with the fingerprint of the row they changed). The chain's head gets
a MAC under the audit key now, so a chain rewritten later in the unkeyed format is caught. Redactions need no
schema: the redacted text is replaced in the event, and the redaction is an event of its own (docs/audit.md).
"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from tracker.audit import GENESIS, audit_keys, chain_digest, head_mac

# revision identifiers, used by Alembic.
revision = '15a1000000c3'
down_revision = '15a1000000b2'
branch_labels = None
depends_on = None

head = sa.table("audit_chain_head", sa.column("id", sa.Integer), sa.column("last_seq", sa.BigInteger),
                sa.column("last_hash", sa.String(64)), sa.column("mac", sa.String(64)))
event = sa.table("audit_event", *(sa.column(name) for name in (
    "id", "actor_id", "actor_label", "verb", "entity_type", "entity_id", "chain_seq", "prev_hash", "hash",
    "chain_version")), sa.column("occurred_at", sa.DateTime), sa.column("before", sa.JSON), sa.column("after", sa.JSON))


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_version', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    key = next(iter(audit_keys(current_app.config).values()))
    connection = op.get_bind()
    for row in connection.execute(sa.select(head.c.id, head.c.last_seq, head.c.last_hash)).all():
        connection.execute(head.update().where(head.c.id == row.id).values(mac=head_mac(key, row.last_seq, row.last_hash)))


def downgrade():
    """Format 2 events are hashed again in format 1, from the first of them on, so that the older code still
    verifies the chain: their row fingerprints and the key are dropped with the columns."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(event).order_by(event.c.chain_seq)).mappings().all()
    previous, changes = GENESIS, []
    for row in rows:
        if row["chain_seq"] is None:
            continue
        if row["chain_version"] == 2:
            digest = chain_digest(row, row["chain_seq"], previous)
            changes.append({"event_id": row["id"], "prev": previous, "digest": digest})
            previous = digest
        else:
            previous = row["hash"]
    if changes:
        connection.execute(event.update().where(event.c.id == sa.bindparam("event_id"))
                           .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")), changes)
        connection.execute(head.update().values(last_hash=previous))
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('mac')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('key_id')
        batch_op.drop_column('chain_version')
