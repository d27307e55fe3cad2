"""Daily snapshots of each finding's readiness, for the trend on the dashboard."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models import UTCDateTime, utcnow


class ReadinessSnapshot(db.Model):
    __tablename__ = "readiness_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_on: Mapped[date] = mapped_column(index=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), index=True)
    readiness: Mapped[str] = mapped_column(sa.String(10))
    reasons: Mapped[list[Any]] = mapped_column(sa.JSON)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("taken_on", "finding_id", name="uq_readiness_snapshot_day"),)
