"""An inspection under way (`InspectionPeriod`), the inspectors' information requests in it, and the evidence
attached to each request (`RequestEvidence`: existing evidence chosen from the tracker, or a file uploaded for
it, which is stored as evidence the usual way)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.evidence.models import EvidenceItem
from tracker.extensions import Model
from tracker.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from tracker.plan.models import Inspection, LabelledEnum


class RequestCategory(LabelledEnum):
    """What an area SEND inspection's requests are about (docs/information-requests.md)."""

    SELF_EVALUATION = "self_evaluation"
    DATA = "data"
    CASE_SAMPLING = "case_sampling"
    PARTNERSHIP = "partnership"
    COMMISSIONING = "commissioning"
    VOICE = "voice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "self_evaluation": "Self-evaluation and plans",
            "data": "Data and performance",
            "case_sampling": "Case sampling and tracking",
            "partnership": "Partnership and governance",
            "commissioning": "Commissioning, including alternative provision",
            "voice": "Parent carer and young people's voice",
            "other": "Other",
        }[self.value]


class RequestStatus(LabelledEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SENT = "sent"
    CLOSED = "closed"

    @property
    def is_answered(self) -> bool:
        """Sent to the inspectors or closed: no longer overdue, whatever its due time."""
        return self in (RequestStatus.SENT, RequestStatus.CLOSED)


class InspectionPeriod(Model):
    """An inspection under way, from the day leaders were notified; its timetable follows from that day
    (rules.timetable). One period is open at a time: `open_marker` is True while open and NULL once closed,
    under a unique constraint."""

    __tablename__ = "inspection_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    notified_on: Mapped[date]
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspection.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    open_marker: Mapped[bool | None] = mapped_column(default=True, unique=True)

    inspection: Mapped[Inspection | None] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class InformationRequest(TimestampMixin, Model):
    """One request from the inspectors: its wording and category, who answers it by when, where it stands, the
    response note, and whether it names a child (then it is restricted like restricted evidence)."""

    __tablename__ = "information_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection_period.id"))
    number: Mapped[int]  # R1, R2... in the order logged within the period
    wording: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[RequestCategory] = mapped_column(enum_column(RequestCategory))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), default=RequestStatus.OPEN)
    response: Mapped[str] = mapped_column(sa.Text, default="")
    names_child: Mapped[bool] = mapped_column(default=False)
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    period: Mapped[InspectionPeriod] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    logged_by: Mapped[User | None] = relationship(foreign_keys=[logged_by_id])
    attachments: Mapped[list["RequestEvidence"]] = relationship(
        back_populates="request", order_by="RequestEvidence.attached_at"
    )

    __table_args__ = (
        sa.UniqueConstraint("period_id", "number", name="uq_information_request_period_number"),
        # the lists' order: a period's requests by due time, read from the index
        sa.Index("ix_information_request_listed", "period_id", "due_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        return f"R{self.number}"

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at < now and not self.status.is_answered


class RequestEvidence(Model):
    """An evidence item sent in answer to a request: chosen from the tracker or uploaded for it."""

    __tablename__ = "request_evidence"

    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("information_request.id", ondelete="CASCADE"), primary_key=True
    )
    evidence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evidence_item.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    uploaded_for: Mapped[bool] = mapped_column(default=False)  # the file was uploaded for this request
    attached_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[InformationRequest] = relationship(back_populates="attachments")
    evidence: Mapped[EvidenceItem] = relationship()
    attached_by: Mapped[User | None] = relationship()
