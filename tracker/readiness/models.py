"""Daily snapshots of each finding's readiness, for the trend on the dashboard."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import Model
from tracker.models import UTCDateTime, utcnow


class ReadinessSnapshot(Model):
    __tablename__ = "readiness_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_on: Mapped[date] = mapped_column(index=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), index=True)
    readiness: Mapped[str] = mapped_column(sa.String(10))
    reasons: Mapped[list[Any]] = mapped_column(sa.JSON)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("taken_on", "finding_id", name="uq_readiness_snapshot_day"),)


class FindingFigures(Model):
    """Each finding's readiness today, kept up to date as its actions, evidence and measures change
    (tracker/readiness/kept_figures.py): the dashboard reads these rather than working the whole plan out.

    Derived, not data: a change of data moves `generation` in its own transaction, and a row is worked out
    again when its `worked_on` day or stale rule is not today's. Two views: counting all restricted evidence
    (leaders) and counting none (everyone else, with their own restricted items added when they view).
    """

    __tablename__ = "finding_figures"

    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    worked_on: Mapped[date | None]
    stale_days: Mapped[int | None]
    colour_all: Mapped[str | None] = mapped_column(sa.String(10))
    reasons_all: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    current_all: Mapped[int | None]
    colour_public: Mapped[str | None] = mapped_column(sa.String(10))
    reasons_public: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    current_public: Mapped[int | None]


class ActionFigures(Model):
    """Each action's RAG, overdue and stale flags today, kept like FindingFigures: the dashboard counts
    these."""

    __tablename__ = "action_figures"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    worked_on: Mapped[date | None]
    stale_days: Mapped[int | None]
    live: Mapped[bool | None]  # not archived
    status: Mapped[str | None] = mapped_column(sa.String(20))
    due_on: Mapped[date | None]  # the due date in force (a revised one, or the first)
    rag: Mapped[str | None] = mapped_column(sa.String(10))
    overdue: Mapped[bool | None]
    stale: Mapped[bool | None]
    latest_update_on: Mapped[date | None]

    # the dashboard's counts read this index alone, in its order: no sort of every row
    __table_args__ = (
        sa.Index(
            "ix_action_figures_counted",
            "live",
            "status",
            "rag",
            "overdue",
            "stale",
            "worked_on",
            "stale_days",
        ),
    )


class MeasureFigures(Model):
    """Each measure's status today (on or off track, stale, no data), kept like FindingFigures."""

    __tablename__ = "measure_figures"

    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    worked_on: Mapped[date | None]
    status: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.Text)
