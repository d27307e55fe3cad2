"""Measures of impact (waiting times, timeliness, satisfaction) and their readings over time."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model, db
from tracker.models import ArchivableMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from tracker.plan.models import Action, Finding, LabelledEnum, action_measure


class Direction(LabelledEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class Frequency(LabelledEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    TERMLY = "termly"
    ANNUALLY = "annually"


measure_finding = sa.Table(
    "measure_finding",
    db.metadata,
    sa.Column("measure_id", sa.ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_measure_finding_finding_id", "finding_id"),  # the link read from its second side
)


class Measure(ArchivableMixin, TimestampMixin, Model):
    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[str] = mapped_column(sa.String(20))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    baseline_value: Mapped[float | None]
    baseline_date: Mapped[date | None]
    target_value: Mapped[float | None]
    target_date: Mapped[date | None]
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)

    owner: Mapped[User] = relationship()
    findings: Mapped[list[Finding]] = relationship(secondary=measure_finding)
    actions: Mapped[list[Action]] = relationship(secondary=action_measure, back_populates="measures")
    readings: Mapped[list["MeasureReading"]] = relationship(
        back_populates="measure", order_by="MeasureReading.period_end"
    )
    milestones: Mapped[list["MeasureMilestone"]] = relationship(order_by="MeasureMilestone.due_on")


class MeasureMilestone(Model):
    """A value the measure should reach by a date on the way to its target."""

    __tablename__ = "measure_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"), index=True)
    due_on: Mapped[date]
    value: Mapped[float]
    label: Mapped[str] = mapped_column(sa.String(200), default="")


class MeasureReading(Model):
    __tablename__ = "measure_reading"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id"), index=True)
    period_end: Mapped[date]
    value: Mapped[float]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_item.id"))
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="readings")
    entered_by: Mapped[User] = relationship()
    corrections: Mapped[list["ReadingCorrection"]] = relationship(order_by="ReadingCorrection.id")

    __table_args__ = (sa.UniqueConstraint("measure_id", "period_end", name="uq_measure_reading_period"),)


class ReadingCorrection(Model):
    """The value a reading had before it was corrected: corrections never lose the earlier figure."""

    __tablename__ = "reading_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(sa.ForeignKey("measure_reading.id"), index=True)
    previous_value: Mapped[float]
    previous_note: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.Text)
    corrected_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    corrected_by: Mapped[User] = relationship()
