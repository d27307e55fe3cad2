"""The numbers on the first dashboard, each one aggregate query."""

from datetime import date

import sqlalchemy as sa

from tracker.evidence.models import EvidenceItem, EvidenceStatus
from tracker.extensions import db
from tracker.measures.models import Measure
from tracker.permissions import visible_evidence_clause
from tracker.plan.models import Action, ActionStatus, Finding, FindingKind
from tracker.surveys.models import Survey


def _counts_by(column, *where) -> dict:
    rows = db.session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column))
    return {key: count for key, count in rows}


def dashboard_counts(user, today: date | None = None) -> dict:
    today = today or date.today()
    due = sa.func.coalesce(Action.revised_due_date, Action.due_date)
    open_statuses = [status for status in ActionStatus if not status.is_closed]
    overdue = db.session.scalar(
        sa.select(sa.func.count()).select_from(Action).where(
            Action.archived_at.is_(None), due < today, Action.status.in_(open_statuses)
        )
    )
    findings = _counts_by(Finding.kind, Finding.archived_at.is_(None))
    actions = _counts_by(Action.status, Action.archived_at.is_(None))
    evidence = _counts_by(
        EvidenceItem.status, EvidenceItem.archived_at.is_(None), visible_evidence_clause(user, EvidenceItem)
    )
    return {
        "findings": [(kind, findings.get(kind, 0)) for kind in FindingKind],
        "actions": [(status, actions.get(status, 0)) for status in ActionStatus],
        "actions_total": sum(actions.values()),
        "overdue": overdue,
        "evidence": [(status, evidence.get(status, 0)) for status in EvidenceStatus],
        "measures": db.session.scalar(sa.select(sa.func.count()).select_from(Measure).where(Measure.archived_at.is_(None))),
        "surveys": db.session.scalar(sa.select(sa.func.count()).select_from(Survey).where(Survey.archived_at.is_(None))),
    }
