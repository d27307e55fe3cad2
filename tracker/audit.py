"""Recording audit events: the one function every change of data goes through, the keyed hash chain that
makes any later change to them show, the fingerprint of each row they changed,
and redaction (docs/audit.md)."""

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from tracker.database import insert_once
from tracker.dates import format_date
from tracker.extensions import Model, db
from tracker.models import UTCDateTime, utcnow


class AuditEvent(Model):
    """Who changed what, from what, to what, and when. Never updated, never deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(200))
    verb: Mapped[str] = mapped_column(sa.String(80), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(80))
    entity_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # the chain: this event's place in it, the previous event's hash, and this event's own hash
    chain_seq: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))
    # format 1: SHA-256, no row fingerprint (events written before issue 15); format 2: HMAC-SHA256 under the
    # audit key named by key_id, and the fingerprint of the changed row as it stood when the
    # change was committed
    chain_version: Mapped[int] = mapped_column(sa.SmallInteger, default=2, server_default="1")
    key_id: Mapped[str | None] = mapped_column(sa.String(16))
    row_hash: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)


class AuditChainHead(Model):
    """One row: the last event in the chain. Sealing locks it, so events join the chain one transaction at a
    time, and a removed last event shows as a head that points past the end."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    # HMAC of the place and hash above under the audit key: the chain cannot be rewritten, even in the unkeyed
    # format 1, without the key
    mac: Mapped[str | None] = mapped_column(sa.String(64))


# a row as read (SQLAlchemy's RowMapping), or an event's fields as a dict
Fields = Mapping[str, Any] | sa.RowMapping
GENESIS = "0" * 64
CHAINED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "verb",
    "entity_type",
    "entity_id",
    "before",
    "after",
)
REDACTED = "audit_event.redacted"  # the verb of a redaction, whose event is the audit event it redacted
_UNSEALED = "audit_unsealed"  # session.info key: this transaction's events, waiting to join the chain


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # read without the UTCDateTime type (a migration): stored as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(content: Any) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _derived(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"tracker: audit chain", hashlib.sha256).digest()


def audit_keys(config: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """Every key that may have written an event, by key id; the first is the one new events are written with.

    TRACKER_AUDIT_KEY, or else a key derived from SECRET_KEY for this use alone; then each of
    TRACKER_AUDIT_PREVIOUS_KEYS, taken both as a key and as an old SECRET_KEY to derive one from.
    """
    config = current_app.config if config is None else config
    own = config.get("TRACKER_AUDIT_KEY") or ""
    keys = [own.encode() if own else _derived(str(config["SECRET_KEY"]))]
    for old in (part.strip() for part in (config.get("TRACKER_AUDIT_PREVIOUS_KEYS") or "").split(",")):
        if old:
            keys += [old.encode(), _derived(old)]
    return {key_id(key): key for key in keys}


def key_id(key: bytes) -> str:
    """A name for a key that gives nothing of it away: which key wrote an event,
    so rotation can keep old ones."""
    return hmac.new(key, b"tracker: audit key id", hashlib.sha256).hexdigest()[:16]


def head_mac(key: bytes, seq: int, last_hash: str) -> str:
    return hmac.new(key, f"head|{seq}|{last_hash}".encode(), hashlib.sha256).hexdigest()


def chain_digest(fields: Fields, seq: int, prev_hash: str, key: bytes | None = None) -> str:
    """An event's fingerprint: its fields, its place in the chain and the previous fingerprint,
    as canonical JSON.

    Without a key, format 1: SHA-256, as events written before the chain was keyed were hashed (they stay
    verifiable). With a key, format 2: HMAC-SHA256, and the fields include the row fingerprint. Change either
    only by adding a format.
    """
    content = {name: fields[name] for name in CHAINED_FIELDS}
    content["occurred_at"] = _utc_text(content["occurred_at"])
    content.update(v=1 if key is None else 2, seq=seq, prev=prev_hash)
    if key is None:
        return hashlib.sha256(_canonical(content)).hexdigest()
    content["row_hash"] = fields["row_hash"]
    return hmac.new(key, _canonical(content), hashlib.sha256).hexdigest()


# The tables whose every row is changed one at a time through a service that records an event about it, so
# that `flask audit verify --data` can compare each row with its last event; with the columns left out of a
# row's fingerprint because they change without an event (when someone last signed in,
# the two-step step last used)
AUDITED_TABLES: dict[str, frozenset[str]] = {
    "user": frozenset({"last_signed_in_at", "totp_last_step", "totp_pending_secret", "updated_at"}),
    "theme": frozenset(),
    "inspection": frozenset(),
    "finding": frozenset(),
    "action": frozenset(),
    "progress_update": frozenset(),
    "evidence_item": frozenset(),
    "measure": frozenset(),
    "measure_reading": frozenset(),
    "survey": frozenset(),
    "you_said_we_did": frozenset(),
    "sso_required_domain": frozenset(),
}


def _state_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, bytes):
        return value.hex()
    return value


def _stored(table: sa.Table) -> sa.Select:
    """Select a table's rows as stored: an enum column as its text, so that a value written outside the
    service (one the enum does not know) is read and compared, not an error."""
    return sa.select(
        *(
            sa.type_coerce(column, sa.String()).label(column.name)
            if isinstance(column.type, sa.Enum)
            else column
            for column in table.columns
        )
    )


def row_state(table: sa.Table, row: Fields | None) -> dict[str, Any] | None:
    """A row's fingerprinted columns as plain values (None: no row); what `row_hash` hashes."""
    if row is None:
        return None
    left_out = AUDITED_TABLES.get(table.name, frozenset())
    return {
        column.name: _state_value(row[column.name]) for column in table.columns if column.name not in left_out
    }


def row_hash(table: sa.Table, row: Fields | None, key: bytes) -> str:
    """HMAC of a row's state (or of "no row", for a deletion) under the audit key."""
    content = {"table": table.name, "row": row_state(table, row)}
    return hmac.new(key, b"row|" + _canonical(content), hashlib.sha256).hexdigest()


def _plain(value: Any) -> Any:
    """Turn a value into something JSON can hold, so before and after read the same everywhere."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    return value


def record(
    actor: Any,
    verb: str,
    entity: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it with the change.

    `actor` is a user, or None for the system (the demo loader, a migration, the CLI
    before anyone signs in). The entity must have been flushed so that it has an id.
    `at` is for loaders that write a history (the demo): the moment the change happened, when
    that was not now. The event still joins the chain in the order it was written.
    """
    if entity.id is None:
        db.session.flush()
    event = AuditEvent(
        occurred_at=at or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        verb=verb,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(event)
    db.session.info.setdefault(_UNSEALED, []).append(event)
    return event


def record_many(rows: list[dict[str, Any]]) -> None:
    """Insert audit events already in their stored form (plain JSON values, explicit ids), as bulk loaders
    write them; they join the chain when the transaction commits, like events from `record`."""
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)
        db.session.info.setdefault(_UNSEALED, []).extend(dict(row) for row in rows)


def seal(session: sa.orm.Session) -> None:
    """Join this transaction's events to the chain, in the order they were written, each with the fingerprint
    of the row it is about as the transaction leaves it.

    Runs just before each commit. The head row is locked first (SELECT ... FOR UPDATE on PostgreSQL; on SQLite
    the transaction already holds the database's write lock), so two transactions never chain from the same
    event, and since it is the last lock a transaction takes, no two can wait on each other for it.
    """
    pending = session.info.pop(_UNSEALED, None)
    if not pending:
        return
    session.flush()
    rows = [_fields(item) for item in pending]
    rows.sort(key=lambda row: row["id"])
    current_id, key = next(iter(audit_keys().items()))
    fingerprints = _row_hashes(session, rows, key)
    head = _locked_head(session)
    seq, previous = head.last_seq, head.last_hash
    changes = []
    for row in rows:
        seq += 1
        row["row_hash"] = fingerprints.get((row["entity_type"], row["entity_id"]))
        digest = chain_digest(row, seq, previous, key)
        changes.append(
            {
                "event_id": row["id"],
                "seq": seq,
                "prev": previous,
                "digest": digest,
                "row": row["row_hash"],
                "key": current_id,
            }
        )
        previous = digest
    table = cast(sa.Table, AuditEvent.__table__)  # a mapped class's table, typed as any FROM clause
    session.execute(
        table.update()
        .where(table.c.id == sa.bindparam("event_id"))
        .values(
            chain_seq=sa.bindparam("seq"),
            prev_hash=sa.bindparam("prev"),
            hash=sa.bindparam("digest"),
            row_hash=sa.bindparam("row"),
            key_id=sa.bindparam("key"),
            chain_version=2,
        ),
        changes,
    )
    head.last_seq, head.last_hash, head.mac = seq, previous, head_mac(key, seq, previous)
    session.flush()


def _locked_head(session: sa.orm.Session) -> AuditChainHead:
    """The chain's head row, locked until this transaction ends.

    A migrated database has it; one whose tables were emptied has none to lock, and two transactions sealing
    the first events at once would both start the chain at number 1. So a missing head is inserted with ON
    CONFLICT DO NOTHING and then locked: on PostgreSQL the second transaction's insert waits for the first to
    commit, does nothing, and its lock then reads the head the first left (a new statement sees what has been
    committed), so it chains after it.
    """
    lock = sa.select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    head = session.execute(lock).scalar_one_or_none()
    if head is None:
        session.execute(insert_once(AuditChainHead, {"id": 1, "last_seq": 0, "last_hash": GENESIS}))
        head = session.execute(lock).scalar_one()
    return head


def _row_hashes(
    session: sa.orm.Session, rows: list[dict[str, Any]], key: bytes
) -> dict[tuple[str, int], str]:
    """The fingerprint of every row these events are about, read back from the database once per table."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        table = db.metadata.tables.get(row["entity_type"])
        if row["entity_id"] is not None and table is not None and "id" in table.c:
            wanted[row["entity_type"]].add(row["entity_id"])
    fingerprints = {}
    for name, ids in wanted.items():
        table, found = db.metadata.tables[name], {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            for found_row in session.execute(
                _stored(table).where(table.c.id.in_(ordered[start : start + 500]))
            ).mappings():
                found[found_row["id"]] = found_row
        fingerprints.update({(name, row_id): row_hash(table, found.get(row_id), key) for row_id in ids})
    return fingerprints


def _fields(item: AuditEvent | dict[str, Any]) -> dict[str, Any]:
    if isinstance(item, AuditEvent):
        return {name: getattr(item, name) for name in CHAINED_FIELDS}
    return {name: item.get(name) for name in CHAINED_FIELDS}


def _forget_unsealed(session: sa.orm.Session, *_args) -> None:
    session.info.pop(_UNSEALED, None)


def install_chain() -> None:
    """Seal before every commit; forget unsealed events when a transaction is rolled back."""
    if not sa.event.contains(sa.orm.Session, "before_commit", seal):
        sa.event.listen(sa.orm.Session, "before_commit", seal)
        sa.event.listen(sa.orm.Session, "after_soft_rollback", _forget_unsealed)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: str | None  # the first break, in words naming the event; None when the chain is whole
    head_hash: str

    @property
    def whole(self) -> bool:
        return self.problem is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk every event in chain order and recompute each fingerprint with the audit keys: the first event
    that was changed, removed or inserted directly in the database is named,
    and so is a chain rewritten without the key."""
    table = AuditEvent.__table__
    unchained = db.session.scalar(
        sa.select(table.c.id).where(table.c.chain_seq.is_(None)).order_by(table.c.id).limit(1)
    )
    if unchained is not None:
        return ChainReport(
            0, f"event {unchained} is not in the chain: it was inserted outside the service", GENESIS
        )
    keys, attested = audit_keys(), _redactions()
    expected_seq, previous, checked, last_seq, keyed = 1, GENESIS, 0, 0, False
    while True:
        rows = (
            db.session.execute(
                sa.select(table)
                .where(table.c.chain_seq >= expected_seq)
                .order_by(table.c.chain_seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        for row in rows:
            label = f"event {row['id']} (number {row['chain_seq']} in the chain, {row['verb']})"
            if row["chain_seq"] != expected_seq:
                return ChainReport(
                    checked,
                    f"{label} follows number {expected_seq - 1}: "
                    f"{row['chain_seq'] - expected_seq} event(s) before it were removed",
                    previous,
                )
            if row["prev_hash"] != previous:
                return ChainReport(
                    checked,
                    f"{label} does not point to the event before it: "
                    "an event before it was changed, removed or inserted",
                    previous,
                )
            problem = _digest_problem(row, previous, keys, attested.get(row["id"]), keyed)
            if problem:
                return ChainReport(checked, f"{label} {problem}", previous)
            keyed = keyed or row["chain_version"] == 2
            previous, expected_seq, checked, last_seq = (
                row["hash"],
                expected_seq + 1,
                checked + 1,
                row["chain_seq"],
            )
        if len(rows) < batch:
            break
        db.session.expire_all()
    head = db.session.get(AuditChainHead, 1)
    if head is None:
        return ChainReport(checked, "the chain's head record is missing" if checked else None, previous)
    if (head.last_seq, head.last_hash) != (last_seq, previous):
        return ChainReport(
            checked,
            f"the chain ends at number {last_seq} but its head records number "
            f"{head.last_seq}: the last {head.last_seq - last_seq} event(s) were removed"
            if head.last_seq > last_seq
            else "the chain's head does not match its last event",
            previous,
        )
    if not any(
        hmac.compare_digest(head_mac(key, head.last_seq, head.last_hash), head.mac or "")
        for key in keys.values()
    ):
        return ChainReport(
            checked,
            "the chain's head was not written with the audit key: the chain was rewritten by "
            "someone without the key, or TRACKER_AUDIT_KEY is not the key it was written with",
            previous,
        )
    return ChainReport(checked, None, previous)


def _digest_problem(
    row: Fields, previous: str, keys: dict[str, bytes], attested: dict | None, keyed: bool
) -> str | None:
    """Why one event's fingerprint does not check, or None. A redacted event checks against what its redaction
    (a later, keyed event) recorded: the fingerprint it kept, and the one its redacted text gives."""
    if row["chain_version"] == 2:
        key = keys.get(row["key_id"] or "")
        if key is None:
            return (
                f"was written with audit key {row['key_id']}, which is not configured: set TRACKER_AUDIT_KEY "
                "(or TRACKER_AUDIT_PREVIOUS_KEYS) to the key it was written with"
            )
        digest = chain_digest(row, row["chain_seq"], previous, key)
    elif keyed:
        return (
            "is in the unkeyed format 1 after keyed events began: it was written or rewritten without "
            "the audit key"
        )
    else:
        digest = chain_digest(row, row["chain_seq"], previous)
    if attested is not None:
        whole = digest == attested.get("redacted_fingerprint") and row["hash"] == attested.get("fingerprint")
    else:
        whole = digest == row["hash"]
    return None if whole else "was changed after it was written"


def _redactions() -> dict[int, dict]:
    """What each redaction recorded about the event it redacted, the latest for each event."""
    recorded = db.session.scalars(
        sa.select(AuditEvent.after).where(AuditEvent.verb == REDACTED).order_by(AuditEvent.chain_seq)
    )
    return {after["event"]: after for after in recorded if isinstance(after, dict) and "event" in after}


@dataclass(frozen=True)
class RowProblem:
    table: str
    row_id: int
    problem: str  # in words: which columns differ from what its events recorded, or that it was removed

    def __str__(self) -> str:
        return f"{self.table} {self.row_id}: {self.problem}"


@dataclass
class DataReport:
    checked: int = 0  # rows compared with a fingerprint
    problems: list[RowProblem] = field(default_factory=list)
    unrecorded: dict[str, list[int]] = field(
        default_factory=dict
    )  # table -> rows no fingerprinted event is about

    @property
    def whole(self) -> bool:
        return not self.problems


def verify_data() -> DataReport:
    """Compare every row of every audited table with the fingerprint its last event recorded: rows changed (or
    removed) in the database, not through the service, are named; rows no fingerprinted event is about (made
    by an import, a migration, or before fingerprints existed) are listed apart."""
    report, keys = DataReport(), audit_keys()
    for name in AUDITED_TABLES:
        table = db.metadata.tables[name]
        last, seen = _last_fingerprints(name), set()
        for row in db.session.execute(_stored(table).order_by(table.c.id)).mappings():
            seen.add(row["id"])
            recorded = last.get(row["id"])
            if recorded is None or recorded[0] is None:
                report.unrecorded.setdefault(name, []).append(row["id"])
                continue
            report.checked += 1
            if recorded[1] not in keys:
                report.problems.append(
                    RowProblem(
                        name,
                        row["id"],
                        f"its last event was written with audit key {recorded[1]}, which is not configured",
                    )
                )
            elif not hmac.compare_digest(row_hash(table, row, keys[recorded[1]]), recorded[0]):
                report.problems.append(RowProblem(name, row["id"], _what_differs(table, row)))
        for row_id, (fingerprint, used) in last.items():
            key = keys.get(used or "")
            if (
                row_id not in seen
                and fingerprint is not None
                and key
                and fingerprint != row_hash(table, None, key)
            ):
                report.problems.append(
                    RowProblem(name, row_id, "removed from the database, not through the service")
                )
    return report


def _last_fingerprints(name: str) -> dict[int, tuple[str | None, str | None]]:
    latest = (
        sa.select(sa.func.max(AuditEvent.id))
        .where(AuditEvent.entity_type == name, AuditEvent.entity_id.is_not(None))
        .group_by(AuditEvent.entity_id)
    )
    rows = db.session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.row_hash, AuditEvent.key_id).where(
            AuditEvent.id.in_(latest.scalar_subquery())
        )
    )
    return {entity_id: (fingerprint, used) for entity_id, fingerprint, used in rows}


def _what_differs(table: sa.Table, row: Fields) -> str:
    """The columns whose value is not the last one the row's events recorded (as far as they recorded it)."""
    known: dict[str, Any] = {}
    for after in db.session.scalars(
        sa.select(AuditEvent.after)
        .where(AuditEvent.entity_type == table.name, AuditEvent.entity_id == row["id"])
        .order_by(AuditEvent.id)
    ):
        if (after or {}).get("source") not in (
            "demo",
            "generated",
        ):  # the demo's creation events hold a label, not values
            known.update(after or {})
    differ = [
        column.name
        for column in table.columns
        if column.name in known
        and _plain(row[column.name]) != known[column.name]
        and _state_value(row[column.name]) != known[column.name]
    ]
    if differ:
        return f"changed since its last event: {', '.join(differ)}"
    return "changed since its last event, in a column its events do not record"


# Events that record something someone did without changing what the pages show: signing in and out, their
# sessions and two-step settings, and every download. They do not move data_version,
# so a kept page outlives them.
NOT_DATA_CHANGES = frozenset(
    {
        "user.signed_in",
        "user.signed_out",
        "user.session_ended",
        "user.sessions_ended",
        "user.password_changed",
        "user.password_reset",
        "user.mfa_enabled",
        "user.mfa_disabled",
        "user.mfa_removed",
        "user.mfa_setup_started",
        "user.recovery_code_used",
        "user.recovery_codes_regenerated",
        "user.sso_linked",  # an account linked to its single sign-on account at the first sign-in that way
        "user.sso_unlinked",
        "user.sign_in_refused",  # a single sign-on refused (tracker/auth/sso.py): who tried, never the plan
        "export.summary",
        "export.pack",
        "export.list_csv",
        "export.sef",
        "export.requests_pack",
        "you_said_we_did.exported",
        "backup.made",
        "saved_mapping.saved",
        # API tokens made, revoked and used: who may read, never the plan itself (tracker/api/tokens.py)
        "api_token.created",
        "api_token.revoked",
        "api_token.used",
        # reminders sent, or not: what people were told, never the plan itself (tracker/reminders/jobs.py)
        "reminder.sent",
        "reminder.failed",
        "reminder.given_up",
        "reminder.stuck",
        "teams_summary.sent",
        "teams_summary.failed",
        "teams_summary.given_up",
        "teams_summary.stuck",
        "user.reminders_changed",  # a person's own choice of how often to hear about each kind
        "teams_channel.created",  # where the daily Teams summaries go: settings, not the plan's data
        "teams_channel.updated",
    }
)


def data_version() -> int:
    """The newest data-changing audit event's number: it changes with every change of data, so what was worked
    out from the data at one version stays right until the next (the dashboard keeps its figures by it). Read
    by walking the events back from the newest to the first that changed data, not by scanning them all."""
    return (
        db.session.scalar(
            sa.select(AuditEvent.id)
            .where(AuditEvent.verb.not_in(NOT_DATA_CHANGES))
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        or 0
    )


def diff(current: dict[str, Any], proposed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value would change, as (before, after), ready for `record`."""
    before, after = {}, {}
    for name, value in proposed.items():
        if _plain(current.get(name)) != _plain(value):
            before[name], after[name] = current.get(name), value
    return before, after


def history(entity: Any) -> list[AuditEvent]:
    """Every event about one record, oldest first: the record's history page."""
    return history_of(entity.__tablename__, entity.id)


def last_change(entity: Any) -> AuditEvent | None:
    return db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == entity.__tablename__, AuditEvent.entity_id == entity.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )


class RedactionError(Exception):
    """A redaction cannot be made; the message is shown to the leader, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def redacted_fields(events: list[AuditEvent]) -> set[tuple[int, str]]:
    """Which (event, field) of these events have been redacted: one query for a whole history."""
    ids = [event.id for event in events]
    if not ids:
        return set()
    recorded = db.session.scalars(
        sa.select(AuditEvent.after).where(
            AuditEvent.verb == REDACTED,
            AuditEvent.entity_type == AuditEvent.__tablename__,
            AuditEvent.entity_id.in_(ids),
        )
    )
    return {(after["event"], after["field"]) for after in recorded}


def redact(actor: Any, event: AuditEvent, side: str, name: str, reason: str) -> int:
    """Replace a value in a history entry with who redacted it, when and why, and the same value wherever else
    the record's history holds it in that field (the text typed in is the text later edited out). Returns how
    many entries were redacted.

    The replaced text is gone from the database. Each redacted event keeps its fingerprint, so the chain still
    links; its redaction, a keyed event of its own that holds neither the text nor a hash of it alone, records
    that fingerprint and the one the redacted entry now gives,
    and `verify_chain` checks the entry against those.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise RedactionError("Say why this text is being redacted.", "reason")
    if len(reason) > 500:
        raise RedactionError("The reason must be 500 characters or fewer.", "reason")
    value = ((event.after if side == "after" else event.before if side == "before" else None) or {}).get(name)
    if value in (None, "", []) or (event.id, name) in redacted_fields([event]):
        raise RedactionError("There is no text left to redact in this entry.")
    keys = audit_keys()
    entries = [
        entry
        for entry in history_of(event.entity_type, event.entity_id)
        if value in ((entry.before or {}).get(name), (entry.after or {}).get(name))
    ]
    if any(entry.chain_version == 2 and entry.key_id not in keys for entry in entries):
        raise RedactionError(
            "This entry was written with an audit key that is no longer configured, so it cannot "
            "be redacted: ask the system administrator to add it to TRACKER_AUDIT_PREVIOUS_KEYS."
        )
    text = f"Redacted by {getattr(actor, 'name', None) or 'the system'} on {format_date(utcnow())}: {reason}"
    for entry in entries:
        for part in ("before", "after"):
            values = getattr(entry, part)
            if values and values.get(name) == value:
                setattr(entry, part, {**values, name: text})
        fields = {**_fields(entry), "row_hash": entry.row_hash}
        # an entry read back is sealed (its place and the hash before it are set), and its key is configured
        assert entry.chain_seq is not None and entry.prev_hash is not None
        key = keys[entry.key_id] if entry.chain_version == 2 and entry.key_id is not None else None
        digest = chain_digest(fields, entry.chain_seq, entry.prev_hash, key)
        record(
            actor,
            REDACTED,
            entry,
            after={
                "event": entry.id,
                "field": name,
                "reason": reason,
                "fingerprint": entry.hash,
                "redacted_fingerprint": digest,
            },
        )
    db.session.commit()
    return len(entries)


def history_entry(entity: Any, event_id: int) -> AuditEvent | None:
    """One event of a record's history, or None if it is not about that record."""
    return db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.id == event_id,
            AuditEvent.entity_type == entity.__tablename__,
            AuditEvent.entity_id == entity.id,
        )
    )


def history_of(entity_type: str, entity_id: int | None) -> list[AuditEvent]:
    """Every event about one record, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
