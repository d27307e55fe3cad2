"""The frameworks' rules: which framework is current, the criteria and what
leaders link to them, and the gaps.

A criterion's evidence is the evidence linked to it, and the evidence of the findings and actions linked to it
(a finding's evidence as `evidence_of_findings` counts it for readiness: its own and its live actions'; an
action's as `evidence_of_actions` does; archived findings and actions count nothing, nor does their archived
evidence). It is *current* when `current_clause` says so: accepted, not archived, not past its review-by date.
A criterion with no such evidence has a gap: "no evidence" when none is linked at all, "only stale evidence"
when all of it is returned, waiting for review, past its review-by date or archived (docs/frameworks.md).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker import audit
from tracker.auth.models import User
from tracker.dates import today
from tracker.evidence.models import EvidenceItem
from tracker.evidence.services import current_clause, evidence_of_actions, evidence_of_findings
from tracker.extensions import db
from tracker.frameworks.models import Criterion, CriterionLink, EvaluationArea, Framework, LinkKind
from tracker.measures.models import Measure, MeasureMilestone, MeasureReading
from tracker.measures.status import status_of
from tracker.permissions import can_view_evidence, visible_evidence_clause
from tracker.plan.models import Action, Finding
from tracker.plan.queries import ActionRow, last_update_column
from tracker.plan.services import rag_of, stale_of
from tracker.readiness.services import readiness_today
from tracker.surveys.models import Survey, SurveyReply

# each kind's model: they share no base with the columns read here (archived_at, id, reference or name)
TARGETS: dict[LinkKind, Any] = {
    LinkKind.FINDING: Finding,
    LinkKind.ACTION: Action,
    LinkKind.MEASURE: Measure,
    LinkKind.EVIDENCE: EvidenceItem,
    LinkKind.SURVEY: Survey,
}
NO_EVIDENCE, ONLY_STALE = "No evidence", "Only stale evidence"


class FrameworkError(Exception):
    """A rule about criteria and their links was broken; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def current_framework() -> Framework | None:
    """The framework the partnership works to: the most recently published version loaded, the latest
    loaded when two share a date; None before any framework is loaded."""
    return db.session.scalars(
        sa.select(Framework)
        .order_by(Framework.published_on.desc().nulls_last(), Framework.id.desc())
        .limit(1)
    ).first()


def list_frameworks() -> Sequence[Framework]:
    """Every version loaded, the current one's order: newest published first."""
    return db.session.scalars(
        sa.select(Framework).order_by(Framework.published_on.desc().nulls_last(), Framework.id.desc())
    ).all()


def label_of(kind: LinkKind, record) -> str:
    if kind in (LinkKind.FINDING, LinkKind.ACTION):
        return f"{record.reference}: {record.title}"
    return record.name if kind is LinkKind.MEASURE else record.title


# Linking ------------------------------------------------------------------------------------------


def link_choices(user: User, kind: LinkKind, limit: int = 500) -> Sequence:
    """The live records of a kind a leader may link, to choose from (evidence:
    the newest `limit` they may see)."""
    model = TARGETS[kind]
    query = sa.select(model).where(model.archived_at.is_(None))
    if kind is LinkKind.EVIDENCE:
        query = (
            query.where(visible_evidence_clause(user, EvidenceItem))
            .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
            .limit(limit)
        )
    elif kind in (LinkKind.FINDING, LinkKind.ACTION):
        query = query.order_by(model.reference_key if kind is LinkKind.ACTION else model.reference, model.id)
    else:
        query = query.order_by(model.name if kind is LinkKind.MEASURE else model.title, model.id)
    return db.session.scalars(query).all()


def link(actor: User, criterion: Criterion, kind: LinkKind, target_id: int | None) -> CriterionLink:
    """Link a live finding, action, measure, evidence item or survey to a criterion, once."""
    model = TARGETS[kind]
    target = db.session.get(model, target_id) if target_id else None
    if target is None or (kind is LinkKind.EVIDENCE and not can_view_evidence(actor, target)):
        raise FrameworkError(f"Choose the {kind.label.lower()} to link.", "target")
    what = f"{kind.label} {label_of(kind, target)}"
    if target.is_archived:
        raise FrameworkError(f"{what} is archived: restore it before linking it to a criterion.", "target")
    column = getattr(CriterionLink, kind.column)
    if db.session.scalar(
        sa.select(CriterionLink.id).where(CriterionLink.criterion_id == criterion.id, column == target.id)
    ):
        raise FrameworkError(f"{what} is already linked to {criterion.key}.", "target")
    row = CriterionLink(
        criterion_id=criterion.id, kind=kind, created_by_id=actor.id, **{kind.column: target.id}
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "criterion.linked",
        criterion,
        after={"link": row.id, "kind": kind.value, "record_id": target.id, "record": label_of(kind, target)},
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same link made by someone else at the same moment
        db.session.rollback()
        raise FrameworkError(f"{what} is already linked to {criterion.key}.", "target") from None
    return row


def unlink(actor: User, row: CriterionLink) -> None:
    """Remove one link; the criterion's history keeps what it was."""
    criterion, kind = row.criterion, row.kind
    target = db.session.get(TARGETS[kind], row.target_id)
    audit.record(
        actor,
        "criterion.unlinked",
        criterion,
        before={
            "link": row.id,
            "kind": kind.value,
            "record_id": row.target_id,
            "record": label_of(kind, target),
        },
    )
    db.session.delete(row)
    db.session.commit()


# Reading ------------------------------------------------------------------------------------------


@dataclass
class EvidenceTally:
    total: int = 0  # visible evidence that counts for the criterion, by any path
    current: int = 0

    @property
    def gap(self) -> str | None:
        if self.total == 0:
            return NO_EVIDENCE
        return ONLY_STALE if self.current == 0 else None


@dataclass
class CriterionRow:
    criterion: Criterion
    counts: dict[LinkKind, int]
    evidence: EvidenceTally

    @property
    def linked(self) -> int:
        return sum(self.counts.values())


@dataclass
class AreaGroup:
    area: EvaluationArea
    rows: list[CriterionRow] = field(default_factory=list)


def load_framework_areas(framework_id: int) -> Framework | None:
    return db.session.scalar(
        sa.select(Framework)
        .where(Framework.id == framework_id)
        .options(selectinload(Framework.areas).selectinload(EvaluationArea.criteria))
    )


def criteria_overview(user: User, framework: Framework, on: date | None = None) -> list[AreaGroup]:
    """Every area of the framework with its criteria, each with how many records of each kind are linked and
    its evidence gap: three queries whatever the number of links. Evidence linked directly is counted only
    when this person may see it, as the criterion's page lists it."""
    on = on or today()
    criterion_ids = [criterion.id for area in framework.areas for criterion in area.criteria]
    counts: dict[int, dict[LinkKind, int]] = defaultdict(dict)
    for criterion_id, kind, count in db.session.execute(
        sa.select(CriterionLink.criterion_id, CriterionLink.kind, sa.func.count(CriterionLink.id))
        .join(Criterion, Criterion.id == CriterionLink.criterion_id)
        .outerjoin(EvidenceItem, EvidenceItem.id == CriterionLink.evidence_id)
        .where(
            Criterion.framework_id == framework.id,
            sa.or_(CriterionLink.evidence_id.is_(None), visible_evidence_clause(user, EvidenceItem)),
        )
        .group_by(CriterionLink.criterion_id, CriterionLink.kind)
    ):
        counts[criterion_id][kind] = count
    tallies = evidence_tallies(user, criterion_ids, on)
    return [
        AreaGroup(
            area,
            [
                CriterionRow(criterion, counts[criterion.id], tallies.get(criterion.id, EvidenceTally()))
                for criterion in area.criteria
            ],
        )
        for area in framework.areas
    ]


def _evidence_pairs(user: User, criterion_ids: list[int]) -> sa.Subquery:
    """(criterion_id, evidence_id): the evidence linked to each criterion directly, or to a live finding or
    action linked to it, once each. A finding's and an action's evidence is what evidence.services counts for
    them (live actions only, visible and not archived); evidence linked directly is kept when archived,
    to count as stale."""
    links = CriterionLink
    direct = sa.select(links.criterion_id, links.evidence_id.label("evidence_id")).where(
        links.criterion_id.in_(criterion_ids), links.evidence_id.is_not(None)
    )
    linked_findings = (
        sa.select(links.finding_id)
        .join(Finding, Finding.id == links.finding_id)
        .where(links.criterion_id.in_(criterion_ids), Finding.archived_at.is_(None))
    )
    of_findings = evidence_of_findings(user, linked_findings).subquery()
    through_findings = (
        sa.select(links.criterion_id, of_findings.c.evidence_id)
        .join(of_findings, of_findings.c.finding_id == links.finding_id)
        .where(links.criterion_id.in_(criterion_ids))
    )
    linked_actions = sa.select(links.action_id).where(
        links.criterion_id.in_(criterion_ids), links.action_id.is_not(None)
    )
    of_actions = evidence_of_actions(user, linked_actions).subquery()
    through_actions = (
        sa.select(links.criterion_id, of_actions.c.evidence_id)
        .join(of_actions, of_actions.c.action_id == links.action_id)
        .where(links.criterion_id.in_(criterion_ids))
    )
    return sa.union(direct, through_findings, through_actions).subquery()


def evidence_tallies(user: User, criterion_ids: list[int], on: date) -> dict[int, EvidenceTally]:
    """For each criterion, the visible evidence that counts for it and how much
    of it is current: one query."""
    if not criterion_ids:
        return {}
    pairs = _evidence_pairs(user, criterion_ids)
    current = sa.case((current_clause(on), 1), else_=0)
    rows = db.session.execute(
        sa.select(
            pairs.c.criterion_id,
            sa.func.count(pairs.c.evidence_id),
            sa.func.coalesce(sa.func.sum(current), 0),
        )
        .join(EvidenceItem, EvidenceItem.id == pairs.c.evidence_id)
        .where(visible_evidence_clause(user, EvidenceItem))
        .group_by(pairs.c.criterion_id)
    )
    return {
        criterion_id: EvidenceTally(total, int(current_count)) for criterion_id, total, current_count in rows
    }


def load_criterion(criterion_id: int) -> Criterion:
    return db.first_or_404(
        sa.select(Criterion)
        .where(Criterion.id == criterion_id)
        .options(selectinload(Criterion.area), selectinload(Criterion.framework))
    )


@dataclass
class CriterionPage:
    links: dict[str, dict[int, CriterionLink]]  # kind's value -> record id -> its link
    findings: Sequence[Finding]
    actions: list[ActionRow]
    measures: Sequence[tuple[Measure, object]]  # with its status today (tracker.measures.status)
    evidence: Sequence[EvidenceItem]  # linked directly, those this person may see
    surveys: Sequence[tuple[Survey, int]]  # with their replies
    readiness: Mapping[int, object]  # finding id -> its Readiness today (tracker.readiness)
    tally: EvidenceTally


def criterion_page(user: User, criterion: Criterion, on: date | None = None) -> CriterionPage:
    """Everything linked to a criterion, each kind in one query, and its evidence gap."""
    on = on or today()
    links: dict[str, dict[int, CriterionLink]] = {kind.value: {} for kind in LinkKind}
    for row in db.session.scalars(sa.select(CriterionLink).where(CriterionLink.criterion_id == criterion.id)):
        links[row.kind.value][row.target_id] = row
    ids = {kind: list(links[kind.value]) for kind in LinkKind}
    findings = db.session.scalars(
        sa.select(Finding)
        .where(Finding.id.in_(ids[LinkKind.FINDING]))
        .order_by(Finding.reference, Finding.id)
    ).all()
    last_update = last_update_column()
    actions = [
        ActionRow(action, updated, rag_of(action, updated, on), stale_of(action, updated, on))
        for action, updated in db.session.execute(
            sa.select(Action, last_update.label("last_update_on"))
            .options(joinedload(Action.owner))
            .where(Action.id.in_(ids[LinkKind.ACTION]))
            .order_by(Action.reference_key, Action.id)
        ).all()
    ]
    measures = [
        (measure, status_of(measure, on)) for measure in _measures_with_figures(ids[LinkKind.MEASURE])
    ]
    visible = visible_evidence_clause(user, EvidenceItem)
    evidence = db.session.scalars(
        sa.select(EvidenceItem)
        .where(EvidenceItem.id.in_(ids[LinkKind.EVIDENCE]), visible)
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
    ).all()
    replies = (
        sa.select(sa.func.count(SurveyReply.id))
        .where(SurveyReply.survey_id == Survey.id)
        .correlate(Survey)
        .scalar_subquery()
    )
    surveys = (
        db.session.execute(
            sa.select(Survey, replies)
            .where(Survey.id.in_(ids[LinkKind.SURVEY]))
            .order_by(Survey.opened_on.desc(), Survey.title)
        )
        .tuples()
        .all()
    )
    tally = evidence_tallies(user, [criterion.id], on).get(criterion.id, EvidenceTally())
    readiness = readiness_today(user, [finding.id for finding in findings if not finding.is_archived])
    return CriterionPage(links, findings, actions, measures, evidence, surveys, readiness, tally)


def _measures_with_figures(measure_ids: list[int]) -> Sequence[Measure]:
    """These measures with their readings and milestones, in three queries even when there are none (a
    selectinload skips its query for no rows, and the page's count must not depend on what is linked)."""
    measures = db.session.scalars(
        sa.select(Measure).where(Measure.id.in_(measure_ids)).order_by(Measure.name)
    ).all()
    parts: tuple[tuple[Any, str, Any], ...] = (  # each kind of row: its model, relationship and order
        (MeasureReading, "readings", MeasureReading.period_end),
        (MeasureMilestone, "milestones", MeasureMilestone.due_on),
    )
    for model, name, order in parts:
        rows = defaultdict(list)
        for row in db.session.scalars(
            sa.select(model).where(model.measure_id.in_(measure_ids)).order_by(order, model.id)
        ):
            rows[row.measure_id].append(row)
        for measure in measures:
            set_committed_value(measure, name, rows[measure.id])
    return measures


def load_link(criterion_id: int, link_id: int) -> CriterionLink:
    return db.first_or_404(
        sa.select(CriterionLink).where(
            CriterionLink.id == link_id, CriterionLink.criterion_id == criterion_id
        )
    )
