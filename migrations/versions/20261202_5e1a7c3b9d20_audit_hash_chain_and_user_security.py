"""audit hash chain, and users' session version, password date and two-step verification

Revision ID: 5e1a7c3b9d20
Revises: 8cd621f0cd36
Create Date: 2026-12-02 19:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from tracker.audit import CHAINED_FIELDS, GENESIS, chain_digest

# revision identifiers, used by Alembic.
revision = '5e1a7c3b9d20'
down_revision = '8cd621f0cd36'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_chain_seq'), ['chain_seq'])

    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    seq, previous = _chain_existing_events()
    op.bulk_insert(head, [{'id': 1, 'last_seq': seq, 'last_hash': previous}])


def _chain_existing_events() -> tuple[int, str]:
    """Events written before the chain existed join it in the order they were written (by id)."""
    event = sa.table('audit_event', *(sa.column(name) for name in CHAINED_FIELDS),
                     sa.column('chain_seq'), sa.column('prev_hash'), sa.column('hash'))
    event.c.before.type = event.c.after.type = sa.JSON()
    event.c.occurred_at.type = sa.DateTime()
    connection = op.get_bind()
    seq, previous, last_id = 0, GENESIS, 0
    while True:
        rows = connection.execute(sa.select(*(event.c[name] for name in CHAINED_FIELDS))
                                  .where(event.c.id > last_id).order_by(event.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return seq, previous
        changes = []
        for row in rows:
            seq += 1
            digest = chain_digest(row, seq, previous)
            changes.append({'event_id': row['id'], 'seq': seq, 'prev': previous, 'digest': digest})
            previous, last_id = digest, row['id']
        connection.execute(event.update().where(event.c.id == sa.bindparam('event_id'))
                           .values(chain_seq=sa.bindparam('seq'), prev_hash=sa.bindparam('prev'), hash=sa.bindparam('digest')),
                           changes)


def downgrade():
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_chain_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('chain_seq')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('session_version')
