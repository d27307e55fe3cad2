"""An inspection framework as versioned data: the framework, its evaluation areas and their criteria,
and the links leaders make from criteria to the plan's records.

A framework's rows come from a file the project ships (`tracker/frameworks/*.yaml`) through
`flask frameworks load`; a later framework is a new file and new rows, never a change to these.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model
from tracker.models import TimestampMixin, UTCDateTime, enum_column, utcnow


class Framework(TimestampMixin, Model):
    """One version of one framework, as one file describes it: `area-send` version `2025-07`."""

    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    version: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(300))
    source: Mapped[str] = mapped_column(sa.Text, default="")
    source_url: Mapped[str] = mapped_column(sa.String(500), default="")
    wording_note: Mapped[str] = mapped_column(
        sa.Text, default=""
    )  # how the wording was checked, or why it could not be
    published_on: Mapped[date | None]
    outcomes: Mapped[list] = mapped_column(
        sa.JSON, default=list
    )  # [{"key", "title", "statement"}]: the outcomes as the file states them
    file_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    areas: Mapped[list["EvaluationArea"]] = relationship(
        back_populates="framework", order_by="EvaluationArea.position"
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="framework", order_by="Criterion.position"
    )

    __table_args__ = (sa.UniqueConstraint("key", "version", name="uq_framework_key_version"),)

    @property
    def label(self) -> str:
        return f"{self.name} (version {self.version})"


class EvaluationArea(Model):
    """What inspectors evaluate, for example "Experiences and outcomes" or "How leaders work together"."""

    __tablename__ = "evaluation_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship(back_populates="areas")
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="area", order_by="Criterion.position")

    __table_args__ = (sa.UniqueConstraint("framework_id", "key", name="uq_evaluation_area_framework_key"),)


class Criterion(Model):
    """One evaluation criterion, in the handbook's words: "children and young people receive the right
    help at the right time"."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_area.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))  # a short name: "The right help at the right time"
    wording: Mapped[str] = mapped_column(sa.Text)  # the handbook's words
    guidance: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship(back_populates="criteria")
    area: Mapped[EvaluationArea] = relationship(back_populates="criteria")

    __table_args__ = (sa.UniqueConstraint("framework_id", "key", name="uq_criterion_framework_key"),)

    @property
    def label(self) -> str:
        return f"{self.key}: {self.title}"


class LinkKind(str, enum.Enum):
    """What a criterion can be linked to; each kind has its own column in `criterion_link`."""

    FINDING = "finding"
    ACTION = "action"
    MEASURE = "measure"
    EVIDENCE = "evidence"
    SURVEY = "survey"

    @property
    def label(self) -> str:
        return {
            "finding": "Finding",
            "action": "Action",
            "measure": "Measure",
            "evidence": "Evidence",
            "survey": "Survey results",
        }[self.value]

    @property
    def column(self) -> str:
        return f"{self.value}_id"


class CriterionLink(Model):
    """A leader's link from a criterion to one finding, action, measure, evidence item or survey.
    Exactly one of the five target columns is set, the one `kind` names, so each keeps its foreign key."""

    __tablename__ = "criterion_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind))
    finding_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    evidence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("evidence_item.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[Criterion] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        # NULLs are distinct in every database, so each target column has its own unique pair
        *(
            sa.UniqueConstraint("criterion_id", f"{kind}_id", name=f"uq_criterion_link_{kind}")
            for kind in ("finding", "action", "measure", "evidence", "survey")
        ),
        sa.CheckConstraint(
            "(CASE WHEN finding_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN measure_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN evidence_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN survey_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    @property
    def target_id(self) -> int:
        return getattr(self, self.kind.column)
