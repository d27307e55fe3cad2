"""The rules of an inspection under way: opening and closing its period, logging the inspectors' requests,
answering them (status, response note, evidence chosen or uploaded), and the lists, each in a fixed number of
queries. A request that names a child is read like restricted evidence (`visible_request_clause`).
Every change is recorded with `audit.record` and committed once (docs/information-requests.md)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit
from tracker.auth.models import User
from tracker.dates import format_date, today
from tracker.errors import UserError
from tracker.evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity

# the one upload path: a file streamed into storage as an evidence item's first version, removed again if the
# transaction fails (tracker/evidence/services.py)
from tracker.evidence.services import EvidenceError, Upload, keep_all_or_nothing, store_upload
from tracker.extensions import db
from tracker.information_requests.models import (
    InformationRequest,
    InspectionPeriod,
    RequestCategory,
    RequestEvidence,
    RequestStatus,
)
from tracker.information_requests.rules import last_day, notification_problem, status_problem
from tracker.models import Role, utcnow
from tracker.paging import Paged, page_to_show
from tracker.permissions import (
    can_manage_requests,
    can_update_request,
    can_view_evidence,
    visible_evidence_clause,
    visible_request_clause,
)
from tracker.plan.models import Inspection

PER_PAGE = 25
EVIDENCE_CHOICES = 500  # the newest evidence offered to attach; what is already attached is always shown


class RequestError(UserError):
    """A rule about inspection periods or requests was broken; the message is shown to the user."""


class RequestConflict(RequestError):
    """Someone changed the request after this person opened the form."""

    def __init__(self, record: InformationRequest):
        event = audit.last_change(record)
        who = "someone else"
        if event is not None:
            person = db.session.get(User, event.actor_id) if event.actor_id else None
            who = person.name if person else event.actor_label
        when = event.occurred_at if event else utcnow()
        super().__init__(
            f"{record.reference} was changed by {who} at {format_date(when)} since you opened it. "
            "What you typed is below and has not been saved: check the request's page and save again."
        )


@dataclass
class RequestData:
    wording: str
    category: RequestCategory
    owner_id: int | None
    due_at: datetime | None  # aware; the form reads it in UK time
    names_child: bool = False


@dataclass
class UploadDetails:
    title: str
    about_date: date
    sensitivity: Sensitivity
    description: str = ""


# Periods ------------------------------------------------------------------------------------------


def open_period_now() -> InspectionPeriod | None:
    return db.session.scalar(
        sa.select(InspectionPeriod)
        .where(InspectionPeriod.closed_at.is_(None))
        .options(joinedload(InspectionPeriod.inspection))
    )


def current_period() -> InspectionPeriod | None:
    """The open period, or else the one opened last: what the requests list shows."""
    return open_period_now() or db.session.scalar(
        sa.select(InspectionPeriod)
        .order_by(InspectionPeriod.notified_on.desc(), InspectionPeriod.id.desc())
        .options(joinedload(InspectionPeriod.inspection))
        .limit(1)
    )


def list_periods(user: User) -> Sequence[tuple[InspectionPeriod, int]]:
    """Every period, newest first, with how many of its requests this person may see (a request naming a child
    counts only for those who may read it)."""
    counted = (
        sa.select(InformationRequest.period_id, sa.func.count().label("requests"))
        .where(visible_request_clause(user, InformationRequest))
        .group_by(InformationRequest.period_id)
        .subquery()
    )
    return (
        db.session.execute(
            sa.select(InspectionPeriod, sa.func.coalesce(counted.c.requests, 0))
            .outerjoin(counted, counted.c.period_id == InspectionPeriod.id)
            .options(joinedload(InspectionPeriod.inspection), joinedload(InspectionPeriod.opened_by))
            .order_by(InspectionPeriod.notified_on.desc(), InspectionPeriod.id.desc())
        )
        .tuples()
        .all()
    )


def load_period(period_id: int | None) -> InspectionPeriod:
    """The period, or a 404 (for None too: an address whose id is not one)."""
    return db.first_or_404(
        sa.select(InspectionPeriod)
        .where(InspectionPeriod.id == period_id)
        .options(
            joinedload(InspectionPeriod.inspection),
            joinedload(InspectionPeriod.opened_by),
            joinedload(InspectionPeriod.closed_by),
        )
    )


def inspection_choices() -> Sequence[Inspection]:
    return db.session.scalars(
        sa.select(Inspection)
        .where(Inspection.archived_at.is_(None))
        .order_by(Inspection.start_date.desc().nulls_last(), Inspection.id.desc())
    ).all()


def fitting_inspection(notified_on: date) -> Inspection | None:
    """The one live inspection whose start date falls between the notification and
    the last day on site, if one."""
    rows = db.session.scalars(
        sa.select(Inspection)
        .where(
            Inspection.archived_at.is_(None),
            Inspection.start_date >= notified_on,
            Inspection.start_date <= last_day(notified_on),
        )
        .limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def open_period(actor: User, notified_on: date | None, inspection_id: int | None = None) -> InspectionPeriod:
    """Open an inspection under way from its notification date, linked to the inspection chosen or, if none
    was, the one that fits its dates."""
    if not can_manage_requests(actor):
        raise RequestError("Only leaders open an inspection period.")
    if notified_on is None:
        raise RequestError("Enter the date the inspectors notified you.", "notified_on")
    problem = notification_problem(notified_on, today())
    if problem:
        raise RequestError(problem, "notified_on")
    inspection = (
        db.session.get(Inspection, inspection_id) if inspection_id else fitting_inspection(notified_on)
    )
    if inspection_id and (inspection is None or inspection.is_archived):
        raise RequestError("Choose the inspection from the list.", "inspection")
    if open_period_now() is not None:
        raise RequestError("An inspection period is already open. Close it before opening another.")
    period = InspectionPeriod(
        notified_on=notified_on, inspection_id=inspection.id if inspection else None, opened_by_id=actor.id
    )
    db.session.add(period)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # another leader opened one at the same moment
        db.session.rollback()
        raise RequestError("An inspection period is already open. Close it before opening another.") from None
    audit.record(
        actor,
        "inspection_period.opened",
        period,
        after={"notified_on": notified_on, "inspection": inspection.title if inspection else None},
    )
    db.session.commit()
    return period


def close_period(actor: User, period: InspectionPeriod) -> None:
    """Close the period: its requests are kept as they stand and can no longer change."""
    if not can_manage_requests(actor):
        raise RequestError("Only leaders close an inspection period.")
    if not period.is_open:
        raise RequestError("This inspection period is already closed.")
    period.closed_at, period.closed_by_id, period.open_marker = utcnow(), actor.id, None
    audit.record(actor, "inspection_period.closed", period, before={"closed": False}, after={"closed": True})
    db.session.commit()


# Requests: logging and changing ----------------------------------------------------------------------


def _describe(row: InformationRequest) -> dict:
    return {
        "wording": row.wording,
        "category": row.category,
        "owner_id": row.owner_id,
        "due_at": row.due_at,
        "names_child": row.names_child,
        "status": row.status,
        "response": row.response,
    }


def _check(data: RequestData, period: InspectionPeriod | None, due_changed: bool = True) -> User:
    if period is None or not period.is_open:
        raise RequestError("Open an inspection period before logging requests: there is none open.")
    if not (data.wording or "").strip():
        raise RequestError("Enter the request's wording, as the inspectors put it.", "wording")
    owner = db.session.get(User, data.owner_id) if data.owner_id else None
    if owner is None or not owner.active or owner.role not in (Role.LEADER, Role.OFFICER):
        raise RequestError("Choose who owns the request: a leader or officer from the list.", "owner_id")
    if data.due_at is None:
        raise RequestError("Enter when the request is due: the date and the time.", "due_on")
    if due_changed and data.due_at <= utcnow():
        raise RequestError(
            f"The due time, {format_date(data.due_at)}, has already passed. Enter a time still to come: "
            "if the inspectors gave no time, use the end of the working day.",
            "due_on",
        )
    return owner


def log_request(actor: User, data: RequestData) -> InformationRequest:
    """Log an inspectors' request in the open period, numbered R1, R2... in the order logged."""
    if not can_manage_requests(actor):
        raise RequestError("Only leaders log the inspectors' requests.")
    period = open_period_now()
    _check(data, period)
    assert period is not None  # _check refused a request with no period open
    number = (
        db.session.scalar(
            sa.select(sa.func.max(InformationRequest.number)).where(InformationRequest.period_id == period.id)
        )
        or 0
    ) + 1
    row = InformationRequest(
        period_id=period.id,
        number=number,
        wording=data.wording.strip(),
        category=data.category,
        owner_id=data.owner_id,
        due_at=data.due_at,
        names_child=data.names_child,
        status=RequestStatus.OPEN,
        response="",
        logged_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "information_request.logged", row, after={"reference": row.reference, **_describe(row)}
    )
    _commit(row)
    return row


def update_request(actor: User, row: InformationRequest, data: RequestData, seen: int) -> None:
    """A leader changes a request's wording, category, owner, due time or whether it names a child."""
    if not can_manage_requests(actor):
        raise RequestError("Only leaders change a request's wording, owner or due time.")
    _check(data, row.period, due_changed=_minute(data.due_at) != _minute(row.due_at))
    if seen != row.version:
        raise RequestConflict(row)
    if data.names_child and not row.names_child:
        _uploads_restricted_first(row)
    values = {
        "wording": data.wording.strip(),
        "category": data.category,
        "owner_id": data.owner_id,
        "due_at": data.due_at,
        "names_child": data.names_child,
    }
    _apply(actor, row, "information_request.updated", values)
    _commit(row)


def _uploads_restricted_first(row: InformationRequest) -> None:
    """A request about to be marked as naming a child: the files uploaded for it must be restricted already,
    or they would stay readable by everyone in the evidence lists and exports."""
    open_files = [
        link.evidence.title
        for link in row.attachments
        if link.uploaded_for and link.evidence.sensitivity is not Sensitivity.RESTRICTED
    ]
    if open_files:
        titles = ", ".join(f"“{title}”" for title in open_files)
        raise RequestError(
            f"Files uploaded for this request are not restricted: {titles}. Change each to Restricted "
            "on its evidence page first, then mark the request as naming a child.",
            "names_child",
        )


def _minute(moment: datetime | None) -> datetime | None:
    """A due time as the form reads it, to the minute: an unchanged one is not "changed" by its seconds."""
    return moment.replace(second=0, microsecond=0) if moment else None


def respond(actor: User, row: InformationRequest, status: RequestStatus, response: str, seen: int) -> None:
    """The owner or a leader moves the request on and writes what was sent (rules.status_problem)."""
    _may_update(actor, row)
    if seen != row.version:
        raise RequestConflict(row)
    response = (response or "").strip()
    problem = status_problem(
        row.status,
        status,
        leader=can_manage_requests(actor),
        answered=bool(response) or bool(row.attachments),
    )
    if problem:
        raise RequestError(problem, "status")
    _apply(actor, row, "information_request.updated", {"status": status, "response": response})
    _commit(row)


def _may_update(actor: User, row: InformationRequest) -> None:
    if not row.period.is_open:
        raise RequestError("This inspection period is closed: its requests can no longer change.")
    if not can_update_request(actor, row):
        raise RequestError(
            "Only a leader or the request's owner can answer it; a closed request only a leader reopens."
        )


def _apply(actor: User, row: InformationRequest, verb: str, values: dict) -> None:
    before, after = audit.diff({name: getattr(row, name) for name in values}, values)
    if after:
        for name, value in after.items():
            setattr(row, name, value)
        audit.record(actor, verb, row, before=before, after=after)


def _commit(row: InformationRequest) -> None:
    try:
        db.session.commit()
    except sa.orm.exc.StaleDataError:
        db.session.rollback()
        raise RequestConflict(row) from None
    except sa.exc.IntegrityError:  # two leaders logged a request in the same period at the same moment
        db.session.rollback()
        raise RequestError("Another request was logged at the same moment. Send the form again.") from None


# Requests: evidence ------------------------------------------------------------------------------------


def attach_evidence(actor: User, row: InformationRequest, evidence_ids: list[int]) -> list[EvidenceItem]:
    """Attach evidence from the tracker: each item must exist, be live and be one this person may see."""
    _may_update(actor, row)
    wanted = list(dict.fromkeys(evidence_ids))
    if not wanted:
        raise RequestError("Choose the evidence to attach.", "evidence_ids")
    items = {
        item.id: item
        for item in db.session.scalars(sa.select(EvidenceItem).where(EvidenceItem.id.in_(wanted)))
    }
    attached = {link.evidence_id for link in row.attachments}
    chosen = []
    for evidence_id in wanted:
        item = items.get(evidence_id)
        if item is None or not can_view_evidence(actor, item):
            raise RequestError("Choose the evidence to attach from the list.", "evidence_ids")
        if item.is_archived:
            raise RequestError(
                f"\u201c{item.title}\u201d is archived: restore it before attaching it.", "evidence_ids"
            )
        if evidence_id not in attached:
            chosen.append(item)
    for item in chosen:
        row.attachments.append(RequestEvidence(evidence_id=item.id, attached_by_id=actor.id))
    if chosen:
        audit.record(
            actor,
            "information_request.evidence_attached",
            row,
            after={"evidence": [f"{item.id}: {item.title}" for item in chosen]},
        )
        _commit(row)
    return chosen


def detach_evidence(actor: User, row: InformationRequest, evidence_id: int) -> EvidenceItem:
    """Take evidence off a request; the evidence itself is kept."""
    _may_update(actor, row)
    link = next((link for link in row.attachments if link.evidence_id == evidence_id), None)
    if link is None or not can_view_evidence(actor, link.evidence):
        raise RequestError("That evidence is not attached to this request.")
    item = link.evidence
    row.attachments.remove(link)
    db.session.delete(link)
    audit.record(
        actor, "information_request.evidence_detached", row, after={"evidence": [f"{item.id}: {item.title}"]}
    )
    _commit(row)
    return item


def upload_for_request(
    actor: User, row: InformationRequest, details: UploadDetails, upload: Upload
) -> EvidenceItem:
    """Store a file as a new evidence document and attach it, in one transaction: if anything fails, nothing
    is kept, the file included. A file for a request that names a child is restricted evidence."""
    _may_update(actor, row)
    if not (details.title or "").strip():
        raise RequestError("Enter a title for the file.", "title")
    if details.about_date is None:
        raise RequestError("Enter the date the file is about.", "about_date")
    if details.about_date > today():
        raise RequestError("The date the file is about cannot be in the future.", "about_date")
    if row.names_child and details.sensitivity is not Sensitivity.RESTRICTED:
        raise RequestError(
            "This request names a child, so what is sent for it is restricted: choose Restricted.",
            "sensitivity",
        )
    item = EvidenceItem(
        kind=EvidenceKind.DOCUMENT,
        title=details.title.strip(),
        description=details.description.strip(),
        about_date=details.about_date,
        sensitivity=details.sensitivity,
        source=f"Information request {row.reference}",
        status=EvidenceStatus.SUBMITTED,
        uploaded_by_id=actor.id,
    )

    def record(stored):
        db.session.add(item)
        db.session.flush()
        audit.record(
            actor,
            "evidence_item.created",
            item,
            after={
                "kind": item.kind,
                "title": item.title,
                "description": item.description,
                "about_date": item.about_date,
                "sensitivity": item.sensitivity,
                "source": item.source,
                "file": stored.filename,
                "sha256": stored.sha256,
                "size_bytes": stored.size_bytes,
            },
        )
        row.attachments.append(
            RequestEvidence(evidence_id=item.id, uploaded_for=True, attached_by_id=actor.id)
        )
        audit.record(
            actor,
            "information_request.evidence_attached",
            row,
            after={"evidence": [f"{item.id}: {item.title}"], "uploaded": stored.filename},
        )

    try:
        keep_all_or_nothing(lambda: store_upload(actor, item, upload), record)
    except EvidenceError as error:
        raise RequestError(str(error), "file") from None
    return item


def evidence_choices(user: User, row: InformationRequest) -> Sequence[EvidenceItem]:
    """Live evidence this person may see and could attach: the newest EVIDENCE_CHOICES,
    not those attached already."""
    attached = sa.select(RequestEvidence.evidence_id).where(RequestEvidence.request_id == row.id)
    return db.session.scalars(
        sa.select(EvidenceItem)
        .where(
            EvidenceItem.archived_at.is_(None),
            visible_evidence_clause(user, EvidenceItem),
            EvidenceItem.id.not_in(attached),
        )
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
        .limit(EVIDENCE_CHOICES)
    ).all()


# Reading -------------------------------------------------------------------------------------------------


def load_request(request_id: int) -> InformationRequest:
    return db.first_or_404(
        sa.select(InformationRequest)
        .where(InformationRequest.id == request_id)
        .options(
            joinedload(InformationRequest.period),
            joinedload(InformationRequest.owner),
            joinedload(InformationRequest.logged_by),
            selectinload(InformationRequest.attachments)
            .joinedload(RequestEvidence.evidence)
            .selectinload(EvidenceItem.files),
            selectinload(InformationRequest.attachments).joinedload(RequestEvidence.attached_by),
        )
    )


@dataclass
class RequestPageData:
    request: InformationRequest
    evidence: list[RequestEvidence]  # what this reader may see
    withheld: int  # attached restricted evidence this reader may not see


def request_page(user: User, row: InformationRequest) -> RequestPageData:
    shown = [link for link in row.attachments if can_view_evidence(user, link.evidence)]
    return RequestPageData(row, shown, len(row.attachments) - len(shown))


@dataclass
class RequestRow:
    request: InformationRequest
    files: int  # evidence attached that this reader may see


@dataclass
class RequestPage(Paged):
    rows: list[RequestRow]
    total: int
    page: int
    per_page: int
    overdue: int = 0
    by_status: dict[RequestStatus, int] = field(default_factory=dict)


def list_requests(
    user: User,
    period: InspectionPeriod | None,
    page: int = 1,
    owner_id: int | None = None,
    per_page: int = PER_PAGE,
) -> RequestPage:
    """A period's requests this person may see (those they own, with owner_id), by due time, one page at a
    time: four queries whatever the number of requests."""
    if period is None:
        return RequestPage([], 0, 1, per_page)
    conditions = [InformationRequest.period_id == period.id, visible_request_clause(user, InformationRequest)]
    if owner_id is not None:
        conditions.append(InformationRequest.owner_id == owner_id)
    overdue = sa.and_(
        InformationRequest.due_at < utcnow(),
        InformationRequest.status.in_([RequestStatus.OPEN, RequestStatus.IN_PROGRESS]),
    )
    counts = db.session.execute(
        sa.select(InformationRequest.status, sa.func.count(), sa.func.sum(sa.case((overdue, 1), else_=0)))
        .where(*conditions)
        .group_by(InformationRequest.status)
    ).all()
    found = {status: count for status, count, _ in counts}
    by_status = {status: found[status] for status in RequestStatus if status in found}
    total = sum(by_status.values())
    page = page_to_show(page, total, per_page)
    files = (
        sa.select(sa.func.count())
        .select_from(RequestEvidence)
        .join(EvidenceItem, EvidenceItem.id == RequestEvidence.evidence_id)
        .where(
            RequestEvidence.request_id == InformationRequest.id, visible_evidence_clause(user, EvidenceItem)
        )
        .correlate(InformationRequest)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(InformationRequest, files)
        .where(*conditions)
        .options(joinedload(InformationRequest.owner))
        .order_by(InformationRequest.due_at, InformationRequest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return RequestPage(
        [RequestRow(row, count) for row, count in rows],
        total,
        page,
        per_page,
        overdue=sum(int(late or 0) for _, _, late in counts),
        by_status=by_status,
    )


def owner_choices(keep: int | None = None) -> list[User]:
    """Active leaders and officers, by name; and the current owner even if no longer one of them."""
    people = list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_([Role.LEADER, Role.OFFICER]))
            .order_by(User.name, User.id)
        )
    )
    if keep and all(person.id != keep for person in people):
        person = db.session.get(User, keep)
        people += [person] if person else []
    return people
