"""an inspection's outcome from the framework, and the dates it sets (issue 16)

Revision ID: 16a1000000c3
Revises: 16a1000000b2
Create Date: 2026-12-05 02:30:00.000000

The free-text `inspection.outcome` becomes `inspection.report_summary`, every word kept. A new
`inspection.outcome` holds one of the framework's three outcomes (positive, inconsistent, systemic),
filled only where the old text names exactly one of them in the framework's words; otherwise it is
left empty for a leader to choose. `inspection.plan_due_on` is a leader's own date for the plan the
outcome asks for (tracker/plan/outcomes.py).

Each inspection row changed here gets an audit event, `inspection.migrated`, keyed and chained like
any other, with the row's new fingerprint: so `flask audit verify --data` still finds every row as its
last event recorded it (docs/audit.md). The downgrade puts the outcome's name and the plan's date back
into the text, so nothing entered after the upgrade is lost either.
"""
import re
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from flask import current_app

import tracker.models
from tracker.audit import GENESIS, _stored, audit_keys, chain_digest, head_mac, row_hash

# revision identifiers, used by Alembic.
revision = '16a1000000c3'
down_revision = '16a1000000b2'
branch_labels = None
depends_on = None

# the framework's words for each outcome (tracker/frameworks/area-send-2023.yaml), as they might appear in a summary
OUTCOME_WORDS = {
    "positive": "positive experiences and outcomes",
    "inconsistent": "inconsistent experiences and outcomes",
    "systemic": "widespread and/or systemic failings",
}
LABELS = {"positive": "Positive experiences and outcomes", "inconsistent": "Inconsistent experiences and outcomes",
          "systemic": "Widespread and/or systemic failings"}

# the inspection table as this revision leaves it: what its rows' fingerprints cover
metadata = sa.MetaData()
inspection = sa.Table(
    "inspection", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200)),
    sa.Column("local_area", sa.String(120)),
    sa.Column("inspectorates", sa.String(120)),
    sa.Column("type", sa.String(40)),
    sa.Column("start_date", sa.Date),
    sa.Column("end_date", sa.Date),
    sa.Column("published_on", sa.Date),
    sa.Column("report_reference", sa.String(500)),
    sa.Column("created_at", tracker.models.UTCDateTime()),
    sa.Column("updated_at", tracker.models.UTCDateTime()),
    sa.Column("archived_at", tracker.models.UTCDateTime()),
    sa.Column("outcome", sa.String(40)),
    sa.Column("report_summary", sa.Text),
    sa.Column("plan_due_on", sa.Date),
)
event = sa.Table("audit_event", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("occurred_at", tracker.models.UTCDateTime()), sa.Column("actor_id", sa.Integer),
                 sa.Column("actor_label", sa.String), sa.Column("verb", sa.String), sa.Column("entity_type", sa.String),
                 sa.Column("entity_id", sa.Integer), sa.Column("before", sa.JSON), sa.Column("after", sa.JSON),
                 sa.Column("chain_seq", sa.BigInteger), sa.Column("prev_hash", sa.String), sa.Column("hash", sa.String),
                 sa.Column("chain_version", sa.SmallInteger), sa.Column("key_id", sa.String), sa.Column("row_hash", sa.String))
head = sa.table("audit_chain_head", sa.column("id", sa.Integer), sa.column("last_seq", sa.BigInteger),
                sa.column("last_hash", sa.String), sa.column("mac", sa.String))


def outcome_named(text: str) -> str | None:
    """The one outcome the text names in the framework's words, or None (none, or more than one)."""
    plain = re.sub(r"\s+", " ", (text or "").lower())
    named = [key for key, words in OUTCOME_WORDS.items() if words in plain]
    return named[0] if len(named) == 1 else None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.alter_column('outcome', new_column_name='report_summary', existing_type=sa.Text(), existing_nullable=False)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.Enum('positive', 'inconsistent', 'systemic', name='inspectionoutcome',
                                                         native_enum=False, create_constraint=False, length=40),
                                      nullable=True))
        batch_op.add_column(sa.Column('plan_due_on', sa.Date(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(inspection.c.id, inspection.c.report_summary).order_by(inspection.c.id)).all()
    named = {row.id: outcome_named(row.report_summary) for row in rows}
    changes = [{"row_id": row_id, "named": key} for row_id, key in named.items() if key]
    if changes:
        connection.execute(inspection.update().where(inspection.c.id == sa.bindparam("row_id"))
                           .values(outcome=sa.bindparam("named")), changes)
    _record(connection, [(row.id, {"outcome": row.report_summary},
                          {"report_summary": row.report_summary, "outcome": named[row.id]}) for row in rows])


def _record(connection, changed: list[tuple[int, dict, dict]]) -> None:
    """One keyed event per changed row, chained after the last event with the row's new fingerprint, as
    tracker.audit.seal would write it: the rows changed shape, and their last events must say so."""
    if not changed:
        return
    keys = audit_keys(current_app.config)
    key_id, key = next(iter(keys.items()))
    found = connection.execute(sa.select(head.c.last_seq, head.c.last_hash).where(head.c.id == 1)).first()
    if found is None:
        connection.execute(head.insert().values(id=1, last_seq=0, last_hash=GENESIS))
        seq, previous = 0, GENESIS
    else:
        seq, previous = found
    stored = {row["id"]: row for row in connection.execute(_stored(inspection)).mappings()}
    now = datetime.now(timezone.utc)
    for row_id, before, after in changed:
        seq += 1
        fields = {"occurred_at": now, "actor_id": None, "actor_label": "system", "verb": "inspection.migrated",
                  "entity_type": "inspection", "entity_id": row_id, "before": before, "after": after,
                  "row_hash": row_hash(inspection, stored.get(row_id), key)}
        # the database numbers the event (a PostgreSQL sequence moves on), then its fingerprint, which holds the number
        fields["id"] = connection.execute(event.insert().values(**fields, chain_version=2, key_id=key_id)).inserted_primary_key[0]
        digest = chain_digest(fields, seq, previous, key)
        connection.execute(event.update().where(event.c.id == fields["id"])
                           .values(chain_seq=seq, prev_hash=previous, hash=digest))
        previous = digest
    connection.execute(head.update().where(head.c.id == 1)
                       .values(last_seq=seq, last_hash=previous, mac=head_mac(key, seq, previous)))


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(inspection.c.id, inspection.c.outcome, inspection.c.report_summary,
                                        inspection.c.plan_due_on)).all()
    kept = []
    for row in rows:
        text = row.report_summary or ""
        if row.outcome and OUTCOME_WORDS[row.outcome] not in re.sub(r"\s+", " ", text.lower()):
            text = f"Outcome: {LABELS[row.outcome]}. {text}".strip()
        if row.plan_due_on:
            text = f"{text} Plan due on {row.plan_due_on.isoformat()}.".strip()
        if text != (row.report_summary or ""):
            kept.append({"row_id": row.id, "text": text})
    if kept:
        connection.execute(inspection.update().where(inspection.c.id == sa.bindparam("row_id"))
                           .values(report_summary=sa.bindparam("text")), kept)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('plan_due_on')
        batch_op.drop_column('outcome')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.alter_column('report_summary', new_column_name='outcome', existing_type=sa.Text(), existing_nullable=False)
