"""Evidence rules: adding documents, links and notes, new versions, review, and what each person may see."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from tracker import audit, storage
from tracker.auth.models import User
from tracker.dates import today
from tracker.errors import UserError
from tracker.evidence.models import (
    EvidenceFile,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    Sensitivity,
    evidence_action,
    evidence_finding,
)
from tracker.extensions import db
from tracker.models import utcnow
from tracker.paging import Paged, page_to_show
from tracker.permissions import (
    can_review_evidence,
    can_view_evidence,
    can_view_restricted,
    visible_evidence_clause,
)
from tracker.plan.models import Action, Finding, Theme, action_finding
from tracker.plan.queries import people_matching
from tracker.plan.services import findings_by_theme, live_actions


class EvidenceError(UserError):
    """A rule about evidence was broken; the message is shown to the user."""


@dataclass
class EvidenceData:
    kind: EvidenceKind
    title: str
    description: str
    about_date: date
    sensitivity: Sensitivity
    review_by: date | None = None
    source: str = ""
    url: str | None = None
    note: str | None = None
    finding_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)


@dataclass
class Upload:
    stream: BinaryIO
    filename: str


def _visible(user):
    return sa.and_(EvidenceItem.archived_at.is_(None), visible_evidence_clause(user, EvidenceItem))


def current_clause(on: date):
    """Accepted, not archived and not past its review-by date: evidence that counts."""
    return sa.and_(
        EvidenceItem.archived_at.is_(None),
        EvidenceItem.status == EvidenceStatus.ACCEPTED,
        sa.or_(EvidenceItem.review_by.is_(None), EvidenceItem.review_by >= on),
    )


def evidence_of_findings(user, finding_ids: list[int] | sa.Select | None = None) -> sa.Select:
    """SELECT finding_id, evidence_id: each finding's evidence that this person may see,
    each item once a finding.

    A finding's evidence is what supports it and what supports any of its live actions: the one rule
    (docs/readiness.md) that plan_as_at applies in Python. Every finding, or those in `finding_ids`;
    add conditions on EvidenceItem with .where().
    """
    direct = sa.select(evidence_finding.c.finding_id, evidence_finding.c.evidence_id)
    through_actions = (
        sa.select(action_finding.c.finding_id, evidence_action.c.evidence_id)
        .join(Action, Action.id == action_finding.c.action_id)
        .join(evidence_action, evidence_action.c.action_id == action_finding.c.action_id)
        .where(Action.archived_at.is_(None))
    )
    if finding_ids is not None:
        direct = direct.where(evidence_finding.c.finding_id.in_(finding_ids))
        through_actions = through_actions.where(action_finding.c.finding_id.in_(finding_ids))
    pairs = sa.union(direct, through_actions).subquery()
    return (
        sa.select(pairs.c.finding_id, pairs.c.evidence_id)
        .join(EvidenceItem, EvidenceItem.id == pairs.c.evidence_id)
        .where(_visible(user))
    )


def evidence_of_actions(user, action_ids: list[int] | sa.Select) -> sa.Select:
    """SELECT action_id, evidence_id: each live action's evidence that this person may see,
    each item once an action.

    The same rule `evidence_of_findings` applies to a finding's actions: an archived action counts nothing,
    nor does archived evidence or evidence the person may not see. `action_ids`: a list or a SELECT of ids.
    """
    return (
        sa.select(evidence_action.c.action_id, evidence_action.c.evidence_id)
        .join(Action, Action.id == evidence_action.c.action_id)
        .join(EvidenceItem, EvidenceItem.id == evidence_action.c.evidence_id)
        .where(evidence_action.c.action_id.in_(action_ids), Action.archived_at.is_(None), _visible(user))
    )


def is_expired(item: EvidenceItem, on: date | None = None) -> bool:
    return item.review_by is not None and item.review_by < (on or today())


def _check(data: EvidenceData, needs_links: bool = True) -> None:
    """`needs_links`: the item must support a finding or an action. A file uploaded for an information request
    supports none (tracker/information_requests), and may stay so when it is changed."""
    if not (data.title or "").strip():
        raise EvidenceError("Enter a title for the evidence.", "title")
    if data.about_date > today():
        raise EvidenceError("The date the evidence is about cannot be in the future.", "about_date")
    if data.review_by and data.review_by < data.about_date:
        raise EvidenceError("The review-by date must be after the date the evidence is about.", "review_by")
    if data.kind is EvidenceKind.LINK:
        try:
            parts = urlsplit((data.url or "").strip())
        except ValueError:  # a malformed address, such as an unclosed [IPv6 bracket
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EvidenceError(
                "Enter a link that starts with http:// or https://, like https://localoffer.example/page.",
                "url",
            )
    if data.kind is EvidenceKind.NOTE and not (data.note or "").strip():
        raise EvidenceError("Write the note.", "note")
    if needs_links and not data.finding_ids and not data.action_ids:
        raise EvidenceError(
            "Choose at least one finding or action that this evidence supports.", "finding_ids"
        )


def _resolve(model, ids: list[int], what: str) -> list:
    wanted = sorted(set(ids))
    found = db.session.scalars(sa.select(model).where(model.id.in_(wanted))).all() if wanted else []
    if len(found) != len(wanted):
        raise EvidenceError(
            f"One of the chosen {what} no longer exists. Reload the page and choose again.",
            f"{what[:-1]}_ids",
        )
    return list(found)


def _describe(item: EvidenceItem) -> dict:
    return {
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "about_date": item.about_date,
        "review_by": item.review_by,
        "sensitivity": item.sensitivity,
        "source": item.source,
        "url": item.url,
        "note": item.note,
        "findings": sorted(f.reference for f in item.findings),
        "actions": sorted(a.reference for a in item.actions),
    }


def _duplicate_message(sha256: str, user: User) -> str | None:
    """Where a file with this content already is, if this person may see it.

    Content stored only in evidence the person may not see is neither named nor hinted at: the
    upload goes ahead and shares the stored file, so the refusal cannot confirm that a restricted
    document exists.
    """
    existing = db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.sha256 == sha256).options(selectinload(EvidenceFile.item))
    ).all()
    visible = next((row for row in existing if can_view_evidence(user, row.item)), None)
    if visible is None:
        return None
    return (
        f"This file is already stored as version {visible.version} of “{visible.item.title}”. "
        "Link that evidence instead, or upload a new version of it."
    )


def store_upload(actor: User, item: EvidenceItem, upload: Upload) -> storage.StoredFile:
    """Stream the file into storage and add it as the item's next version (the first, for a new item)."""
    try:
        stored = storage.store_stream(
            upload.stream, upload.filename, current_app.config["MAX_CONTENT_LENGTH"]
        )
    except storage.StorageFull:
        raise  # the server's fault, not the file's: the view answers 507 with the form kept
    except storage.StorageError as error:
        raise EvidenceError(str(error), "file")
    duplicate = _duplicate_message(stored.sha256, actor)
    if duplicate:
        if stored.created and not _key_in_use(stored.key):
            storage.remove_stored(stored.key)
        raise EvidenceError(duplicate, "file")
    item.files.append(
        EvidenceFile(
            version=max((f.version for f in item.files), default=0) + 1,
            filename=stored.filename,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            storage_key=stored.key,
            uploaded_by_id=actor.id,
        )
    )
    return stored


def keep_all_or_nothing(store, record) -> None:
    """Store a file (or not), record the rows, commit; on any failure roll back and
    remove a file just created."""
    stored = None
    try:
        stored = store()
        record(stored)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored is not None and stored.created and not _key_in_use(stored.key):
            storage.remove_stored(stored.key)
        raise


def _key_in_use(key: str) -> bool:
    """Another upload of the same content may have committed a row for this file meanwhile."""
    return (
        db.session.scalar(sa.select(EvidenceFile.id).where(EvidenceFile.storage_key == key).limit(1))
        is not None
    )


def create_evidence(actor: User, data: EvidenceData, upload: Upload | None = None) -> EvidenceItem:
    """Add a document, link or note; a document's file is stored first and removed again if the row fails."""
    _check(data)
    if data.kind is EvidenceKind.DOCUMENT and upload is None:
        raise EvidenceError("Choose a file to upload.", "file")
    item = EvidenceItem(
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        about_date=data.about_date,
        review_by=data.review_by,
        sensitivity=data.sensitivity,
        source=data.source.strip(),
        url=(data.url or "").strip() if data.kind is EvidenceKind.LINK else None,
        note=(data.note or "").strip() if data.kind is EvidenceKind.NOTE else None,
        status=EvidenceStatus.SUBMITTED,
        uploaded_by_id=actor.id,
        findings=_resolve(Finding, data.finding_ids, "findings"),
        actions=_resolve(Action, data.action_ids, "actions"),
    )

    def record(stored):
        db.session.add(item)
        db.session.flush()
        after = _describe(item)
        if stored:
            after |= {"file": stored.filename, "sha256": stored.sha256, "size_bytes": stored.size_bytes}
        audit.record(actor, "evidence_item.created", item, after=after)

    keep_all_or_nothing(
        lambda: store_upload(actor, item, upload) if data.kind is EvidenceKind.DOCUMENT and upload else None,
        record,
    )
    return item


def add_version(actor: User, item: EvidenceItem, upload: Upload) -> EvidenceFile:
    """A new version of a document; every earlier version is kept with its hash and uploader."""
    if item.kind is not EvidenceKind.DOCUMENT:
        raise EvidenceError("Only documents have versions.", "file")

    def record(stored):
        db.session.flush()
        audit.record(
            actor,
            "evidence_item.version_added",
            item,
            after={"version": item.files[-1].version, "file": stored.filename, "sha256": stored.sha256},
        )
        if item.status is not EvidenceStatus.SUBMITTED:
            _set_status(actor, item, EvidenceStatus.SUBMITTED, None)

    keep_all_or_nothing(lambda: store_upload(actor, item, upload), record)
    return item.files[-1]


def update_evidence(actor: User, item: EvidenceItem, data: EvidenceData) -> None:
    data.kind = item.kind  # a document stays a document: its files are its history
    _check(data, needs_links=bool(item.findings or item.actions))
    if (
        item.is_restricted
        and data.sensitivity is not Sensitivity.RESTRICTED
        and not can_view_restricted(actor)
    ):
        raise EvidenceError("Only a leader can make restricted evidence visible to others.", "sensitivity")
    before = _describe(item)
    item.title, item.description, item.about_date = (
        data.title.strip(),
        data.description.strip(),
        data.about_date,
    )
    item.review_by, item.sensitivity, item.source = data.review_by, data.sensitivity, data.source.strip()
    if item.kind is EvidenceKind.LINK:
        item.url = (data.url or "").strip()
    if item.kind is EvidenceKind.NOTE:
        item.note = (data.note or "").strip()
    item.findings = _resolve(Finding, data.finding_ids, "findings")
    item.actions = _resolve(Action, data.action_ids, "actions")
    changed_before, changed_after = audit.diff(before, _describe(item))
    if changed_after:
        audit.record(actor, "evidence_item.updated", item, before=changed_before, after=changed_after)
        if item.status is not EvidenceStatus.SUBMITTED and not can_review_evidence(actor):
            _set_status(
                actor, item, EvidenceStatus.SUBMITTED, item.review_comment
            )  # changed evidence is reviewed again
        db.session.commit()


def _set_status(actor: User, item: EvidenceItem, status: EvidenceStatus, comment: str | None) -> None:
    before = {"status": item.status, "review_comment": item.review_comment}
    item.status, item.review_comment = status, comment
    if status is not EvidenceStatus.SUBMITTED:
        item.reviewed_by_id, item.reviewed_at = actor.id, utcnow()
    audit.record(
        actor,
        f"evidence_item.{status.value}",
        item,
        before=before,
        after={"status": status, "review_comment": comment},
    )


def review_evidence(actor: User, item: EvidenceItem, accept: bool, comment: str) -> None:
    """A leader accepts evidence, or returns it to its uploader with a comment saying what to change."""
    if item.status is not EvidenceStatus.SUBMITTED:
        raise EvidenceError(
            "Only submitted evidence can be reviewed: this has been reviewed already.", "decision"
        )
    if not accept and not comment.strip():
        raise EvidenceError("Say what the uploader needs to change before you return it.", "comment")
    _set_status(
        actor, item, EvidenceStatus.ACCEPTED if accept else EvidenceStatus.RETURNED, comment.strip() or None
    )
    db.session.commit()


def resubmit_evidence(actor: User, item: EvidenceItem) -> None:
    if item.status is not EvidenceStatus.RETURNED:
        raise EvidenceError("Only returned evidence can be resubmitted.")
    _set_status(actor, item, EvidenceStatus.SUBMITTED, item.review_comment)
    db.session.commit()


# Lists --------------------------------------------------------------------------------------


@dataclass
class EvidenceFilters:
    status: EvidenceStatus | None = None
    kind: EvidenceKind | None = None
    sensitivity: Sensitivity | None = None
    finding_id: int | None = None
    action_reference: str = ""
    uploader_id: int | None = None  # "My evidence"
    added_by: str = ""  # part of the uploader's name or email address
    about_from: date | None = None
    about_to: date | None = None
    text: str = ""
    expired: bool = False
    page: int = 1


@dataclass
class EvidencePage(Paged):
    items: Sequence[EvidenceItem]
    total: int
    page: int
    per_page: int


def list_evidence(user: User, filters: EvidenceFilters, per_page: int = 25) -> EvidencePage:
    """The evidence this person may see, filtered in SQL and paged: a fixed number of queries."""
    conditions = evidence_conditions(user, filters)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(EvidenceItem).where(*conditions)
    ).scalar_one()
    page = page_to_show(filters.page, total, per_page)
    items = db.session.scalars(
        sa.select(EvidenceItem)
        .where(*conditions)
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
        )
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return EvidencePage(items, total, page, per_page)


def evidence_conditions(user: User, filters: EvidenceFilters) -> list:
    """The SQL conditions of the evidence list's filters, with what this person may see: the one filtering of
    /evidence, My evidence, their CSV and the API's evidence (tracker/api/resources_more.py)."""
    conditions = [_visible(user)]
    if filters.status:
        conditions.append(EvidenceItem.status == filters.status)
    if filters.kind:
        conditions.append(EvidenceItem.kind == filters.kind)
    if filters.sensitivity:
        conditions.append(EvidenceItem.sensitivity == filters.sensitivity)
    if filters.finding_id:  # its own evidence and its actions', as the finding's page counts them
        links = evidence_of_findings(user, [filters.finding_id]).subquery()
        conditions.append(EvidenceItem.id.in_(sa.select(links.c.evidence_id)))
    if filters.action_reference.strip():
        wanted = filters.action_reference.strip().lower()
        conditions.append(EvidenceItem.actions.any(sa.func.lower(Action.reference) == wanted))
    if filters.uploader_id:
        conditions.append(EvidenceItem.uploaded_by_id == filters.uploader_id)
    if filters.added_by.strip():
        conditions.append(EvidenceItem.uploaded_by_id.in_(people_matching(filters.added_by)))
    if filters.about_from:
        conditions.append(EvidenceItem.about_date >= filters.about_from)
    if filters.about_to:
        conditions.append(EvidenceItem.about_date <= filters.about_to)
    if filters.expired:
        conditions.append(EvidenceItem.review_by < today())
    if filters.text.strip():
        words = filters.text.strip().lower()  # a typed % or _ is a character to find, not a wildcard
        conditions.append(
            sa.or_(
                sa.func.lower(EvidenceItem.title).contains(words, autoescape=True),
                sa.func.lower(EvidenceItem.description).contains(words, autoescape=True),
            )
        )
    return conditions


def review_queue(user: User) -> Sequence[EvidenceItem]:
    """Submitted evidence waiting for a leader, oldest first."""
    return db.session.scalars(
        sa.select(EvidenceItem)
        .where(_visible(user), EvidenceItem.status == EvidenceStatus.SUBMITTED)
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
        )
        .order_by(EvidenceItem.created_at, EvidenceItem.id)
    ).all()


def findings_without_current_evidence(user: User, on: date | None = None) -> Sequence[Finding]:
    """Live findings with no accepted, unexpired evidence that this person can see,
    of their own or their actions'."""
    current = evidence_of_findings(user).where(current_clause(on or today())).subquery()
    has_current = sa.select(current.c.finding_id)
    return db.session.scalars(
        sa.select(Finding)
        .join(Finding.theme)
        .where(Finding.archived_at.is_(None), Finding.id.not_in(has_current))
        .options(selectinload(Finding.theme), selectinload(Finding.inspection))
        .order_by(Theme.position, Finding.reference)
    ).all()


def accepted_evidence_by_finding(
    user, finding_ids: list[int], on: date, restricted: bool = True
) -> dict[int, tuple[int, date | None]]:
    """For each of these findings, of the accepted evidence this person may see (its own and its actions'):
    how many items are current on `on`, and the latest review-by date that has passed (None if none has); in
    one query. Without `restricted`, restricted evidence is left out even where the person may see it."""
    accepted = evidence_of_findings(user, finding_ids).where(EvidenceItem.status == EvidenceStatus.ACCEPTED)
    if not restricted:
        accepted = accepted.where(EvidenceItem.sensitivity != Sensitivity.RESTRICTED)
    links = accepted.add_columns(EvidenceItem.review_by).subquery()
    lapsed = links.c.review_by < on  # NULL, so not lapsed, when there is no review-by date
    rows = db.session.execute(
        sa.select(
            links.c.finding_id,
            sa.func.sum(sa.case((lapsed, 0), else_=1)),
            sa.func.max(sa.case((lapsed, links.c.review_by))),
        ).group_by(links.c.finding_id)
    )
    return {finding_id: (int(current), lapsed_on) for finding_id, current, lapsed_on in rows}


def load_evidence(evidence_id: int) -> EvidenceItem:
    return db.first_or_404(
        sa.select(EvidenceItem)
        .where(EvidenceItem.id == evidence_id)
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.reviewed_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
            selectinload(EvidenceItem.files).selectinload(EvidenceFile.uploaded_by),
        )
    )


# What the plan's pages show (registered in tracker/evidence/__init__.py) -----------------------


def evidence_counts_by_finding(user, finding_ids: list[int]) -> dict[int, int]:
    """How many items this person may see support each of these findings, or their actions, in one query."""
    links = evidence_of_findings(user, finding_ids).subquery()
    rows = db.session.execute(sa.select(links.c.finding_id, sa.func.count()).group_by(links.c.finding_id))
    return dict(rows.tuples().all())


# A finding's or an action's page lists this many of its newest items and links to the rest.
SECTION_LIMIT = 20


def _supporting(user, evidence_ids: sa.Select) -> tuple[Sequence[EvidenceItem], int]:
    """The newest of these items that this person may see, and how many there are in all: two queries."""
    linked = sa.and_(EvidenceItem.id.in_(evidence_ids), _visible(user))
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(EvidenceItem).where(linked)
    ).scalar_one()
    items = db.session.scalars(
        sa.select(EvidenceItem)
        .where(linked)
        .options(selectinload(EvidenceItem.uploaded_by))
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
        .limit(SECTION_LIMIT)
    ).all()
    return items, total


def finding_section(user, finding) -> dict:
    """The finding's evidence: its own and its actions' (docs/readiness.md), as its readiness counts it."""
    links = evidence_of_findings(user, [finding.id]).subquery()
    items, total = _supporting(user, sa.select(links.c.evidence_id))
    return {
        "items": items,
        "total": total,
        "of": "finding",
        "add": {"finding": finding.id},
        "all": {"finding": finding.id},
        "today": today(),
    }


def action_section(user, action) -> dict:
    items, total = _supporting(
        user, sa.select(evidence_action.c.evidence_id).where(evidence_action.c.action_id == action.id)
    )
    return {
        "items": items,
        "total": total,
        "of": "action",
        "add": {"action": action.id},
        "all": {"action": action.reference},
        "today": today(),
    }


def evidence_form_choices(item: EvidenceItem | None = None) -> dict:
    """Live findings and actions, plus whatever the item already supports, so an edit keeps its links."""
    findings = [f for group in findings_by_theme() for f in group.findings]
    actions = live_actions()
    if item is not None:
        findings += [f for f in item.findings if f not in findings]
        actions += [a for a in item.actions if a not in actions]
    return {"findings": findings, "actions": actions}
