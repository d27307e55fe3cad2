"""The self-evaluation's rules: saving a statement as a new version, citing evidence, measures and surveys,
signing a version off, the flags on statements whose cited evidence no longer counts,
and the SEF as at any date.

A statement's versions are append-only (docs/self-evaluation.md). Its status is "Not started" with no version,
"Signed off" when its newest version is signed off, "Draft" otherwise. A cited evidence item that was
returned, archived or is past its review-by date flags the statement, with the reason; as at an earlier date,
the item's state is worked out as `plan_as_at` does, by undoing the audit events written after that day.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.dates import format_date, today
from tracker.errors import UserError
from tracker.evidence.models import EvidenceItem, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.frameworks.models import Criterion, EvaluationArea, Framework
from tracker.frameworks.services import current_framework
from tracker.measures.models import Measure
from tracker.permissions import can_sign_off_sef, can_view_evidence, visible_evidence_clause

# the as-at machinery: the end of a day in England, and undoing the changes made after it (docs/readiness.md)
from tracker.readiness.services import END_OF_TIME, end_of, undo_changes
from tracker.sef.models import CitedKind, SefCitation, SefSignOff, SefVersion
from tracker.surveys.models import Survey

NOT_STARTED, DRAFT, SIGNED_OFF = "Not started", "Draft", "Signed off"
# each kind's model: they share no base with the columns read here (archived_at, id, name or title)
TARGETS: dict[CitedKind, Any] = {
    CitedKind.EVIDENCE: EvidenceItem,
    CitedKind.MEASURE: Measure,
    CitedKind.SURVEY: Survey,
}
PARTS = (
    ("working_well", "What is working well"),
    ("to_improve", "What needs to improve"),
    ("being_done", "What is being done"),
)


class SefError(UserError):
    """A rule of the self-evaluation was broken; the message is shown to the user."""


class SefConflict(SefError):
    """Someone saved or signed off a newer version since the form was opened."""

    def __init__(self, message: str, latest: SefVersion | None):
        super().__init__(message)
        self.latest = latest


@dataclass
class StatementText:
    working_well: str = ""
    to_improve: str = ""
    being_done: str = ""
    cited: dict[CitedKind, list[int]] = field(default_factory=dict)


# Writing ------------------------------------------------------------------------------------------


def latest_version(criterion: Criterion) -> SefVersion | None:
    return db.session.scalars(
        sa.select(SefVersion)
        .where(SefVersion.criterion_id == criterion.id)
        .order_by(SefVersion.number.desc())
        .limit(1)
    ).first()


def _check_seen(criterion: Criterion, seen: int, doing: str) -> SefVersion | None:
    latest = latest_version(criterion)
    if latest is None and seen:  # a form that saw a version there is not
        raise SefConflict(
            f"Someone else changed this statement while you were {doing}. Read the newest version "
            "on the statement's page, then try again.",
            None,
        )
    if latest is not None and latest.number != seen:
        who = latest.author.name if latest.author else "someone"
        raise SefConflict(
            f"{who} saved version {latest.number} of this statement on "
            f"{format_date(latest.created_at)} while you were {doing}. Read it on the statement's page; "
            "what you typed is kept here, and saving again makes it the newest version.",
            latest,
        )
    return latest


def _targets(actor: User, text: StatementText) -> list[tuple[CitedKind, Any]]:
    """The records cited, in the order given, each checked: it exists, this person may see it,
    it is not archived."""
    chosen: list[tuple[CitedKind, Any]] = []
    for kind in CitedKind:
        ids = list(dict.fromkeys(text.cited.get(kind, [])))
        rows = {
            row.id: row
            for row in db.session.scalars(sa.select(TARGETS[kind]).where(TARGETS[kind].id.in_(ids)))
        }
        for target_id in ids:
            row = rows.get(target_id)
            if row is None or (kind is CitedKind.EVIDENCE and not can_view_evidence(actor, row)):
                raise SefError(f"Choose the {kind.label.lower()} to cite from the list.", f"{kind.value}_ids")
            if row.is_archived:
                raise SefError(
                    f"{kind.label} \u201c{label_of(kind, row)}\u201d is archived: restore it, or take it "
                    "out, before citing it.",
                    f"{kind.value}_ids",
                )
            chosen.append((kind, row))
    return chosen


def save_draft(actor: User, criterion: Criterion, seen: int, text: StatementText) -> SefVersion:
    """Save the statement as a new version (a draft), citing the records chosen; `seen` is the number of the
    newest version when the form was opened (0 for none), so that a concurrent save is caught,
    not overwritten.

    What the version saved on cites that the author may not see (a leader's restricted evidence) is not in
    their form, so it cannot be chosen or taken out: it is kept, cited after the records chosen,
    and the audit event says so."""
    parts = {name: (getattr(text, name) or "").strip() for name, _ in PARTS}
    if not any(parts.values()):
        raise SefError(
            "Write at least one part of the statement: what is working well, what needs to improve or "
            "what is being done.",
            "working_well",
        )
    cited = [(kind, row.id) for kind, row in _targets(actor, text)]
    kept = [
        (CitedKind.EVIDENCE, evidence_id)
        for evidence_id in unseen_citations(actor, _check_seen(criterion, seen, "editing"))
    ]
    version = SefVersion(criterion_id=criterion.id, number=seen + 1, author_id=actor.id, **parts)
    db.session.add(version)
    db.session.flush()
    for position, (kind, target_id) in enumerate(cited + kept):
        db.session.add(
            SefCitation(version_id=version.id, kind=kind, position=position, **{kind.column: target_id})
        )
    after = {
        "criterion": criterion.key,
        "number": version.number,
        **parts,
        "cited": [f"{kind.value}:{target_id}" for kind, target_id in cited + kept],
    }
    if kept:
        after["kept_unseen"] = [f"{kind.value}:{target_id}" for kind, target_id in kept]
    audit.record(actor, "sef_version.saved", version, after=after)
    _commit_or_conflict(criterion, "editing")
    return version


def unseen_citations(user: User, version: SefVersion | None) -> list[int]:
    """The evidence a version cites that this person may not see, in the order cited: kept when they save the
    next version, and counted (never named) on their edit form."""
    if version is None:
        return []
    return [
        evidence_id
        for evidence_id in db.session.scalars(
            sa.select(SefCitation.evidence_id)
            .join(EvidenceItem, EvidenceItem.id == SefCitation.evidence_id)
            .where(SefCitation.version_id == version.id, sa.not_(visible_evidence_clause(user, EvidenceItem)))
            .order_by(SefCitation.position, SefCitation.id)
        )
        if evidence_id is not None  # joined to an evidence item: never None
    ]


def sign_off(actor: User, criterion: Criterion, seen: int) -> SefSignOff:
    """Sign off the newest version of a statement, the one the leader was reading (`seen`)."""
    if not can_sign_off_sef(actor):
        raise SefError("Only leaders can sign off the self-evaluation.")
    latest = latest_version(criterion)
    if latest is None or latest.is_empty:
        raise SefError(
            f"There is no statement for {criterion.key} to sign off yet. Write one and save it first."
        )
    latest = _check_seen(criterion, seen, "reading it")
    assert latest is not None  # read a moment ago, and versions are never deleted
    if latest.sign_off is not None:
        raise SefError(f"Version {latest.number} of this statement is already signed off.")
    row = SefSignOff(version_id=latest.id, criterion_id=criterion.id, signed_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "sef_sign_off.signed_off", row, after={"criterion": criterion.key, "number": latest.number}
    )
    _commit_or_conflict(criterion, "reading it")
    return row


def _commit_or_conflict(criterion: Criterion, doing: str) -> None:
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same number saved, or the same version signed off, at the same moment
        db.session.rollback()
        latest = latest_version(criterion)
        raise SefConflict(
            f"Someone else changed this statement while you were {doing}. Read the newest version "
            "on the statement's page, then try again.",
            latest,
        ) from None


def citation_choices(user: User, kind: CitedKind, keep: Sequence[int] = (), limit: int = 500) -> list:
    """Live records of a kind this person may cite (evidence: the newest `limit` they may see), and those in
    `keep` (what the newest version cites) even if archived since,
    so that the form shows them to be taken out."""
    model = TARGETS[kind]
    visible = visible_evidence_clause(user, EvidenceItem) if kind is CitedKind.EVIDENCE else sa.true()
    query = sa.select(model).where(model.archived_at.is_(None), visible)
    if kind is CitedKind.EVIDENCE:
        query = query.order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc()).limit(limit)
    else:
        query = query.order_by(model.name if kind is CitedKind.MEASURE else model.title, model.id)
    rows = list(db.session.scalars(query))
    shown = {row.id for row in rows}
    missing = [i for i in keep if i not in shown]
    if missing:
        rows += db.session.scalars(sa.select(model).where(model.id.in_(missing), visible)).all()
    return rows


def label_of(kind: CitedKind, row) -> str:
    return row.name if kind is CitedKind.MEASURE else row.title


# Reading: the SEF at a moment ------------------------------------------------------------------------


@dataclass
class Cited:
    kind: CitedKind
    id: int
    label: str
    detail: str = ""  # evidence: its status and dates as at the moment
    flag: str | None = None  # why this item flags the statement, if it does
    restricted: bool = False


@dataclass
class Entry:
    """One criterion's statement as at a moment: the version current then, its sign-off as known then, the
    last version signed off by then, what it cites that the reader may see, and the flags."""

    criterion: Criterion
    version: SefVersion | None = None
    sign_off: SefSignOff | None = None
    last_signed: SefSignOff | None = None
    cited: list[Cited] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.version is None:
            return NOT_STARTED
        return SIGNED_OFF if self.sign_off is not None else DRAFT

    @property
    def flags(self) -> list[str]:
        return [c.flag for c in self.cited if c.flag]


@dataclass
class Sef:
    framework: Framework | None
    as_at: date
    areas: list[tuple[EvaluationArea, list[Entry]]]
    include_restricted: bool = True

    @property
    def entries(self) -> list[Entry]:
        return [entry for _, entries in self.areas for entry in entries]


def sef_at(
    user,
    as_at: date | None = None,
    include_restricted: bool = True,
    framework: Framework | None = None,
    criteria_ids: list[int] | None = None,
) -> Sef:
    """The current framework's self-evaluation as at the end of `as_at` (today: as it stands), in a fixed
    number of queries. Evidence is what `user` may see; restricted evidence only when `include_restricted`."""
    as_at = as_at or today()
    cutoff = end_of(as_at)
    framework = framework or current_framework()
    if framework is None:
        return Sef(None, as_at, [], include_restricted)
    areas = db.session.scalars(
        sa.select(EvaluationArea)
        .where(EvaluationArea.framework_id == framework.id)
        .order_by(EvaluationArea.position, EvaluationArea.id)
        .options(selectinload(EvaluationArea.criteria))
    ).all()
    wanted = [c.id for area in areas for c in area.criteria if criteria_ids is None or c.id in criteria_ids]
    versions = _versions_at(wanted, cutoff)
    sign_offs = _sign_offs_at(wanted, cutoff)
    cited = _cited(user, [v.id for v in versions.values()], as_at, cutoff, include_restricted)
    result = []
    for area in areas:
        entries = []
        for criterion in area.criteria:
            if criterion.id not in wanted:
                continue
            version = versions.get(criterion.id)
            signed = sign_offs.get(criterion.id, [])
            entries.append(
                Entry(
                    criterion,
                    version,
                    sign_off=next(
                        (s for s in signed if version is not None and s.version_id == version.id), None
                    ),
                    last_signed=signed[-1] if signed else None,
                    cited=cited.get(version.id, []) if version else [],
                )
            )
        if entries:
            result.append((area, entries))
    return Sef(framework, as_at, result, include_restricted)


def _versions_at(criteria_ids: list[int], cutoff: datetime) -> dict[int, SefVersion]:
    newest = (
        sa.select(SefVersion.criterion_id, sa.func.max(SefVersion.number).label("number"))
        .where(SefVersion.criterion_id.in_(criteria_ids), SefVersion.created_at <= cutoff)
        .group_by(SefVersion.criterion_id)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(SefVersion)
        .join(
            newest,
            sa.and_(newest.c.criterion_id == SefVersion.criterion_id, newest.c.number == SefVersion.number),
        )
        .options(joinedload(SefVersion.author), selectinload(SefVersion.citations))
    )
    return {row.criterion_id: row for row in rows}


def _sign_offs_at(criteria_ids: list[int], cutoff: datetime) -> dict[int, list[SefSignOff]]:
    """Each criterion's sign-offs made by the cutoff, oldest first, with the version and who signed."""
    by_criterion = defaultdict(list)
    for row in db.session.scalars(
        sa.select(SefSignOff)
        .where(SefSignOff.criterion_id.in_(criteria_ids), SefSignOff.signed_at <= cutoff)
        .order_by(SefSignOff.signed_at, SefSignOff.id)
        .options(joinedload(SefSignOff.signed_by), joinedload(SefSignOff.version))
    ):
        by_criterion[row.criterion_id].append(row)
    return by_criterion


def _cited(
    user, version_ids: list[int], as_at: date, cutoff: datetime, include_restricted: bool
) -> dict[int, list[Cited]]:
    """Each version's citations this reader may see, as the records stood at the moment,
    in the order cited."""
    citations = db.session.scalars(
        sa.select(SefCitation)
        .where(SefCitation.version_id.in_(version_ids))
        .order_by(SefCitation.version_id, SefCitation.position)
    ).all()
    evidence = _evidence_at(
        [c.evidence_id for c in citations if c.evidence_id], user, as_at, cutoff, include_restricted
    )
    names = {}
    for kind in (CitedKind.MEASURE, CitedKind.SURVEY):
        ids = {c.target_id for c in citations if c.kind is kind}
        model = TARGETS[kind]
        column = model.name if kind is CitedKind.MEASURE else model.title
        names[kind] = (
            dict(db.session.execute(sa.select(model.id, column).where(model.id.in_(ids))).tuples().all())
            if ids
            else {}
        )
    result = defaultdict(list)
    for citation in citations:
        if citation.kind is CitedKind.EVIDENCE:
            if citation.evidence_id in evidence:
                result[citation.version_id].append(evidence[citation.evidence_id])
        elif citation.target_id in names[citation.kind]:
            result[citation.version_id].append(
                Cited(citation.kind, citation.target_id, names[citation.kind][citation.target_id])
            )
    return result


def _evidence_at(
    ids: list[int], user, as_at: date, cutoff: datetime, include_restricted: bool
) -> dict[int, Cited]:
    """Cited evidence the reader may see, with its status, review-by date and archiving as they stood at the
    moment (later changes undone from the audit log), and the flag each one raises."""
    if not ids:
        return {}
    clause = visible_evidence_clause(user, EvidenceItem)
    if not include_restricted:
        clause = sa.and_(clause, EvidenceItem.sensitivity != Sensitivity.RESTRICTED)
    rows = db.session.execute(
        sa.select(
            EvidenceItem.id,
            EvidenceItem.title,
            EvidenceItem.status,
            EvidenceItem.review_by,
            EvidenceItem.archived_at,
            EvidenceItem.sensitivity,
            EvidenceItem.about_date,
        ).where(EvidenceItem.id.in_(set(ids)), clause)
    ).all()
    later = defaultdict(list)
    if cutoff != END_OF_TIME and rows:
        for event in db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.entity_type == EvidenceItem.__tablename__,
                AuditEvent.entity_id.in_([r.id for r in rows]),
                AuditEvent.occurred_at > cutoff,
            )
        ):
            later[event.entity_id].append(event)
    found = {}
    for row in rows:
        state = {
            "status": row.status.value,
            "review_by": row.review_by.isoformat() if row.review_by else None,
            "archived": row.archived_at is not None and row.archived_at <= cutoff,
            "sensitivity": row.sensitivity.value,
            "title": row.title,
        }
        state = undo_changes(state, later.get(row.id, []))
        if state["sensitivity"] == Sensitivity.RESTRICTED.value and not include_restricted:
            continue
        review_by = date.fromisoformat(state["review_by"]) if state["review_by"] else None
        found[row.id] = Cited(
            CitedKind.EVIDENCE,
            row.id,
            state["title"],
            restricted=state["sensitivity"] == "restricted",
            detail=_evidence_detail(state["status"], row.about_date, review_by),
            flag=_flag(state["title"], state["status"], state["archived"], review_by, as_at),
        )
    return found


def _evidence_detail(status: str, about: date, review_by: date | None) -> str:
    words = f"{EvidenceStatus(status).label}, about {format_date(about)}"
    return words + (f", review by {format_date(review_by)}" if review_by else "")


def _flag(title: str, status: str, archived: bool, review_by: date | None, as_at: date) -> str | None:
    if archived:
        return f"Cited evidence \u201c{title}\u201d has been archived."
    if status == EvidenceStatus.RETURNED.value:
        return f"Cited evidence \u201c{title}\u201d was returned by its reviewer."
    if review_by is not None and review_by < as_at:
        return f"Cited evidence \u201c{title}\u201d passed its review-by date, {format_date(review_by)}."
    return None


# Reading: one statement's page ---------------------------------------------------------------------


@dataclass
class Statement:
    entry: Entry
    versions: Sequence[SefVersion]  # newest first, each with its author and sign-off
    last_signed_cited: list[Cited] = field(default_factory=list)
    citation_counts: dict[int, int] = field(
        default_factory=dict
    )  # version id -> the citations the reader may see


def statement(user, criterion: Criterion) -> Statement:
    """A criterion's statement today, every version with who wrote it and who signed it off, when."""
    entry = sef_at(user, framework=criterion.framework, criteria_ids=[criterion.id]).entries[0]
    versions = db.session.scalars(
        sa.select(SefVersion)
        .where(SefVersion.criterion_id == criterion.id)
        .order_by(SefVersion.number.desc())
        .options(
            joinedload(SefVersion.author), selectinload(SefVersion.sign_off).joinedload(SefSignOff.signed_by)
        )
    ).all()
    last_signed_cited = []
    if entry.last_signed is not None and entry.sign_off is None:
        last_signed_cited = _cited(user, [entry.last_signed.version_id], today(), END_OF_TIME, True).get(
            entry.last_signed.version_id, []
        )
    return Statement(
        entry, versions, last_signed_cited, _citation_counts(user, [version.id for version in versions])
    )


def _citation_counts(user, version_ids: list[int]) -> dict[int, int]:
    """How many citations each version has that this reader may see (restricted evidence only for those who
    may see it, as `_cited` lists them): one query, none for no versions."""
    if not version_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(SefCitation.version_id, sa.func.count(SefCitation.id))
            .outerjoin(EvidenceItem, EvidenceItem.id == SefCitation.evidence_id)
            .where(
                SefCitation.version_id.in_(version_ids),
                sa.or_(SefCitation.evidence_id.is_(None), visible_evidence_clause(user, EvidenceItem)),
            )
            .group_by(SefCitation.version_id)
        )
        .tuples()
        .all()
    )


def current_citations(version: SefVersion | None) -> dict[CitedKind, list[int]]:
    """What a version cites, by kind, to fill the edit form."""
    chosen = defaultdict(list)
    for citation in version.citations if version else []:
        chosen[citation.kind].append(citation.target_id)
    return chosen
