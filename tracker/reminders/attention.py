"""What is worth telling each person, worked out once for the panel on My actions, the email digest and the
Teams summaries alike (docs/reminders.md). Everyone's items come from a fixed number of queries, whatever the
number of people or items: the send job asks for all of them at once.

Every item carries its `reason`: the kind and what makes the news new (the due date in force, the day of the
last update, the moment evidence was returned). A reason sent to a person once is never sent to them again.
`grouped` is the one rule for how much of each kind the panel and the digest show: ten, then "and N more"."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.dates import LONDON, format_date
from tracker.evidence.models import EvidenceItem, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.information_requests.models import InformationRequest, InspectionPeriod
from tracker.measures.models import Measure, MeasureReading
from tracker.measures.status import STALE_AFTER_DAYS
from tracker.models import Role
from tracker.permissions import can_view_evidence, can_view_request, visible_evidence_clause
from tracker.plan.models import Action, Partner
from tracker.plan.queries import due_column, last_update_column
from tracker.plan.rag import RagFacts, days_since_update, is_stale
from tracker.plan.services import open_statuses, stale_after_days
from tracker.reminders.models import ReminderKind
from tracker.text import counted

DUE_SOON_DAYS = (1, 7, 30)  # an action is news as it comes within 30, then 7, then 1 day of its due date
REQUEST_DUE_SOON = timedelta(hours=24)  # an inspectors' request is news a day before it is due
KIND_ORDER = list(ReminderKind)
SHOWN_PER_KIND = 10  # a county's leader may have hundreds waiting for review: past ten, a count and a link

# The page that lists all of a kind for the person it is about, for "and 242 more": (endpoint, its arguments)
ALL_OF_KIND: dict[ReminderKind, tuple[str, dict[str, str]]] = {
    ReminderKind.REQUEST_DUE: ("requests.mine", {}),
    ReminderKind.OVERDUE: ("plan.my_actions", {}),
    ReminderKind.DUE_SOON: ("plan.my_actions", {}),
    ReminderKind.STALE: ("plan.my_actions", {}),
    ReminderKind.EVIDENCE_RETURNED: ("evidence.mine", {"status": "returned"}),
    ReminderKind.EVIDENCE_TO_REVIEW: ("evidence.review_queue", {}),
    ReminderKind.EVIDENCE_REVIEW_DUE: ("evidence.mine", {"status": "accepted", "expired": "1"}),
    ReminderKind.MEASURE_NO_READING: ("measures.index", {}),
}


@dataclass(frozen=True)
class Attention:
    """One thing one person should know, with the words to say it and where to go."""

    kind: ReminderKind
    item_type: str  # action, evidence, measure or request
    item_id: int
    reason: str  # what makes it news: never sent twice to the same person
    title: str  # what the item is called
    why: str  # the sentence that says why, in plain words
    endpoint: str
    values: dict = field(default_factory=dict, hash=False, compare=False)
    restricted: bool = False  # names restricted evidence or a request about a child: never put in a message
    partner: Partner | None = None  # an action's partner, for the Teams summaries

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.item_type, self.item_id, self.reason)

    @property
    def safe_title(self) -> str:
        """The title as an email or a Teams message may show it: restricted items are not named."""
        if not self.restricted:
            return self.title
        return f"A restricted evidence item (E{self.item_id})" if self.item_type == "evidence" else self.title


@dataclass(frozen=True)
class Group:
    """One kind of a person's items as the panel and the digest show them: the first SHOWN_PER_KIND, and how
    many more, with the page that lists them all."""

    kind: ReminderKind
    shown: list[Attention]
    more_count: int
    more_endpoint: str
    more_values: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.shown) + self.more_count


def grouped(items: Iterable[Attention], totals: dict[ReminderKind, int] | None = None) -> list[Group]:
    """The items by kind, most pressing kind first, each kind's in the order given (`attention_for`'s): the
    one rule for how much of a kind the panel and the digest show. `totals` gives a kind's count when only
    its first items were read (`attention_groups`)."""
    by_kind: dict[ReminderKind, list[Attention]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    totals = totals or {}
    return [
        Group(
            kind,
            by_kind[kind][:SHOWN_PER_KIND],
            max(totals.get(kind, len(by_kind[kind])) - SHOWN_PER_KIND, 0),
            *ALL_OF_KIND[kind],
        )
        for kind in ReminderKind
        if kind in by_kind
    ]


def attention_for(user: User, on: date, now: datetime) -> list[Attention]:
    """What this person should know today: everything the email digest is worked out from."""
    return attention_for_people([user], on, now).get(user.id, [])


def attention_groups(user: User, on: date, now: datetime) -> list[Group]:
    """The "Needs your attention" panel: `grouped(attention_for(user))`, but reading only the first
    SHOWN_PER_KIND of each kind of evidence and counting the rest in the database, so the panel costs the same
    whether a region's officer has ten items returned to them or thousands."""
    items, totals = _collect([user], on, now, first=SHOWN_PER_KIND)
    return grouped(items.get(user.id, []), totals.get(user.id, {}))


def attention_for_people(people: Iterable[User], on: date, now: datetime) -> dict[int, list[Attention]]:
    """Each active person's items, most pressing kind first, in a fixed number of queries."""
    return _collect(people, on, now)[0]


def _collect(
    people: Iterable[User], on: date, now: datetime, first: int | None = None
) -> tuple[dict[int, list[Attention]], dict[int, dict[ReminderKind, int]]]:
    """Each active person's items, sorted, and for each kind of evidence read only `first` of, how many
    there are in all."""
    everyone = {person.id: person for person in people if person.active and person.role is not Role.ADMIN}
    found: dict[int, list[Attention]] = defaultdict(list)
    totals: dict[int, dict[ReminderKind, int]] = defaultdict(dict)
    if not everyone:
        return {}, {}
    for person_id, item in _action_items(everyone, on):
        found[person_id].append(item)
    for person_id, item, of_kind in _evidence_items(everyone, on, first):
        found[person_id].append(item)
        if of_kind is not None:
            totals[person_id][item.kind] = of_kind
    for person_id, item in _measure_items(everyone, on):
        found[person_id].append(item)
    for person_id, item in _request_items(everyone, now):
        found[person_id].append(item)
    return {person_id: sorted(items, key=most_pressing_first) for person_id, items in found.items()}, totals


def most_pressing_first(item: Attention) -> tuple:
    """By kind, in the digest's order; within a kind, the earliest date first: the earliest due, the longest
    waiting, the longest without an update, and on the same date the oldest item first (as the panel's
    queries read them). Every reason ends with that date or moment, written as ISO 8601, so it sorts as
    text."""
    return (KIND_ORDER.index(item.kind), item.reason.partition(":")[2], item.item_id)


def action_items_of_every_owner(on: date) -> list[tuple[int, Attention]]:
    """Every live open action's items, by the rules everyone's are worked out by, each with its owner's id,
    whoever the owner is and whether or not they are still active: what the Teams summaries tell a channel
    (an overdue action whose owner has left is the one a team should notice). One query."""
    return list(_action_items(None, on))


def due_soon_within(days_left: int) -> int | None:
    """The smallest of 30, 7 and 1 days that the due date has come within, if any."""
    return next((limit for limit in DUE_SOON_DAYS if 0 <= days_left <= limit), None)


def _action_items(everyone: Collection[int] | None, on: date):
    """Overdue, due soon and stale: to each open action's owner (of these people, or any owner when None)."""
    stale_days = stale_after_days()
    last_update = last_update_column().label("last_update_on")
    rows = db.session.execute(
        sa.select(
            Action.id,
            Action.reference,
            Action.title,
            Action.owner_id,
            Action.partner,
            Action.status,
            Action.start_date,
            Action.percent_complete,
            Action.created_at,
            due_column().label("due_on"),
            last_update,
        )
        .where(
            Action.archived_at.is_(None),
            Action.status.in_(open_statuses()),
            *([] if everyone is None else [Action.owner_id.in_(everyone)]),
        )
        .order_by(Action.id)
    )
    for row in rows:
        title = f"{row.reference}: {row.title}"
        link: dict[str, Any] = {
            "endpoint": "plan.action",
            "values": {"action_id": row.id},
            "partner": row.partner,
        }
        days_left = (row.due_on - on).days
        if days_left < 0:
            yield (
                row.owner_id,
                Attention(
                    ReminderKind.OVERDUE,
                    "action",
                    row.id,
                    f"overdue:{row.due_on.isoformat()}",
                    title,
                    f"Overdue: it was due {format_date(row.due_on)}.",
                    **link,
                ),
            )
        elif (limit := due_soon_within(days_left)) is not None:
            when = "today" if days_left == 0 else f"in {counted(days_left, 'day')}"
            yield (
                row.owner_id,
                Attention(
                    ReminderKind.DUE_SOON,
                    "action",
                    row.id,
                    f"due_{limit}:{row.due_on.isoformat()}",
                    title,
                    f"Due {when}, on {format_date(row.due_on)}.",
                    **link,
                ),
            )
        facts = RagFacts(
            status=row.status,
            start_date=row.start_date,
            due_date=row.due_on,
            percent_complete=row.percent_complete,
            last_update_on=row.last_update_on,
            created_on=row.created_at.astimezone(LONDON).date(),
        )
        if is_stale(facts, on, stale_days):
            since = on - timedelta(days=days_since_update(facts, on))
            words = (
                f"No progress update since {format_date(row.last_update_on)}."
                if row.last_update_on
                else f"No progress update yet, {days_since_update(facts, on)} days on."
            )
            yield (
                row.owner_id,
                Attention(
                    ReminderKind.STALE, "action", row.id, f"stale:{since.isoformat()}", title, words, **link
                ),
            )


@dataclass(frozen=True)
class _Evidence:
    """The columns of an evidence item its reminders need, without loading the item itself."""

    id: int
    title: str
    uploaded_by_id: int
    sensitivity: Sensitivity
    since: Any  # the moment or day its news dates from

    @property
    def is_restricted(self) -> bool:  # as EvidenceItem's, for can_view_evidence
        return self.sensitivity is Sensitivity.RESTRICTED


# Each kind of evidence news: its status, and the moment or day the news dates from, which is both the
# reason's date and the order within the kind (the longest waiting first)
EVIDENCE_KINDS: dict[ReminderKind, tuple[EvidenceStatus, Any, str]] = {
    ReminderKind.EVIDENCE_RETURNED: (EvidenceStatus.RETURNED, EvidenceItem.reviewed_at, "returned"),
    ReminderKind.EVIDENCE_TO_REVIEW: (EvidenceStatus.SUBMITTED, EvidenceItem.updated_at, "to_review"),
    ReminderKind.EVIDENCE_REVIEW_DUE: (EvidenceStatus.ACCEPTED, EvidenceItem.review_by, "review_by"),
}


def _evidence_items(everyone: dict[int, User], on: date, first: int | None = None):
    """Returned evidence to its uploader; evidence waiting for review to every leader; evidence past its
    review-by date to its uploader. Each is checked against who may see it. One query per kind, the longest
    waiting first; with `first` (one person, for the panel) only that many of each kind are read, in the order
    an index keeps, and one more query counts each kind."""
    leaders = [person for person in everyone.values() if person.role is Role.LEADER]
    wanted = {
        kind: _evidence_conditions(kind, everyone, on)
        for kind in EVIDENCE_KINDS
        if leaders or kind is not ReminderKind.EVIDENCE_TO_REVIEW
    }
    if first:
        (person,) = everyone.values()
        if ReminderKind.EVIDENCE_TO_REVIEW in wanted:  # the others are the person's own uploads, seen by them
            wanted[ReminderKind.EVIDENCE_TO_REVIEW].append(visible_evidence_clause(person, EvidenceItem))
        counts = (
            db.session.execute(
                sa.select(
                    *(
                        sa.select(sa.func.count()).where(*conditions).scalar_subquery().label(kind.value)
                        for kind, conditions in wanted.items()
                    )
                )
            )
            .one()
            ._mapping
        )
    for kind, conditions in wanted.items():
        status, since, reason = EVIDENCE_KINDS[kind]
        query = (
            sa.select(
                EvidenceItem.id,
                EvidenceItem.title,
                EvidenceItem.uploaded_by_id,
                EvidenceItem.sensitivity,
                since.label("since"),
            )
            .where(*conditions)
            .order_by(since, EvidenceItem.id)
        )
        of_kind = counts[kind.value] if first else None
        for row in db.session.execute(query.limit(first) if first else query):
            item = _Evidence(row.id, row.title, row.uploaded_by_id, row.sensitivity, row.since)
            to_leaders = kind is ReminderKind.EVIDENCE_TO_REVIEW
            for person in leaders if to_leaders else [everyone[item.uploaded_by_id]]:
                if can_view_evidence(person, item):
                    yield person.id, _evidence_attention(kind, reason, item), of_kind


def _evidence_conditions(kind: ReminderKind, everyone: dict[int, User], on: date) -> list:
    """Which evidence is news of this kind, in the order of the indexes that find it (migration
    21a1000000a1)."""
    status, _, _ = EVIDENCE_KINDS[kind]
    if kind is ReminderKind.EVIDENCE_TO_REVIEW:  # to every leader, whoever uploaded it
        return [EvidenceItem.status == status, EvidenceItem.archived_at.is_(None)]
    conditions = [
        EvidenceItem.uploaded_by_id.in_(everyone),
        EvidenceItem.status == status,
        EvidenceItem.archived_at.is_(None),
    ]
    if kind is ReminderKind.EVIDENCE_REVIEW_DUE:
        conditions.append(EvidenceItem.review_by < on)
    return conditions


def _evidence_attention(kind: ReminderKind, reason: str, item: _Evidence) -> Attention:
    since = item.since.isoformat() if item.since is not None else "unknown"
    why = {
        ReminderKind.EVIDENCE_RETURNED: "Returned to you for changes: the reviewer's comment is on its page.",
        ReminderKind.EVIDENCE_TO_REVIEW: "Waiting for your review.",
        ReminderKind.EVIDENCE_REVIEW_DUE: (
            f"Past its review-by date, {format_date(item.since)}: check it is still current."
            if item.since is not None
            else ""
        ),
    }[kind]
    return Attention(
        kind,
        "evidence",
        item.id,
        f"{reason}:{since}",
        item.title,
        why,
        "evidence.detail",
        {"evidence_id": item.id},
        restricted=item.is_restricted,
    )


def _measure_items(everyone: dict[int, User], on: date):
    """A live measure with no reading for its period (its latest period end more than one period ago, or none
    at all once a period has passed since it was defined): to its owner."""
    latest = (
        sa.select(sa.func.max(MeasureReading.period_end))
        .where(MeasureReading.measure_id == Measure.id)
        .correlate(Measure)
        .scalar_subquery()
        .label("latest_period_end")
    )
    rows = db.session.execute(
        sa.select(Measure.id, Measure.name, Measure.owner_id, Measure.frequency, Measure.created_at, latest)
        .where(Measure.archived_at.is_(None), Measure.owner_id.in_(everyone))
        .order_by(Measure.id)
    )
    for row in rows:
        allowed = STALE_AFTER_DAYS[row.frequency]
        since = row.latest_period_end or row.created_at.astimezone(LONDON).date()
        if (on - since).days <= allowed:
            continue
        why = (
            f"No reading since the period ending {format_date(row.latest_period_end)}."
            if row.latest_period_end
            else "No readings yet."
        )
        yield (
            row.owner_id,
            Attention(
                ReminderKind.MEASURE_NO_READING,
                "measure",
                row.id,
                f"no_reading:{since.isoformat()}",
                row.name,
                why,
                "measures.detail",
                {"measure_id": row.id},
            ),
        )


def _request_items(everyone: dict[int, User], now: datetime):
    """An inspectors' request in an open period, not yet sent, due within a day or overdue: to its owner. A
    request is named by its number and category, never by its wording (which may name a child)."""
    rows = db.session.scalars(
        sa.select(InformationRequest)
        .join(InspectionPeriod, InspectionPeriod.id == InformationRequest.period_id)
        .where(
            InspectionPeriod.closed_at.is_(None),
            InformationRequest.owner_id.in_(everyone),
            InformationRequest.due_at <= now + REQUEST_DUE_SOON,
        )
        .order_by(InformationRequest.due_at, InformationRequest.id)
    )
    for request in rows:
        person = everyone[request.owner_id]
        if request.status.is_answered or not can_view_request(person, request):
            continue
        due = request.due_at.astimezone(LONDON)
        due_words = f"{due:%H:%M} on {format_date(due.date())}"
        overdue = request.due_at < now
        yield (
            person.id,
            Attention(
                ReminderKind.REQUEST_DUE,
                "request",
                request.id,
                f"{'request_overdue' if overdue else 'request_due'}:{request.due_at.isoformat()}",
                f"Request {request.reference}: {request.category.label}",
                f"Overdue: it was due at {due_words}." if overdue else f"Due at {due_words}.",
                "requests.detail",
                {"request_id": request.id},
            ),
        )
