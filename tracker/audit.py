"""Recording audit events: the one function every change of data goes through."""

from datetime import date, datetime
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

    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)


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
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it with the change.

    `actor` is a user, or None for the system (the demo loader, a migration, the CLI
    before anyone signs in). The entity must have been flushed so that it has an id.
    """
    if entity.id is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        verb=verb,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(event)
    return event


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
