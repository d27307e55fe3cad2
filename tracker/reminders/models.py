"""What reminders remember: each person's choice per kind, each digest and Teams post made (one per person or
channel per day), and each item sent with its reason, so that nothing is sent twice (docs/reminders.md)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model
from tracker.models import TimestampMixin, UTCDateTime, enum_column, utcnow
from tracker.plan.models import LabelledEnum, Partner


class ReminderKind(LabelledEnum):
    """The reasons worth telling someone, in the order a digest lists them."""

    REQUEST_DUE = "request_due"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    STALE = "stale"
    EVIDENCE_RETURNED = "evidence_returned"
    EVIDENCE_TO_REVIEW = "evidence_to_review"
    EVIDENCE_REVIEW_DUE = "evidence_review_due"
    MEASURE_NO_READING = "measure_no_reading"

    @property
    def label(self) -> str:
        return {
            "request_due": "Inspectors' requests due soon or overdue",
            "overdue": "Overdue actions",
            "due_soon": "Actions due soon",
            "stale": "Actions with no update for a while",
            "evidence_returned": "Evidence returned to you",
            "evidence_to_review": "Evidence waiting for review",
            "evidence_review_due": "Evidence past its review-by date",
            "measure_no_reading": "Measures with no reading for their period",
        }[self.value]


class ReminderFrequency(LabelledEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"

    @property
    def label(self) -> str:
        return {"daily": "Daily", "weekly": "Weekly, on Mondays", "off": "Off"}[self.value]


class DeliveryStatus(LabelledEnum):
    SENDING = "sending"  # claimed by a run, not yet handed over
    SENT = "sent"
    FAILED = "failed"  # will be tried again at next_attempt_at
    GIVEN_UP = "given_up"  # failed too often, or cannot succeed (no email address): shown to admins
    STUCK = "stuck"  # still sending long after its claim: the run stopped, so whether it went is not known

    @property
    def label(self) -> str:
        return {
            "sending": "Sending",
            "sent": "Sent",
            "failed": "Failed, will retry",
            "given_up": "Given up",
            "stuck": "Stuck: may not have been sent",
        }[self.value]


class ReminderPreference(Model):
    """How often one person hears about one kind; a kind with no row is daily."""

    __tablename__ = "reminder_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind), primary_key=True)
    frequency: Mapped[ReminderFrequency] = mapped_column(enum_column(ReminderFrequency))


class _Delivery:
    """What a digest and a Teams post share: where the send stands and when it is tried again."""

    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.SENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when a run last took it to send


class ReminderDigest(_Delivery, Model):
    """One person's email on one day (London): at most one, whatever runs the job and how often."""

    __tablename__ = "reminder_digest"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date]
    transport: Mapped[str] = mapped_column(sa.String(20))  # smtp or notify
    to_address: Mapped[str] = mapped_column(sa.String(320), default="")
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    text_body: Mapped[str] = mapped_column(sa.Text, default="")
    html_body: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User] = relationship()
    items: Mapped[list["ReminderSent"]] = relationship(back_populates="digest", order_by="ReminderSent.id")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "day", name="uq_reminder_digest_user_day"),
        sa.Index("ix_reminder_digest_retry", "status", "next_attempt_at"),
    )


class ReminderSent(Model):
    """One item told to one person for one reason: the reason carries what makes it new (a due date, the day
    of the last update, the time it was returned), so the same news is never sent twice."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    item_type: Mapped[str] = mapped_column(sa.String(40))
    item_id: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(120))
    digest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reminder_digest.id", ondelete="CASCADE"), index=True
    )

    digest: Mapped[ReminderDigest] = relationship(back_populates="items")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_type", "item_id", "reason", name="uq_reminder_sent_once"),
    )


class TeamsChannel(TimestampMixin, Model):
    """A Microsoft Teams channel's Workflows webhook, for a daily summary of a partner's overdue and due-soon
    actions (every partner's when none is set). The address is a secret: shown masked, never audited."""

    __tablename__ = "teams_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    partner: Mapped[Partner | None] = mapped_column(enum_column(Partner))
    webhook_url: Mapped[str] = mapped_column(sa.String(2000))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def masked_url(self) -> str:
        return mask_secret_url(self.webhook_url)


class TeamsPost(_Delivery, Model):
    """One channel's summary on one day (London): at most one."""

    __tablename__ = "teams_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("teams_channel.id", ondelete="CASCADE"))
    day: Mapped[date]
    payload: Mapped[dict | None] = mapped_column(sa.JSON)

    channel: Mapped[TeamsChannel] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("channel_id", "day", name="uq_teams_post_channel_day"),
        sa.Index("ix_teams_post_retry", "status", "next_attempt_at"),
    )


def mask_secret_url(url: str) -> str:
    """The scheme and host, then dots and the last four characters: enough to tell two apart."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/…{url[-4:]}" if rest else "…" + url[-4:]
