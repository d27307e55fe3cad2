"""Reading evidence, always through the visibility rule in permissions."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.permissions import visible_evidence_clause


def list_visible_evidence(user) -> list[EvidenceItem]:
    return db.session.scalars(
        sa.select(EvidenceItem)
        .where(EvidenceItem.archived_at.is_(None), visible_evidence_clause(user, EvidenceItem))
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
        )
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
    ).all()
