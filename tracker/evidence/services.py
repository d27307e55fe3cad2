"""Reading evidence, always through the visibility rule in permissions."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.evidence.models import EvidenceItem, evidence_action, evidence_finding
from tracker.extensions import db
from tracker.permissions import visible_evidence_clause


def _visible(user):
    return sa.and_(EvidenceItem.archived_at.is_(None), visible_evidence_clause(user, EvidenceItem))


def list_visible_evidence(user) -> list[EvidenceItem]:
    return db.session.scalars(
        sa.select(EvidenceItem)
        .where(_visible(user))
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
        )
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
    ).all()


def evidence_counts_by_finding(user) -> dict[int, int]:
    """How many items this person may see support each finding, in one query."""
    rows = db.session.execute(
        sa.select(evidence_finding.c.finding_id, sa.func.count())
        .join(EvidenceItem, EvidenceItem.id == evidence_finding.c.evidence_id)
        .where(_visible(user))
        .group_by(evidence_finding.c.finding_id)
    )
    return dict(rows.all())


def _supporting(user, link, column, record_id: int) -> list[EvidenceItem]:
    return db.session.scalars(
        sa.select(EvidenceItem)
        .join(link, link.c.evidence_id == EvidenceItem.id)
        .where(column == record_id, _visible(user))
        .options(selectinload(EvidenceItem.uploaded_by))
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
    ).all()


def finding_section(user, finding) -> dict:
    return {"items": _supporting(user, evidence_finding, evidence_finding.c.finding_id, finding.id), "of": "finding"}


def action_section(user, action) -> dict:
    return {"items": _supporting(user, evidence_action, evidence_action.c.action_id, action.id), "of": "action"}
