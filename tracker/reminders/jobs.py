"""`send_reminders`: the retries of what failed, then each person's digest once a London day and each Teams
channel's summary. Every send is claimed in the database before it goes, so a rerun, or two servers running
the job at once, send nothing twice; it is sent outside the transaction and its outcome recorded and audited
after (docs/reminders.md)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker import audit
from tracker.auth.models import User
from tracker.database import insert_once
from tracker.dates import LONDON, format_date
from tracker.extensions import db
from tracker.models import Role, utcnow
from tracker.reminders.attention import Attention, action_items_of_every_owner, attention_for_people
from tracker.reminders.digest import (
    TEAMS_KINDS,
    Digest,
    TeamsLine,
    base_url,
    digest_for,
    for_channel,
    teams_card,
)
from tracker.reminders.models import (
    DeliveryStatus,
    ReminderDigest,
    ReminderFrequency,
    ReminderKind,
    ReminderPreference,
    ReminderSent,
    TeamsChannel,
    TeamsPost,
    mask_secret_url,
)
from tracker.reminders.transports import (
    DeliveryError,
    EmailTransport,
    OutgoingEmail,
    ReminderConfigError,
    email_transport,
    post_to_teams,
)

BACKOFF = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1  # the fifth failure gives up
MONDAY = 0
# a send takes seconds (SMTP, Notify and Teams each time out well within it): one still sending this long
# after a run took it was left by a run that stopped between the claim and the outcome
STUCK_AFTER = timedelta(hours=1)
STUCK_REASON = "The job stopped while sending it, before it could record whether it went."


@dataclass(frozen=True)
class Failure:
    """A message not delivered in this run: to whom, why, and when it is tried again (None: given up)."""

    what: str
    reason: str
    retry_at: datetime | None


@dataclass(frozen=True)
class Stuck:
    """A message a run took to send at `claimed_at` and never recorded the outcome of: it may have gone."""

    what: str
    claimed_at: datetime


@dataclass
class RunSummary:
    digests_sent: int = 0
    teams_sent: int = 0
    failures: list[Failure] = field(default_factory=list)
    stuck: list[Stuck] = field(default_factory=list)  # found stuck by this run, each counted by one run only
    planned: list[str] = field(default_factory=list)  # a dry run's "who would get what", line by line
    only_retries: bool = False  # before the digest hour


@dataclass(frozen=True)
class Settings:
    transport: EmailTransport | None  # None in a dry run
    base: str
    hour: int
    dry_run: bool


def settings(config: Mapping[str, Any], dry_run: bool) -> Settings:
    """The run's settings; ReminderConfigError, in one line, for one that is missing or wrong. A dry run sends
    nothing, so it needs no transport."""
    raw_hour = str(config.get("TRACKER_REMINDER_HOUR") or "7").strip()
    if not raw_hour.isdigit() or int(raw_hour) > 23:
        raise ReminderConfigError(f"TRACKER_REMINDER_HOUR must be an hour from 0 to 23, not {raw_hour!r}.")
    transport = None if dry_run else email_transport(config)
    return Settings(transport, base_url(config, required=not dry_run), int(raw_hour), dry_run)


def send_reminders(on: date, now: datetime, dry_run: bool = False) -> RunSummary:
    """One run of the job, for `on` (a London day) at `now`: retries whose time has come, then, from the
    digest hour, each person's digest and each Teams channel's summary not yet made for the day."""
    run = settings(current_app.config, dry_run)
    summary = RunSummary()
    _report_stuck(run, now, summary)
    _retry_digests(run, now, summary)
    _retry_teams_posts(run, now, summary)
    if now.astimezone(LONDON).hour < run.hour:
        summary.only_retries = True
        return summary
    people = list(
        db.session.scalars(
            sa.select(User).where(User.active.is_(True), User.role != Role.ADMIN).order_by(User.id)
        )
    )
    attention = attention_for_people(people, on, now)
    _send_digests(run, people, attention, on, now, summary)
    _send_teams_summaries(run, on, now, summary)
    return summary


# -------------------------------------------------------------------------------------------------- digests


def _send_digests(
    run: Settings,
    people: list[User],
    attention: dict[int, list[Attention]],
    on: date,
    now: datetime,
    summary: RunSummary,
) -> None:
    """Each person's new items that their choices let through today, in one digest: three queries for
    everyone, then a fixed few per person who gets one."""
    made_today = set(db.session.scalars(sa.select(ReminderDigest.user_id).where(ReminderDigest.day == on)))
    waiting = {person: attention[person.id] for person in people if attention.get(person.id)}
    waiting = {person: items for person, items in waiting.items() if person.id not in made_today}
    if not waiting:
        return
    ids = [person.id for person in waiting]
    choices = {
        (user_id, kind): frequency
        for user_id, kind, frequency in db.session.execute(
            sa.select(
                ReminderPreference.user_id, ReminderPreference.kind, ReminderPreference.frequency
            ).where(ReminderPreference.user_id.in_(ids))
        ).tuples()
    }
    item_ids = {item.item_id for items in waiting.values() for item in items}
    told = set(
        db.session.execute(
            sa.select(
                ReminderSent.user_id, ReminderSent.item_type, ReminderSent.item_id, ReminderSent.reason
            ).where(ReminderSent.user_id.in_(ids), ReminderSent.item_id.in_(item_ids))
        ).tuples()
    )
    for person, items in waiting.items():
        new = [
            item
            for item in items
            if _due_today(choices.get((person.id, item.kind), ReminderFrequency.DAILY), on)
            and (person.id, *item.key) not in told
        ]
        if not new:
            continue
        digest = digest_for(person, new, on, run.base)
        if run.dry_run:
            summary.planned.extend(_planned_digest(person, digest))
            continue
        assert run.transport is not None
        record = _claim_digest(person, on, digest, new, run.transport.name, now)
        if record is not None:
            _deliver_digest(record, person, run.transport, now, summary)


def _due_today(frequency: ReminderFrequency, on: date) -> bool:
    if frequency is ReminderFrequency.WEEKLY:
        return on.weekday() == MONDAY
    return frequency is ReminderFrequency.DAILY


def _planned_digest(person: User, digest: Digest) -> list[str]:
    counts = ", ".join(f"{group.label} ({group.total})" for group in digest.groups)
    lines = [f"Would email {person.name} <{person.email or 'no email address'}>: {counts}"]
    for group in digest.groups:
        lines.extend(f"    {line.title}" for line in group.lines)
        if group.more_count:
            lines.append(f"    and {group.more_count} more")
    return lines


def _claim_digest(
    person: User, on: date, digest: Digest, items: list[Attention], transport: str, now: datetime
) -> ReminderDigest | None:
    """Make the person's one digest of the day, with every item it tells, and commit: None when another run
    made it first (the unique person-and-day decides)."""
    claimed = db.session.scalar(
        insert_once(
            ReminderDigest,
            {
                "user_id": person.id,
                "day": on,
                "transport": transport,
                "to_address": person.email or "",
                "subject": digest.subject,
                "text_body": digest.text_body,
                "html_body": digest.html_body,
                "status": DeliveryStatus.SENDING,
                "attempts": 0,
                "created_at": utcnow(),
                "claimed_at": now,
            },
        ).returning(ReminderDigest.id)
    )
    if claimed is None:
        db.session.rollback()
        return None
    rows = [
        {
            "user_id": person.id,
            "kind": item.kind,
            "item_type": item.item_type,
            "item_id": item.item_id,
            "reason": item.reason,
            "digest_id": claimed,
        }
        for item in items
    ]
    db.session.execute(insert_once(ReminderSent), rows)
    db.session.commit()
    return db.session.get(ReminderDigest, claimed)


def _deliver_digest(
    record: ReminderDigest, person: User, transport: EmailTransport, now: datetime, summary: RunSummary
) -> None:
    """Send a claimed digest, outside any transaction, then record and audit what happened."""
    what = f"The digest to {person.name} <{record.to_address or 'no email address'}>"
    message = OutgoingEmail(
        to_address=record.to_address,
        to_name=person.name,
        subject=record.subject,
        text_body=record.text_body,
        html_body=record.html_body,
        reference=f"digest-{record.id}",
    )
    db.session.commit()  # no transaction stays open while the mail server answers
    try:
        if "@" not in message.to_address:
            raise DeliveryError("they have no email address in the tracker", permanent=True)
        transport.send(message)
    except DeliveryError as error:
        _record_failure(record, error, now, "reminder")
        if record.status is DeliveryStatus.GIVEN_UP:
            # nothing reached them: what it told may be told in a later digest, once the address is put right
            db.session.execute(sa.delete(ReminderSent).where(ReminderSent.digest_id == record.id))
        db.session.commit()
        summary.failures.append(Failure(what, error.reason, record.next_attempt_at))
        return
    record.status, record.sent_at, record.attempts = DeliveryStatus.SENT, now, record.attempts + 1
    record.transport, record.next_attempt_at, record.last_error = transport.name, None, None
    audit.record(None, "reminder.sent", record, after={"to": record.to_address, "attempts": record.attempts})
    db.session.commit()
    summary.digests_sent += 1


def _record_failure(
    record: ReminderDigest | TeamsPost, error: DeliveryError, now: datetime, verb: str
) -> None:
    """Failed, tried again after 15 minutes, 1 hour, 4 hours, then 12 hours; given up after the fifth
    failure, or at once when trying again cannot help."""
    record.attempts += 1
    record.last_error = error.reason
    if error.permanent or record.attempts >= MAX_ATTEMPTS:
        record.status, record.next_attempt_at = DeliveryStatus.GIVEN_UP, None
    else:
        record.status, record.next_attempt_at = DeliveryStatus.FAILED, now + BACKOFF[record.attempts - 1]
    after: dict[str, Any] = {"error": error.reason, "attempts": record.attempts}
    if isinstance(record, ReminderDigest):
        after["to"] = record.to_address
    else:
        after["channel"] = record.channel.name
    if record.next_attempt_at is not None:
        after["next_attempt_at"] = record.next_attempt_at
    audit.record(None, f"{verb}.{record.status.value}", record, after=after)


def _retry_digests(run: Settings, now: datetime, summary: RunSummary) -> None:
    """Digests that failed and whose time to try again has come, sent again as they were written."""
    due = db.session.scalars(
        sa.select(ReminderDigest)
        .options(joinedload(ReminderDigest.user))
        .where(ReminderDigest.status == DeliveryStatus.FAILED, ReminderDigest.next_attempt_at <= now)
        .order_by(ReminderDigest.id)
    ).all()
    for record in due:
        person = record.user
        if run.dry_run:
            summary.planned.append(
                f"Would try again the digest to {person.name} <{record.to_address}> "
                f"(failed {record.attempts} times: {record.last_error})"
            )
        elif _claim_retry(ReminderDigest, record.id, now):
            assert run.transport is not None
            _deliver_digest(record, person, run.transport, now, summary)


def _claim_retry(model: type[ReminderDigest] | type[TeamsPost], row_id: int, now: datetime) -> bool:
    """Failed to sending, if no other run has taken it first: only one run's UPDATE finds it failed."""
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return cast(sa.CursorResult, result).rowcount == 1


# ---------------------------------------------------------------------------------------------------- stuck


def _report_stuck(run: Settings, now: datetime, summary: RunSummary) -> None:
    """Digests and Teams posts still sending STUCK_AFTER after a run took them: that run stopped between the
    claim and the outcome, so whether they went is not known. They are never sent again (one missed rather
    than one sent twice, docs/reminders.md): each is marked stuck, audited and counted once, by whichever run
    finds it first, and shown to administrators with the reminder problems."""
    cutoff = now - STUCK_AFTER
    digests = _still_sending(ReminderDigest, ReminderDigest.user, cutoff)
    posts = _still_sending(TeamsPost, TeamsPost.channel, cutoff)
    for record in [*digests, *posts]:
        if isinstance(record, ReminderDigest):
            what = f"The digest to {record.user.name} <{record.to_address or 'no email address'}>"
            verb, about = "reminder.stuck", {"to": record.to_address}
        else:
            what = f"The Teams summary to {record.channel.name}"
            verb, about = "teams_summary.stuck", {"channel": record.channel.name}
        assert record.claimed_at is not None  # _still_sending found it claimed before the cutoff
        stuck = Stuck(what, record.claimed_at)
        if run.dry_run:
            summary.planned.append(f"Would mark as stuck: {describe_stuck(stuck)}")
        elif _mark_stuck(record, cutoff):
            audit.record(None, verb, record, after={**about, "claimed_at": stuck.claimed_at})
            db.session.commit()
            summary.stuck.append(stuck)


def _still_sending(model: Any, who: Any, cutoff: datetime) -> list[ReminderDigest | TeamsPost]:
    return list(
        db.session.scalars(
            sa.select(model)
            .options(joinedload(who))
            .where(model.status == DeliveryStatus.SENDING, model.claimed_at <= cutoff)
            .order_by(model.id)
        )
    )


def _mark_stuck(record: ReminderDigest | TeamsPost, cutoff: datetime) -> bool:
    """Sending to stuck, if no other run has marked it first and no late outcome came in: only one run's
    UPDATE finds it still sending. Left uncommitted, for its audit event."""
    model = type(record)
    result = db.session.execute(
        sa.update(model)
        .where(model.id == record.id, model.status == DeliveryStatus.SENDING, model.claimed_at <= cutoff)
        .values(status=DeliveryStatus.STUCK, last_error=STUCK_REASON, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    if cast(sa.CursorResult, result).rowcount == 1:
        return True
    db.session.rollback()
    return False


# ---------------------------------------------------------------------------------------------------- Teams


def _send_teams_summaries(run: Settings, on: date, now: datetime, summary: RunSummary) -> None:
    """Each active channel's summary of the overdue and due-soon actions (its partner's, when it has one),
    once a day; a channel with nothing to say gets nothing."""
    channels = db.session.scalars(
        sa.select(TeamsChannel).where(TeamsChannel.active.is_(True)).order_by(TeamsChannel.id)
    ).all()
    posted = set(db.session.scalars(sa.select(TeamsPost.channel_id).where(TeamsPost.day == on)))
    channels = [channel for channel in channels if channel.id not in posted]
    if not channels:
        return
    ordered = _teams_lines(on)
    for channel in channels:
        lines = [line for line in ordered if for_channel(channel.partner, line.item.partner)]
        if not lines:
            continue
        payload = teams_card(channel.name, on, lines, run.base)
        if run.dry_run:
            summary.planned.append(_planned_post(channel, lines))
            continue
        post = _claim_post(channel, on, payload, now)
        if post is not None:
            _deliver_post(post, now, summary)


def _teams_lines(on: date) -> list[TeamsLine]:
    """Every live open action that is overdue or due soon, by the digests' rules, whoever owns it: one whose
    owner was deactivated is the one a team should notice, so it is named with "(deactivated)" after them.
    Two queries, however many actions and owners."""
    items = [
        (owner_id, item) for owner_id, item in action_items_of_every_owner(on) if item.kind in TEAMS_KINDS
    ]
    owners = {
        owner_id: name if active else f"{name} (deactivated)"
        for owner_id, name, active in db.session.execute(
            sa.select(User.id, User.name, User.active).where(User.id.in_({owner_id for owner_id, _ in items}))
        ).tuples()
    }
    order = list(ReminderKind)
    return sorted(
        (TeamsLine(item, owners[owner_id]) for owner_id, item in items),
        key=lambda line: (order.index(line.item.kind), line.item.title.casefold()),
    )


def _planned_post(channel: TeamsChannel, lines: list[TeamsLine]) -> str:
    overdue = sum(1 for line in lines if line.item.kind is ReminderKind.OVERDUE)
    return (
        f"Would post to the Teams channel {channel.name} ({mask_secret_url(channel.webhook_url)}): "
        f"{overdue} overdue and {len(lines) - overdue} due soon"
    )


def _claim_post(channel: TeamsChannel, on: date, payload: dict[str, Any], now: datetime) -> TeamsPost | None:
    claimed = db.session.scalar(
        insert_once(
            TeamsPost,
            {
                "channel_id": channel.id,
                "day": on,
                "payload": payload,
                "status": DeliveryStatus.SENDING,
                "attempts": 0,
                "created_at": utcnow(),
                "claimed_at": now,
            },
        ).returning(TeamsPost.id)
    )
    if claimed is None:
        db.session.rollback()
        return None
    db.session.commit()
    return db.session.get(TeamsPost, claimed)


def _deliver_post(post: TeamsPost, now: datetime, summary: RunSummary) -> None:
    channel = post.channel
    webhook_url, payload = channel.webhook_url, post.payload or {}
    db.session.commit()  # no transaction stays open while Teams answers
    try:
        post_to_teams(webhook_url, payload)
    except DeliveryError as error:
        _record_failure(post, error, now, "teams_summary")
        db.session.commit()
        summary.failures.append(
            Failure(f"The Teams summary to {channel.name}", error.reason, post.next_attempt_at)
        )
        return
    post.status, post.sent_at, post.attempts = DeliveryStatus.SENT, now, post.attempts + 1
    post.next_attempt_at, post.last_error = None, None
    audit.record(None, "teams_summary.sent", post, after={"channel": channel.name, "attempts": post.attempts})
    db.session.commit()
    summary.teams_sent += 1


def _retry_teams_posts(run: Settings, now: datetime, summary: RunSummary) -> None:
    due = db.session.scalars(
        sa.select(TeamsPost)
        .options(joinedload(TeamsPost.channel))
        .where(TeamsPost.status == DeliveryStatus.FAILED, TeamsPost.next_attempt_at <= now)
        .order_by(TeamsPost.id)
    ).all()
    for post in due:
        if run.dry_run:
            summary.planned.append(
                f"Would try again the Teams summary to {post.channel.name} "
                f"(failed {post.attempts} times: {post.last_error})"
            )
        elif _claim_retry(TeamsPost, post.id, now):
            _deliver_post(post, now, summary)


def describe_stuck(stuck: Stuck) -> str:
    """One line for the command's output."""
    at = stuck.claimed_at.astimezone(LONDON)
    return (
        f"{stuck.what} may not have been sent: the job stopped while sending it at {at:%H:%M} on "
        f"{format_date(at.date())}, before it could record whether it went; it is not sent again."
    )


def describe(failure: Failure) -> str:
    """One line for the command's output."""
    if failure.retry_at is None:
        then = "given up"
    else:
        at = failure.retry_at.astimezone(LONDON)
        then = f"will try again after {at:%H:%M} on {format_date(at.date())}"
    return f"{failure.what} was not sent: {failure.reason}; {then}."
