"""The self-evaluation: for each criterion, the versions of its statement,
what each version cites, and sign-offs.

Every row here is append-only. A saved draft is a new `SefVersion` (numbered 1, 2, 3... per criterion); a
sign-off is a `SefSignOff` on one version; editing after a sign-off adds a version,
so the signed-off one stays as it was.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model
from tracker.frameworks.models import Criterion
from tracker.models import UTCDateTime, enum_column, utcnow


class CitedKind(str, enum.Enum):
    """What a statement can cite; each kind has its own column in `sef_citation`."""

    EVIDENCE = "evidence"
    MEASURE = "measure"
    SURVEY = "survey"

    @property
    def label(self) -> str:
        return {"evidence": "Evidence", "measure": "Measure", "survey": "Survey results"}[self.value]

    @property
    def column(self) -> str:
        return f"{self.value}_id"


class SefVersion(Model):
    """One saved version of a criterion's statement, in the partnership's words,
    with who wrote it and when."""

    __tablename__ = "sef_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1 for the first draft; the edit form carries the number it was opened on
    working_well: Mapped[str] = mapped_column(sa.Text, default="")
    to_improve: Mapped[str] = mapped_column(sa.Text, default="")
    being_done: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criterion: Mapped[Criterion] = relationship()
    author: Mapped[User | None] = relationship()
    citations: Mapped[list["SefCitation"]] = relationship(
        back_populates="version", order_by="SefCitation.position"
    )
    sign_off: Mapped["SefSignOff | None"] = relationship(back_populates="version")

    __table_args__ = (sa.UniqueConstraint("criterion_id", "number", name="uq_sef_version_criterion_number"),)

    @property
    def is_empty(self) -> bool:
        return not (self.working_well.strip() or self.to_improve.strip() or self.being_done.strip())


class SefCitation(Model):
    """One evidence item, measure or survey a statement version cites; exactly one target column is set."""

    __tablename__ = "sef_citation"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("sef_version.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CitedKind] = mapped_column(enum_column(CitedKind))
    position: Mapped[int] = mapped_column(default=0)
    evidence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("evidence_item.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)

    version: Mapped[SefVersion] = relationship(back_populates="citations")

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN evidence_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN measure_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN survey_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    @property
    def target_id(self) -> int:
        return getattr(self, self.kind.column)


class SefSignOff(Model):
    """A leader's sign-off of one version of a statement: who and when."""

    __tablename__ = "sef_sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("sef_version.id", ondelete="CASCADE"), unique=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id", ondelete="CASCADE"), index=True)
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[SefVersion] = relationship(back_populates="sign_off")
    signed_by: Mapped[User | None] = relationship()
