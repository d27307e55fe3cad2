"""Inspections, their findings and themes, and the actions, revisions and updates that answer them."""

import enum
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.auth.models import User
from tracker.extensions import Model, db
from tracker.models import ArchivableMixin, TimestampMixin, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:  # for the type checker only: the plan never imports the floors above it at run time
    from tracker.measures.models import Measure


def reference_key(reference: str) -> str:
    """A reference as people sort it, as text the database can order by: A2 before A10, AFI2 before AFI10.

    Each run of digits is padded to twelve places and letters are lower-cased, so that plain
    text order is natural order.
    """
    return re.sub(r"\d+", lambda digits: digits.group().zfill(12)[-12:], reference.lower())


def _reference_key_default(context) -> str:
    """For inserts that bypass the model (bulk loads): the key from the row's own reference."""
    return reference_key(context.get_current_parameters()["reference"])


class LabelledEnum(str, enum.Enum):
    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class InspectionType(LabelledEnum):
    FULL = "full"
    MONITORING = "monitoring"
    SELF_EVALUATION = "self_evaluation"


class InspectionOutcome(LabelledEnum):
    """The three outcomes of an area SEND inspection under the 2023 framework (updated 2025),
    as the report states them.

    The values are the framework file's outcome keys (tracker/frameworks/area-send-2023.yaml); what each one
    sets in motion is in tracker/plan/outcomes.py.
    """

    POSITIVE = "positive"
    INCONSISTENT = "inconsistent"
    SYSTEMIC = "systemic"

    @property
    def number(self) -> int:
        return {"positive": 1, "inconsistent": 2, "systemic": 3}[self.value]

    @property
    def label(self) -> str:
        return {
            "positive": "Positive experiences and outcomes",
            "inconsistent": "Inconsistent experiences and outcomes",
            "systemic": "Widespread and/or systemic failings",
        }[self.value]

    @property
    def statement(self) -> str:
        """The report's sentence for this outcome."""
        return {
            "positive": (
                "The local area partnership's SEND arrangements typically lead to positive experiences and "
                "outcomes for children and young people with SEND. The local area partnership is taking "
                "action where improvements are needed."
            ),
            "inconsistent": (
                "The local area partnership's arrangements lead to inconsistent experiences and outcomes "
                "for children and young people with SEND. The local area partnership must work jointly to "
                "make improvements."
            ),
            "systemic": (
                "There are widespread and/or systemic failings leading to significant concerns about the "
                "experiences and outcomes of children and young people with SEND, which the local area "
                "partnership must address urgently."
            ),
        }[self.value]


class FindingKind(LabelledEnum):
    STRENGTH = "strength"
    AREA_FOR_IMPROVEMENT = "area_for_improvement"
    AREA_FOR_PRIORITY_ACTION = "area_for_priority_action"
    SELF_IDENTIFIED = "self_identified"


class Partner(LabelledEnum):
    COUNCIL = "council"
    ICB = "icb"
    BOTH = "both"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"council": "Council", "icb": "ICB", "both": "Council and ICB", "other": "Other"}[self.value]


class Priority(LabelledEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ActionStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.COMPLETE, ActionStatus.CANCELLED)


action_finding = sa.Table(
    "action_finding",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_action_finding_finding_id", "finding_id"),  # the link read from its second side
)

# Measures sit above the plan, so the plan names them only as a string in this link.
action_measure = sa.Table(
    "action_measure",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("measure_id", sa.ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_action_measure_measure_id", "measure_id"),  # the link read from its second side
)

action_contributor = sa.Table(
    "action_contributor",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_action_contributor_user_id", "user_id"),  # the link read from its second side
)


class Theme(ArchivableMixin, Model):
    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Inspection(ArchivableMixin, TimestampMixin, Model):
    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    local_area: Mapped[str] = mapped_column(sa.String(120))
    inspectorates: Mapped[str] = mapped_column(sa.String(120))
    type: Mapped[InspectionType] = mapped_column(enum_column(InspectionType))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    published_on: Mapped[date | None]
    # one of the framework's three outcomes; None until the report is out (or for a self-evaluation)
    outcome: Mapped[InspectionOutcome | None] = mapped_column(enum_column(InspectionOutcome))
    report_summary: Mapped[str] = mapped_column(sa.Text, default="")  # the report's summary in its own words
    plan_due_on: Mapped[date | None]  # set by a leader: overrides the due date worked out from the outcome
    report_reference: Mapped[str] = mapped_column(sa.String(500), default="")

    findings: Mapped[list["Finding"]] = relationship(
        back_populates="inspection", order_by="Finding.reference"
    )

    @property
    def outcome_label(self) -> str:
        """The outcome as pages and exports name it, "Outcome 2: inconsistent experiences and outcomes";
        "" for none."""
        return (
            f"Outcome {self.outcome.number}: {self.outcome.label[0].lower()}{self.outcome.label[1:]}"
            if self.outcome
            else ""
        )


class Finding(ArchivableMixin, TimestampMixin, Model):
    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection.id"), index=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id"), index=True)
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind))
    reference: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    wording: Mapped[str] = mapped_column(sa.Text)
    accountable_partner: Mapped[Partner] = mapped_column(enum_column(Partner))
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    theme: Mapped[Theme] = relationship()
    lead: Mapped[User | None] = relationship()
    actions: Mapped[list["Action"]] = relationship(secondary=action_finding, back_populates="findings")

    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "reference", name="uq_finding_inspection_reference"),
    )
    __mapper_args__ = {"version_id_col": version}


class Action(ArchivableMixin, TimestampMixin, Model):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    reference_key: Mapped[str] = mapped_column(sa.String(200), default=_reference_key_default, index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    intended_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    partner: Mapped[Partner] = mapped_column(enum_column(Partner))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    start_date: Mapped[date | None]
    due_date: Mapped[date]
    revised_due_date: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.NOT_STARTED)
    percent_complete: Mapped[int] = mapped_column(default=0)
    rag_override: Mapped[str | None] = mapped_column(sa.String(10))
    rag_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    contributors: Mapped[list[User]] = relationship(secondary=action_contributor)
    findings: Mapped[list[Finding]] = relationship(secondary=action_finding, back_populates="actions")
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="action", order_by="ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc()"
    )
    due_date_revisions: Mapped[list["DueDateRevision"]] = relationship(order_by="DueDateRevision.id")
    measures: Mapped[list["Measure"]] = relationship(
        "Measure", secondary=action_measure, back_populates="actions", order_by="Measure.name"
    )

    __table_args__ = (
        sa.CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_complete_range"),
    )
    __mapper_args__ = {"version_id_col": version}

    @validates("reference")
    def _keep_reference_key(self, _name: str, reference: str) -> str:
        self.reference_key = reference_key(reference)
        return reference

    @property
    def current_due_date(self) -> date:
        return self.revised_due_date or self.due_date

    def is_overdue(self, today: date) -> bool:
        return self.current_due_date < today and not self.status.is_closed

    def is_open_to(self, user: User) -> bool:
        """Owner or contributor: the people who report progress on this action."""
        return user.id == self.owner_id or any(person.id == user.id for person in self.contributors)


class DueDateRevision(Model):
    """One move of an action's due date, with its reason; the original due date is never lost."""

    __tablename__ = "due_date_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id"), index=True)
    previous_due_date: Mapped[date]
    new_due_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id")
    )  # None: an import by the system
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()


class ProgressUpdate(Model):
    """A dated narrative of progress on an action. Append-only: a correction is a new update."""

    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    written_on: Mapped[date]
    body: Mapped[str] = mapped_column(sa.Text)
    percent_complete: Mapped[int]
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    rag_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User] = relationship()

    __table_args__ = (sa.Index("ix_progress_update_action_written", "action_id", "written_on"),)
