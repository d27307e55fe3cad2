"""Recording audit events: the one function every change of data goes through, and the hash chain
that makes any later change to them show (docs/audit.md)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models import UTCDateTime, utcnow


class AuditEvent(db.Model):
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

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)


class AuditChainHead(db.Model):
    """One row: the last event in the chain. Sealing locks it, so events join the chain one transaction at a
    time, and a removed last event shows as a head that points past the end."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


GENESIS = "0" * 64
CHAINED_FIELDS = ("id", "occurred_at", "actor_id", "actor_label", "verb", "entity_type", "entity_id", "before", "after")
_UNSEALED = "audit_unsealed"  # session.info key: this transaction's events, waiting to join the chain


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # read without the UTCDateTime type (a migration): stored as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_digest(fields: dict[str, Any], seq: int, prev_hash: str) -> str:
    """SHA-256 of an event's fields, its place in the chain and the previous hash, as canonical JSON.

    Version 1 of the format; events hashed with it must stay verifiable, so change it only by adding a version.
    """
    content = {name: fields[name] for name in CHAINED_FIELDS}
    content["occurred_at"] = _utc_text(content["occurred_at"])
    content.update(v=1, seq=seq, prev=prev_hash)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


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
    """Join this transaction's events to the chain, in the order they were written.

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
    head = session.execute(sa.select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
    seq, previous = head.last_seq, head.last_hash
    changes = []
    for row in rows:
        seq += 1
        digest = chain_digest(row, seq, previous)
        changes.append({"event_id": row["id"], "seq": seq, "prev": previous, "digest": digest})
        previous = digest
    table = AuditEvent.__table__
    session.execute(
        table.update().where(table.c.id == sa.bindparam("event_id"))
        .values(chain_seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")),
        changes,
    )
    head.last_seq, head.last_hash = seq, previous
    session.flush()


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
    """Walk every event in chain order and recompute each hash: the first event that was changed, removed or
    inserted directly in the database is named."""
    table = AuditEvent.__table__
    unchained = db.session.scalar(sa.select(table.c.id).where(table.c.chain_seq.is_(None)).order_by(table.c.id).limit(1))
    if unchained is not None:
        return ChainReport(0, f"event {unchained} is not in the chain: it was inserted outside the service", GENESIS)
    expected_seq, previous, checked, last_seq = 1, GENESIS, 0, 0
    while True:
        rows = db.session.execute(
            sa.select(table).where(table.c.chain_seq >= expected_seq).order_by(table.c.chain_seq).limit(batch)
        ).mappings().all()
        for row in rows:
            label = f"event {row['id']} (number {row['chain_seq']} in the chain, {row['verb']})"
            if row["chain_seq"] != expected_seq:
                return ChainReport(checked, f"{label} follows number {expected_seq - 1}: "
                                            f"{row['chain_seq'] - expected_seq} event(s) before it were removed", previous)
            if row["prev_hash"] != previous:
                return ChainReport(checked, f"{label} does not point to the event before it: "
                                            "an event before it was changed, removed or inserted", previous)
            if chain_digest(row, row["chain_seq"], previous) != row["hash"]:
                return ChainReport(checked, f"{label} was changed after it was written", previous)
            previous, expected_seq, checked, last_seq = row["hash"], expected_seq + 1, checked + 1, row["chain_seq"]
        if len(rows) < batch:
            break
        db.session.expire_all()
    head = db.session.get(AuditChainHead, 1)
    if head is None:
        return ChainReport(checked, "the chain's head record is missing" if checked else None, previous)
    if (head.last_seq, head.last_hash) != (last_seq, previous):
        return ChainReport(checked, f"the chain ends at number {last_seq} but its head records number "
                                    f"{head.last_seq}: the last {head.last_seq - last_seq} event(s) were removed"
                           if head.last_seq > last_seq else "the chain's head does not match its last event", previous)
    return ChainReport(checked, None, previous)


def data_version() -> int:
    """The newest audit event's number: it changes with every change of data, so what was worked out from
    the data at one version stays right until the next (the dashboard keeps its figures by it)."""
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def diff(current: dict[str, Any], proposed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value would change, as (before, after), ready for `record`."""
    before, after = {}, {}
    for name, value in proposed.items():
        if _plain(current.get(name)) != _plain(value):
            before[name], after[name] = current.get(name), value
    return before, after


def history(entity: Any) -> list[AuditEvent]:
    """Every event about one record, oldest first: the record's history page."""
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == entity.__tablename__, AuditEvent.entity_id == entity.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()


def last_change(entity: Any) -> AuditEvent | None:
    return db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == entity.__tablename__, AuditEvent.entity_id == entity.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
