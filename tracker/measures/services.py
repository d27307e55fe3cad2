"""Reading measures with their readings."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.measures.models import Measure, measure_finding


def list_measures() -> list[Measure]:
    return db.session.scalars(
        sa.select(Measure)
        .where(Measure.archived_at.is_(None))
        .options(selectinload(Measure.readings), selectinload(Measure.owner), selectinload(Measure.findings))
        .order_by(Measure.name)
    ).all()


def finding_section(user, finding) -> dict:
    """The live measures that evidence a finding, with their readings, for the finding's page."""
    measures = db.session.scalars(
        sa.select(Measure)
        .join(measure_finding, measure_finding.c.measure_id == Measure.id)
        .where(measure_finding.c.finding_id == finding.id, Measure.archived_at.is_(None))
        .options(selectinload(Measure.readings))
        .order_by(Measure.name)
    ).all()
    return {"measures": measures}
