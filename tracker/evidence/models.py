"""Evidence items (documents, links and notes), their file revisions, and what they support."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model, db
from tracker.models import ArchivableMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from tracker.plan.models import Action, Finding, LabelledEnum


class EvidenceKind(LabelledEnum):
    DOCUMENT = "document"
    LINK = "link"
    NOTE = "note"


class EvidenceStatus(LabelledEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Sensitivity(LabelledEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"


evidence_finding = sa.Table(
    "evidence_finding",
    db.metadata,
    sa.Column("evidence_id", sa.ForeignKey("evidence_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_evidence_finding_finding_id", "finding_id"),  # the link read from its second side
)

evidence_action = sa.Table(
    "evidence_action",
    db.metadata,
    sa.Column("evidence_id", sa.ForeignKey("evidence_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_evidence_action_action_id", "action_id"),  # the link read from its second side
)


class EvidenceItem(ArchivableMixin, TimestampMixin, Model):
    __tablename__ = "evidence_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    note: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    about_date: Mapped[date]
    review_by: Mapped[date | None]
    status: Mapped[EvidenceStatus] = mapped_column(
        enum_column(EvidenceStatus), default=EvidenceStatus.SUBMITTED
    )
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sensitivity: Mapped[Sensitivity] = mapped_column(enum_column(Sensitivity), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    findings: Mapped[list[Finding]] = relationship(secondary=evidence_finding)
    actions: Mapped[list[Action]] = relationship(secondary=evidence_action)
    files: Mapped[list["EvidenceFile"]] = relationship(back_populates="item", order_by="EvidenceFile.version")

    # the evidence list's order, newest first: a page is read from the index, not sorted from every row
    __table_args__ = (
        sa.Index("ix_evidence_item_listed", "about_date", "id"),
        # the list's count reads this index alone, not the 120,000 wide rows of a region. archived_at is
        # not its first column: SQLite, without statistics, would take "archived_at IS NULL" for a narrow
        # search and drive joins from it (a region's findings list took 1.3 s that way)
        sa.Index("ix_evidence_item_counted", "sensitivity", "uploaded_by_id", "archived_at"),
        # the dashboard's count by status, from this index alone (status first, for the same reason)
        sa.Index("ix_evidence_item_status_counts", "status", "sensitivity", "uploaded_by_id", "archived_at"),
        # "Needs your attention" (tracker/reminders/attention.py) reads a person's first ten returned items
        # and items past their review-by date, and every leader's first ten waiting for review, in the order
        # these keep, and counts the rest from them: the same few rows for ten items or a region's thousands
        sa.Index("ix_evidence_item_returned_to", "uploaded_by_id", "status", "archived_at", "reviewed_at"),
        sa.Index("ix_evidence_item_review_by_of", "uploaded_by_id", "status", "archived_at", "review_by"),
        sa.Index("ix_evidence_item_waiting_since", "status", "updated_at"),
    )

    @property
    def is_restricted(self) -> bool:
        return self.sensitivity is Sensitivity.RESTRICTED


class EvidenceFile(Model):
    """One stored revision of a document; earlier revisions are kept."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence_item.id"), index=True)
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    storage_key: Mapped[str] = mapped_column(sa.String(200))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[EvidenceItem] = relationship(back_populates="files")
    uploaded_by: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("evidence_id", "version", name="uq_evidence_file_version"),)
