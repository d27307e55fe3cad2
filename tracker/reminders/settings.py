"""The reminder pages' services: a person's own choices of how often to hear about each kind, the Teams
channels an administrator keeps (their webhook addresses secret: never shown again, never audited), and the
deliveries that failed, for administrators. Each write is audited and committed once."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker import audit
from tracker.auth.models import User
from tracker.errors import UserError
from tracker.extensions import db
from tracker.measures.models import Frequency
from tracker.measures.status import STALE_AFTER_DAYS
from tracker.paging import Paged, page_to_show
from tracker.permissions import can_review_evidence
from tracker.plan.models import Partner
from tracker.plan.services import stale_after_days
from tracker.reminders.attention import DUE_SOON_DAYS, REQUEST_DUE_SOON
from tracker.reminders.jobs import STUCK_AFTER, STUCK_REASON
from tracker.reminders.models import (
    DeliveryStatus,
    ReminderDigest,
    ReminderFrequency,
    ReminderKind,
    ReminderPreference,
    TeamsChannel,
    TeamsPost,
)
from tracker.text import counted, plural

URL_LIMIT = 2000  # TeamsChannel.webhook_url's length
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PROBLEMS = (DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP, DeliveryStatus.STUCK)
PROBLEMS_PER_PAGE = 50


class ReminderSettingsError(UserError):
    """A reminder setting that cannot be saved; the message is shown beside its field."""


# A person's own choices -----------------------------------------------------------------------------


def kinds_for(user: User) -> list[ReminderKind]:
    """The kinds this person can be told about: evidence waiting for review goes to leaders alone."""
    return [
        kind
        for kind in ReminderKind
        if kind is not ReminderKind.EVIDENCE_TO_REVIEW or can_review_evidence(user)
    ]


def kind_meanings() -> dict[ReminderKind, str]:
    """Each kind in one line, with the thresholds the reminders use (tracker/reminders/attention.py)."""
    days = ", ".join(str(limit) for limit in sorted(DUE_SOON_DAYS, reverse=True)[:-1])
    last = min(DUE_SOON_DAYS)
    hours = int(REQUEST_DUE_SOON / timedelta(hours=1))
    monthly, quarterly = STALE_AFTER_DAYS[Frequency.MONTHLY], STALE_AFTER_DAYS[Frequency.QUARTERLY]
    return {
        ReminderKind.REQUEST_DUE: (
            f"An inspectors' request you own that is due within {hours} hours, or overdue."
        ),
        ReminderKind.OVERDUE: "An action you own that is past its due date.",
        ReminderKind.DUE_SOON: f"An action you own, {days} and {counted(last, 'day')} before its due date.",
        ReminderKind.STALE: f"An open action you own with no progress update for {stale_after_days()} days.",
        ReminderKind.EVIDENCE_RETURNED: "Evidence you added that a reviewer returned to you for changes.",
        ReminderKind.EVIDENCE_TO_REVIEW: "Evidence waiting for a leader's review.",
        ReminderKind.EVIDENCE_REVIEW_DUE: "Evidence you added that is past its review-by date.",
        ReminderKind.MEASURE_NO_READING: (
            f"A measure you own with no reading for its period: {monthly} days after the last monthly "
            f"period, {quarterly} after a quarterly one."
        ),
    }


def preferences_of(user: User) -> dict[ReminderKind, ReminderFrequency]:
    """How often this person hears about each kind: daily where they have not chosen."""
    chosen = dict(
        db.session.execute(
            sa.select(ReminderPreference.kind, ReminderPreference.frequency).where(
                ReminderPreference.user_id == user.id
            )
        )
        .tuples()
        .all()
    )
    return {kind: chosen.get(kind, ReminderFrequency.DAILY) for kind in ReminderKind}


def save_preferences(user: User, chosen: dict[ReminderKind, ReminderFrequency]) -> bool:
    """Keep the person's choices; True if any changed. Recorded in the audit log, which counts it as no change
    of the plan's data (audit.NOT_DATA_CHANGES)."""
    current = preferences_of(user)
    changed = {kind: frequency for kind, frequency in chosen.items() if current[kind] is not frequency}
    if not changed:
        return False
    rows = {
        row.kind: row
        for row in db.session.scalars(
            sa.select(ReminderPreference).where(ReminderPreference.user_id == user.id)
        )
    }
    for kind, frequency in changed.items():
        if kind in rows:
            rows[kind].frequency = frequency
        else:
            db.session.add(ReminderPreference(user_id=user.id, kind=kind, frequency=frequency))
    audit.record(
        user,
        "user.reminders_changed",
        user,
        before={kind.value: current[kind] for kind in changed},
        after={kind.value: frequency for kind, frequency in changed.items()},
    )
    db.session.commit()
    return True


# Teams channels ----------------------------------------------------------------------------------------


@dataclass
class ChannelData:
    """What the channel form sends; `webhook_url` empty keeps the current address (changing only)."""

    name: str
    partner: Partner | None
    webhook_url: str = ""


def list_channels() -> Sequence[TeamsChannel]:
    return db.session.scalars(sa.select(TeamsChannel).order_by(TeamsChannel.name, TeamsChannel.id)).all()


def add_channel(actor: User, data: ChannelData) -> TeamsChannel:
    """A new channel, on. The audit event says an address was set, never what it is."""
    name = _free_name(data.name)
    if not data.webhook_url.strip():
        raise ReminderSettingsError("Enter the channel's webhook address.", "webhook_url")
    channel = TeamsChannel(
        name=name, partner=data.partner, webhook_url=check_webhook_url(data.webhook_url), active=True
    )
    db.session.add(channel)
    db.session.flush()
    audit.record(
        actor,
        "teams_channel.created",
        channel,
        after={"name": name, "partner": _partner(data.partner), "active": True, "webhook_address": "set"},
    )
    db.session.commit()
    return channel


def update_channel(actor: User, channel: TeamsChannel, data: ChannelData) -> bool:
    """Change a channel's name, partner or (when a new one is given) address; True if anything changed."""
    name = _free_name(data.name, channel)
    before, after = audit.diff(
        {"name": channel.name, "partner": _partner(channel.partner)},
        {"name": name, "partner": _partner(data.partner)},
    )
    new_url = check_webhook_url(data.webhook_url) if data.webhook_url.strip() else None
    if new_url is not None and new_url != channel.webhook_url:
        before["webhook_address"], after["webhook_address"] = "kept secret", "changed, kept secret"
        channel.webhook_url = new_url
    if not after:
        return False
    channel.name, channel.partner = name, data.partner
    audit.record(actor, "teams_channel.updated", channel, before=before, after=after)
    db.session.commit()
    return True


def set_channel_active(actor: User, channel: TeamsChannel, active: bool) -> None:
    """Turn a channel's daily summary off or on again."""
    if channel.active is active:
        return
    audit.record(
        actor, "teams_channel.updated", channel, before={"active": channel.active}, after={"active": active}
    )
    channel.active = active
    db.session.commit()


def check_webhook_url(raw: str) -> str:
    """An https address with a host; plain http only to this machine, where tests run a stand-in for Teams
    (app.testing or TRACKER_TEAMS_ALLOW_HTTP). The message never repeats the address: it is a secret."""
    url = raw.strip()
    wrong = ReminderSettingsError(
        "Enter the webhook address as Teams gives it, starting with https://", "webhook_url"
    )
    if len(url) > URL_LIMIT:
        raise ReminderSettingsError(
            f"The webhook address must be {URL_LIMIT:,} characters or fewer.", "webhook_url"
        )
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise wrong
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it checks the port is a number
    except ValueError:
        raise wrong
    if not parts.hostname or parts.username or parts.password:
        raise wrong
    if parts.scheme == "https":
        return url
    local_http = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if local_http and (current_app.testing or current_app.config["TRACKER_TEAMS_ALLOW_HTTP"]):
        return url
    raise wrong


def _free_name(raw: str, channel: TeamsChannel | None = None) -> str:
    name = raw.strip()
    if not name:
        raise ReminderSettingsError("Enter a name for the channel.", "name")
    taken = sa.select(TeamsChannel.name).where(sa.func.lower(TeamsChannel.name) == name.lower())
    if channel is not None:
        taken = taken.where(TeamsChannel.id != channel.id)
    if (existing := db.session.scalar(taken)) is not None:
        raise ReminderSettingsError(
            f"There is already a channel called {existing}: choose another name.", "name"
        )
    return name


def _partner(partner: Partner | None) -> str:
    return partner.label if partner else "Every partner"


# Reminder problems ------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One digest or Teams post that failed or is stuck, as the administrators' page shows it."""

    what: str  # Email digest or Teams summary
    who: str  # the person's name, or the channel's
    email: str | None  # the person's address (none for a channel)
    day: date
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


@dataclass
class ProblemsPage(Paged):
    items: list[Problem]
    total: int
    page: int
    per_page: int


def stuck_after_words() -> str:
    hours = STUCK_AFTER / timedelta(hours=1)
    return f"{hours:g} {plural(hours, 'hour')}"


def _is_problem(model: type[ReminderDigest] | type[TeamsPost], now: datetime) -> sa.ColumnElement[bool]:
    """Failed, given up or stuck: marked stuck by a run, or still sending STUCK_AFTER after its claim (the run
    that claimed it stopped, and no run has noticed yet)."""
    still_sending = sa.and_(model.status == DeliveryStatus.SENDING, model.claimed_at <= now - STUCK_AFTER)
    return sa.or_(model.status.in_(PROBLEMS), still_sending)


def delivery_problems(page: int, now: datetime, per_page: int = PROBLEMS_PER_PAGE) -> ProblemsPage:
    """Digests and Teams posts that failed, were given up or are stuck, newest first, in four queries whatever
    their number: a count, one page of both kinds together, then that page's digests and posts with whom
    they were for."""
    both = sa.union_all(
        sa.select(
            sa.literal("digest").label("kind"),
            ReminderDigest.id.label("id"),
            ReminderDigest.day.label("day"),
            ReminderDigest.created_at.label("created_at"),
        ).where(_is_problem(ReminderDigest, now)),
        sa.select(
            sa.literal("teams").label("kind"),
            TeamsPost.id.label("id"),
            TeamsPost.day.label("day"),
            TeamsPost.created_at.label("created_at"),
        ).where(_is_problem(TeamsPost, now)),
    ).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(both)) or 0
    shown = page_to_show(page, total, per_page)
    keys = db.session.execute(
        sa.select(both.c.kind, both.c.id)
        .order_by(both.c.day.desc(), both.c.created_at.desc(), both.c.kind, both.c.id.desc())
        .limit(per_page)
        .offset((shown - 1) * per_page)
    ).all()
    digest_ids = [row_id for kind, row_id in keys if kind == "digest"]
    post_ids = [row_id for kind, row_id in keys if kind == "teams"]
    digests = {
        digest.id: digest
        for digest in db.session.scalars(
            sa.select(ReminderDigest)
            .options(joinedload(ReminderDigest.user))
            .where(ReminderDigest.id.in_(digest_ids))
        )
    }
    posts = {
        post.id: post
        for post in db.session.scalars(
            sa.select(TeamsPost).options(joinedload(TeamsPost.channel)).where(TeamsPost.id.in_(post_ids))
        )
    }
    items = [
        _digest_problem(digests[row_id]) if kind == "digest" else _post_problem(posts[row_id])
        for kind, row_id in keys
    ]
    return ProblemsPage(items, total, shown, per_page)


def _digest_problem(digest: ReminderDigest) -> Problem:
    status, error = _as_shown(digest)
    return Problem(
        "Email digest",
        digest.user.name,
        digest.to_address or digest.user.email,
        digest.day,
        status,
        digest.attempts,
        error,
        digest.next_attempt_at,
    )


def _post_problem(post: TeamsPost) -> Problem:
    status, error = _as_shown(post)
    return Problem(
        "Teams summary",
        post.channel.name,
        None,
        post.day,
        status,
        post.attempts,
        _without_address(error, post.channel),
        post.next_attempt_at,
    )


def _as_shown(record: ReminderDigest | TeamsPost) -> tuple[DeliveryStatus, str | None]:
    """A problem's status and error: one still sending is only listed once it is stuck."""
    if record.status in (DeliveryStatus.SENDING, DeliveryStatus.STUCK):
        return DeliveryStatus.STUCK, STUCK_REASON
    return record.status, record.last_error


def _without_address(error: str | None, channel: TeamsChannel) -> str | None:
    """An error as recorded, with the channel's secret address masked should a library have quoted it."""
    if not error:
        return error
    url = channel.webhook_url
    path = url.partition("://")[2].partition("/")[2]
    error = error.replace(url, channel.masked_url)
    return error.replace("/" + path, "/…" + url[-4:]) if len(path) > 4 else error
