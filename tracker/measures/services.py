"""Reading measures with their readings."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.measures.models import Measure


def list_measures() -> list[Measure]:
    return db.session.scalars(
        sa.select(Measure)
        .where(Measure.archived_at.is_(None))
        .options(selectinload(Measure.readings), selectinload(Measure.owner), selectinload(Measure.findings))
        .order_by(Measure.name)
    ).all()
