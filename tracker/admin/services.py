"""The audit log as administrators browse it: filtered, paged, newest first, and checked end to end.

Administrators run the system, not the plan, so what changed in restricted evidence is withheld from them here
as everywhere else: they see that an event happened, by whom and when, not its contents.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from tracker.audit import AuditEvent
from tracker.dates import LONDON
from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.paging import Paged, page_to_show
from tracker.permissions import visible_evidence_clause

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""  # part of the email of the person who acted, or "system"
    verb: str = ""  # one kind of event, such as action.updated
    record_type: str = ""  # the kind of record, such as action
    record_id: int | None = None
    on_from: date | None = None  # days in UK local time, both included
    on_to: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    withheld: bool  # the event is about restricted evidence this person may not see


@dataclass
class AuditPage(Paged):
    rows: list[AuditRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _conditions(filters: AuditFilters) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if filters.who.strip():
        conditions.append(
            sa.func.lower(AuditEvent.actor_label).contains(filters.who.strip().lower(), autoescape=True)
        )
    if filters.verb:
        conditions.append(AuditEvent.verb == filters.verb)
    if filters.record_type:
        conditions.append(AuditEvent.entity_type == filters.record_type)
    if filters.record_id is not None:
        conditions.append(AuditEvent.entity_id == filters.record_id)
    if filters.on_from:
        conditions.append(AuditEvent.occurred_at >= _start_of(filters.on_from))
    if filters.on_to:
        conditions.append(AuditEvent.occurred_at < _start_of(filters.on_to + timedelta(days=1)))
    return conditions


def _withheld(viewer) -> sa.ColumnElement[bool]:
    return sa.and_(
        EvidenceItem.id.is_not(None),
        EvidenceItem.sensitivity == "restricted",
        sa.not_(visible_evidence_clause(viewer, EvidenceItem)),
    )


def _about_evidence():
    return sa.and_(
        AuditEvent.entity_type == EvidenceItem.__tablename__, AuditEvent.entity_id == EvidenceItem.id
    )


def audit_log(viewer, filters: AuditFilters, per_page: int = PER_PAGE) -> AuditPage:
    """One page of events matching the filters, newest first, in two queries."""
    conditions = _conditions(filters)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions)
    ).scalar_one()
    page = page_to_show(filters.page, total, per_page)
    rows = db.session.execute(
        sa.select(AuditEvent, _withheld(viewer))
        .outerjoin(EvidenceItem, _about_evidence())
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditPage(
        rows=[AuditRow(event, bool(withheld)) for event, withheld in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


def audit_event(viewer, event_id: int) -> AuditRow | None:
    row = db.session.execute(
        sa.select(AuditEvent, _withheld(viewer))
        .outerjoin(EvidenceItem, _about_evidence())
        .where(AuditEvent.id == event_id)
    ).first()
    return AuditRow(row[0], bool(row[1])) if row else None


def event_kinds() -> list[str]:
    """Every kind of event on record, for the filter (read from the verb's index)."""
    return list(db.session.scalars(sa.select(AuditEvent.verb).distinct().order_by(AuditEvent.verb)))


def changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    """Each field the event names, with its value before and after, in a steady order."""
    before, after = event.before or {}, event.after or {}
    names = list(before) + [name for name in after if name not in before]
    return [(name, before.get(name), after.get(name)) for name in names]
