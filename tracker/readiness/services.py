"""The plan as it stood at the end of any day (`plan_as_at`), and the daily readiness snapshots.

`plan_as_at` loads every row it needs, and the audit events written after the day ended, in
a fixed number of queries, then rebuilds the past in Python: it starts from each record as it
stands now and undoes, newest first, every change made after the day ended (each audit event
keeps the fields' values from before the change). Append-only rows (progress updates, due date
revisions, files, readings) are simply cut off at the end of the day; corrections of readings
made afterwards are undone. The rules are written out for users in docs/readiness.md.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from tracker import audit
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.dates import LONDON, today
from tracker.evidence.models import EvidenceFile, EvidenceItem, Sensitivity, evidence_action, evidence_finding
from tracker.evidence.services import accepted_evidence_by_finding
from tracker.extensions import db
from tracker.kept import kept
from tracker.measures.models import (
    Direction,
    Frequency,
    Measure,
    MeasureMilestone,
    MeasureReading,
    ReadingCorrection,
    measure_finding,
)
from tracker.measures.status import Figures, Point, measure_status
from tracker.models import Role, utcnow
from tracker.permissions import restricted_view_key, visible_evidence_clause
from tracker.plan.models import (
    Action,
    ActionStatus,
    DueDateRevision,
    Finding,
    FindingKind,
    Inspection,
    Partner,
    ProgressUpdate,
    Theme,
    action_finding,
    action_measure,
)
from tracker.plan.queries import due_column, last_update_column, rag_column, stale_condition
from tracker.plan.rag import Rag, RagFacts, RagResult, compute_rag, is_stale, with_override
from tracker.plan.services import open_statuses, stale_after_days
from tracker.readiness.models import ReadinessSnapshot
from tracker.readiness.rules import COLOURS, EvidenceCount, Readiness, finding_readiness, readiness_of
from tracker.readiness.state import ActionAt, EvidenceAt, FindingAt, MeasureAt, PlanAt

# as at today or later nothing is cut off, so that today's plan is exactly the live one
END_OF_TIME = datetime(9999, 12, 31, tzinfo=timezone.utc)
TREND_DAYS = 90


def end_of(as_at: date) -> datetime:
    """The moment `as_at` ended in England (midnight after it), in UTC; no limit for today or later."""
    if as_at >= today():
        return END_OF_TIME
    following = as_at + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=LONDON).astimezone(timezone.utc)


# Undoing later changes ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _state(record, names: tuple[str, ...]) -> dict[str, Any]:
    """The record's fields as the audit log writes them (enum values, ISO dates), plus whether it is
    archived."""
    state = {name: _plain(getattr(record, name)) for name in names}
    state["archived"] = record.archived_at is not None
    return state


def undo_changes(state: dict[str, Any], events: list[AuditEvent]) -> dict[str, Any]:
    """Walk back the changes made after the cutoff, newest first, restoring each field's value from before."""
    for event in sorted(events, key=lambda e: (e.occurred_at, e.id), reverse=True):
        for name, value in (event.before or {}).items():
            if name in state:
                state[name] = value
    return state


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _later_events(cutoff: datetime) -> dict[tuple[str, int | None], list[AuditEvent]]:
    events: defaultdict[tuple[str, int | None], list[AuditEvent]] = defaultdict(list)
    for event in db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.occurred_at > cutoff,
            AuditEvent.entity_type.in_(["finding", "action", "evidence_item", "measure"]),
        )
    ):
        events[(event.entity_type, event.entity_id)].append(event)
    return events


def _links(table, left: str, right: str, *where) -> dict[int, set[int]]:
    linked = defaultdict(set)
    for one, other in db.session.execute(sa.select(table.c[left], table.c[right]).where(*where)).tuples():
        linked[one].add(other)
    return linked


# What the plan is asked for --------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    inspection_id: int | None = None
    theme_id: int | None = None
    partner: str | None = None
    # just these findings (a page's, for readiness_today): their measures are chosen in SQL, not from the
    # whole plan
    finding_ids: tuple[int, ...] | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.inspection_id or self.theme_id or self.partner) or self.finding_ids is not None

    def holds(self, finding: dict) -> bool:
        if self.inspection_id and finding["inspection_id"] != self.inspection_id:
            return False
        if self.theme_id and finding["theme_id"] != self.theme_id:
            return False
        return not self.partner or finding["accountable_partner"] in self.partners

    @property
    def partners(self) -> set[str]:
        """A partner's findings include those the council and the ICB answer for together."""
        if self.partner in (Partner.COUNCIL.value, Partner.ICB.value):
            return {self.partner, Partner.BOTH.value}
        return {self.partner} if self.partner else set()

    def hanging_off(self, row_id, by_finding, by_action):
        """`row_id` (a measure) is linked to a chosen finding or to an action answering one; `by_finding` and
        `by_action` are the link tables' columns naming the row, like measure_finding.c.measure_id."""
        if self.finding_ids is None:
            return sa.true()
        answering = sa.select(action_finding.c.action_id).where(
            action_finding.c.finding_id.in_(self.finding_ids)
        )
        return sa.or_(
            row_id.in_(sa.select(by_finding).where(by_finding.table.c.finding_id.in_(self.finding_ids))),
            row_id.in_(sa.select(by_action).where(by_action.table.c.action_id.in_(answering))),
        )


FINDING_FIELDS = ("reference", "title", "wording", "kind", "theme_id", "inspection_id", "accountable_partner")
ACTION_FIELDS_TODAY = (
    "reference",
    "title",
    "owner_id",
    "partner",
    "status",
    "percent_complete",
    "start_date",
    "rag_override",
    "rag_override_reason",
)
# and the long text the as-at plan keeps for the API's text filter, which today's page of actions (read with
# load_only in tracker/api/resources.py) neither loads nor needs
ACTION_FIELDS = (*ACTION_FIELDS_TODAY, "description")
EVIDENCE_FIELDS = (
    "title",
    "kind",
    "about_date",
    "review_by",
    "status",
    "sensitivity",
    "url",
    "description",
    "note",
)
MEASURE_FIELDS = (
    "name",
    "unit",
    "direction",
    "frequency",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
)


def _findings(cutoff: datetime, events, scope: Scope) -> dict[int, dict]:
    found = {}
    for finding in db.session.scalars(sa.select(Finding).where(Finding.created_at <= cutoff)):
        state = undo_changes(_state(finding, FINDING_FIELDS), events[("finding", finding.id)])
        if not state["archived"] and scope.holds(state):
            found[finding.id] = state | {"id": finding.id}
    return found


def _actions(
    cutoff: datetime, events, findings: dict[int, dict], scope: Scope
) -> tuple[dict[int, dict], dict[int, set[int]]]:
    """Actions that existed and were not archived then, answering a chosen finding; and each one's
    findings."""
    existed = sa.select(Action.id).where(Action.created_at <= cutoff)
    answers = _links(action_finding, "action_id", "finding_id", action_finding.c.action_id.in_(existed))
    found = {}
    for action in db.session.scalars(sa.select(Action).where(Action.created_at <= cutoff)):
        state = undo_changes(_state(action, ACTION_FIELDS), events[("action", action.id)])
        chosen = answers[action.id] & findings.keys()
        if not state["archived"] and (chosen or not scope.narrowed):
            found[action.id] = state | {
                "id": action.id,
                "due_date": action.due_date,
                "created_on": action.created_at.date(),
            }
    return found, answers


def _latest_updates(
    as_at: date, cutoff: datetime, action_ids: list[int] | None = None
) -> dict[int, tuple[date, str]]:
    """Each action's (or just these actions') latest progress update written by then, in one query."""
    chosen = sa.true() if action_ids is None else ProgressUpdate.action_id.in_(action_ids)
    ranked = (
        sa.select(
            ProgressUpdate.action_id,
            ProgressUpdate.written_on,
            ProgressUpdate.body,
            sa.func.row_number()
            .over(
                partition_by=ProgressUpdate.action_id,
                order_by=(ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc()),
            )
            .label("rank"),
        )
        .where(ProgressUpdate.written_on <= as_at, ProgressUpdate.created_at <= cutoff, chosen)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.action_id, ranked.c.written_on, ranked.c.body).where(ranked.c.rank == 1)
    )
    return {action_id: (written_on, body) for action_id, written_on, body in rows}


def _revisions(
    cutoff: datetime, action_ids: list[int] | None = None
) -> dict[int, list[tuple[date, date, str]]]:
    revisions = defaultdict(list)
    chosen = sa.true() if action_ids is None else DueDateRevision.action_id.in_(action_ids)
    for row in db.session.scalars(
        sa.select(DueDateRevision)
        .where(DueDateRevision.changed_at <= cutoff, chosen)
        .order_by(DueDateRevision.changed_at, DueDateRevision.id)
    ):
        revisions[row.action_id].append((row.previous_due_date, row.new_due_date, row.reason))
    return revisions


def rag_as_at(
    state: dict, due: date, last_update_on: date | None, as_at: date, days: int
) -> tuple[RagResult, bool]:
    """The action's RAG and whether it is stale, as plan.services.rag_of and stale_of work them out, on
    `as_at`."""
    facts = RagFacts(
        status=ActionStatus(state["status"]),
        start_date=_day(state["start_date"]),
        due_date=due,
        percent_complete=state["percent_complete"],
        last_update_on=last_update_on,
        created_on=state["created_on"],
    )
    override = Rag(state["rag_override"]) if state["rag_override"] else None
    return with_override(compute_rag(facts, as_at, days), override, state["rag_override_reason"]), is_stale(
        facts, as_at, days
    )


def _action_at(state: dict, revisions, update, owners: dict[int, str], as_at: date, days: int) -> ActionAt:
    due = revisions[-1][1] if revisions else state["due_date"]
    last_on, body = update or (None, "")
    rag, stale = rag_as_at(state, due, last_on, as_at, days)
    status = ActionStatus(state["status"])
    return ActionAt(
        id=state["id"],
        reference=state["reference"],
        title=state["title"],
        description=state.get("description") or "",
        owner=owners.get(state["owner_id"], ""),
        owner_id=state["owner_id"],
        partner=Partner(state["partner"]).label,
        status=status.label,
        status_value=status.value,
        percent_complete=state["percent_complete"],
        due_date=due,
        original_due_date=state["due_date"],
        revisions=tuple(revisions),
        rag=rag.colour.value if rag.colour else None,
        rag_summary=rag.summary,
        overdue=due < as_at and not status.is_closed,
        stale=stale,
        latest_update_on=last_on,
        latest_update=body,
    )


def _evidence_clause(user, include_restricted: bool):
    """Restricted evidence only when asked for, and then only what this person may see (leaders: all; others:
    their own)."""
    clause = visible_evidence_clause(user, EvidenceItem)
    if not include_restricted:
        clause = sa.and_(clause, EvidenceItem.sensitivity != Sensitivity.RESTRICTED)
    return clause


def _evidence(
    user,
    include_restricted: bool,
    as_at: date,
    cutoff: datetime,
    events,
    findings,
    actions,
    scope: Scope,
    with_files: bool,
) -> dict[int, EvidenceAt]:
    # archived by the cutoff and still archived: left out in SQL (a later restore would have cleared
    # archived_at)
    existed = sa.select(EvidenceItem.id).where(
        EvidenceItem.created_at <= cutoff,
        _evidence_clause(user, include_restricted),
        sa.or_(EvidenceItem.archived_at.is_(None), EvidenceItem.archived_at > cutoff),
    )
    supports = _links(
        evidence_finding, "evidence_id", "finding_id", evidence_finding.c.evidence_id.in_(existed)
    )
    for_actions = _links(
        evidence_action, "evidence_id", "action_id", evidence_action.c.evidence_id.in_(existed)
    )
    files = defaultdict(list)
    if with_files:
        for row in db.session.execute(
            sa.select(
                EvidenceFile.evidence_id,
                EvidenceFile.id,
                EvidenceFile.filename,
                EvidenceFile.sha256,
                EvidenceFile.size_bytes,
                EvidenceFile.storage_key,
            )
            .where(EvidenceFile.uploaded_at <= cutoff, EvidenceFile.evidence_id.in_(existed))
            .order_by(EvidenceFile.version)
        ):
            files[row.evidence_id].append(tuple(row[1:]))
    found = {}
    # enums as their stored text and dates as ISO text, as the audit log holds them: what undo_changes works
    # on
    columns = [
        EvidenceItem.id,
        EvidenceItem.archived_at,
        *(sa.type_coerce(getattr(EvidenceItem, name), sa.String) for name in EVIDENCE_FIELDS),
    ]
    finding_keys, action_keys = findings.keys(), actions.keys()
    for item_id, archived_at, *values in db.session.execute(
        sa.select(*columns).where(EvidenceItem.id.in_(existed))
    ).tuples():
        finding_ids, action_ids = supports[item_id] & finding_keys, for_actions[item_id] & action_keys
        if not (finding_ids or action_ids or not scope.narrowed):
            continue
        state = dict(zip(EVIDENCE_FIELDS, values), archived=archived_at is not None)
        later = events.get(("evidence_item", item_id))
        if later:
            state = undo_changes(state, later)
        if state["archived"]:
            continue
        if state["sensitivity"] == Sensitivity.RESTRICTED.value and not include_restricted:
            continue  # restricted then, though not now: still left out
        review_by, about = _day(state["review_by"]), _day(state["about_date"])
        assert about is not None  # a column that is never empty
        found[item_id] = EvidenceAt(
            id=item_id,
            title=state["title"],
            kind=state["kind"],
            about_date=about,
            status=state["status"],
            current=state["status"] == "accepted" and (review_by is None or review_by >= as_at),
            sensitivity=state["sensitivity"],
            url=state["url"],
            files=tuple(files[item_id]),
            finding_ids=tuple(sorted(finding_ids)),
            action_ids=tuple(sorted(action_ids)),
            review_by=review_by,
            description=state["description"] or "",
            note=state["note"] or "",
        )
    return found


def _readings(cutoff: datetime, measure_ids: sa.Select) -> dict[int, list[tuple[date, float]]]:
    """The measures' readings entered by then, each with the value it had then: corrections made later are
    undone."""
    entered = sa.select(MeasureReading.id).where(
        MeasureReading.entered_at <= cutoff, MeasureReading.measure_id.in_(measure_ids)
    )
    earlier = {}
    for correction in db.session.scalars(
        sa.select(ReadingCorrection)
        .where(ReadingCorrection.corrected_at > cutoff, ReadingCorrection.reading_id.in_(entered))
        .order_by(ReadingCorrection.corrected_at.desc(), ReadingCorrection.id.desc())
    ):
        earlier[correction.reading_id] = correction.previous_value  # the earliest later correction wins
    readings = defaultdict(list)
    for reading_id, measure_id, period_end, value in db.session.execute(
        sa.select(
            MeasureReading.id, MeasureReading.measure_id, MeasureReading.period_end, MeasureReading.value
        )
        .where(MeasureReading.id.in_(entered))
        .order_by(MeasureReading.period_end)
    ).tuples():
        readings[measure_id].append((period_end, earlier.get(reading_id, value)))
    return readings


def _measures(
    as_at: date, cutoff: datetime, events, findings, actions, scope: Scope
) -> tuple[dict[int, MeasureAt], dict[int, set[int]]]:
    """Measures linked to a chosen finding or action, their readings and status then; and each finding's
    measures."""
    existed = sa.select(Measure.id).where(
        Measure.created_at <= cutoff,
        scope.hanging_off(Measure.id, measure_finding.c.measure_id, action_measure.c.measure_id),
    )
    for_findings = _links(
        measure_finding, "measure_id", "finding_id", measure_finding.c.measure_id.in_(existed)
    )
    for_actions = _links(action_measure, "measure_id", "action_id", action_measure.c.measure_id.in_(existed))
    milestones = defaultdict(list)
    for stone in db.session.scalars(
        sa.select(MeasureMilestone).where(MeasureMilestone.measure_id.in_(existed))
    ):
        milestones[stone.measure_id].append(Point(stone.due_on, stone.value))
    readings = _readings(cutoff, existed)
    found, by_finding = {}, defaultdict(set)
    for measure in db.session.scalars(
        sa.select(Measure).where(Measure.id.in_(existed)).order_by(Measure.name)
    ):
        state = undo_changes(_state(measure, MEASURE_FIELDS), events[("measure", measure.id)])
        finding_ids = for_findings[measure.id] & findings.keys()
        action_ids = for_actions[measure.id] & actions.keys()
        if state["archived"] or not (finding_ids or action_ids or not scope.narrowed):
            continue
        found[measure.id] = _measure_at(
            measure.id, state, readings[measure.id], milestones[measure.id], as_at
        )
        for finding_id in finding_ids:
            by_finding[finding_id].add(measure.id)
        for action_id in action_ids:
            for finding_id in actions[action_id]["finding_ids"]:
                by_finding[finding_id].add(measure.id)
    return found, by_finding


def measures_today(measure_ids: sa.Select) -> dict[int, MeasureAt]:
    """These live measures as they stand today, each with its status, in three queries: what plan_as_at says
    of them as at today, for the kept figures (kept_figures.py)."""
    on = today()
    milestones = defaultdict(list)
    for stone in db.session.scalars(
        sa.select(MeasureMilestone).where(MeasureMilestone.measure_id.in_(measure_ids))
    ):
        milestones[stone.measure_id].append(Point(stone.due_on, stone.value))
    readings = _readings(END_OF_TIME, measure_ids)
    return {
        measure.id: _measure_at(
            measure.id, _state(measure, MEASURE_FIELDS), readings[measure.id], milestones[measure.id], on
        )
        for measure in db.session.scalars(
            sa.select(Measure).where(Measure.id.in_(measure_ids), Measure.archived_at.is_(None))
        )
    }


def _measure_at(
    measure_id: int, state: dict, readings: list[tuple[date, float]], milestones: list[Point], as_at: date
) -> MeasureAt:
    baseline_on, target_on = _day(state["baseline_date"]), _day(state["target_date"])
    baseline = (
        (baseline_on, state["baseline_value"])
        if baseline_on and state["baseline_value"] is not None
        else None
    )
    target = (target_on, state["target_value"]) if state["target_value"] is not None else None
    figures = Figures(
        unit=state["unit"],
        direction=Direction(state["direction"]),
        frequency=Frequency(state["frequency"]),
        readings=[Point(on, value) for on, value in readings],
        baseline=Point(*baseline) if baseline else None,
        target_value=state["target_value"],
        target_date=target_on,
        milestones=milestones,
    )
    status = measure_status(figures, as_at)
    return MeasureAt(
        id=measure_id,
        name=state["name"],
        unit=state["unit"],
        direction=state["direction"],
        readings=tuple(readings),
        baseline=baseline,
        target=target,
        latest=readings[-1][1] if readings else None,
        status=status.state.value,
        status_reason=status.reason,
    )


def _order(finding: dict, themes: dict[int, Theme]) -> tuple:
    theme = themes.get(finding["theme_id"])
    kinds = [kind.value for kind in FindingKind]
    return (
        theme.position if theme else 0,
        theme.name if theme else "",
        kinds.index(finding["kind"]),
        finding["reference"],
    )


def plan_as_at(
    as_at: date,
    user,
    include_restricted: bool = False,
    inspection_id: int | None = None,
    theme_id: int | None = None,
    partner: str | None = None,
    with_files: bool = True,
) -> PlanAt:
    """The plan as it stood at the end of `as_at`, in a fixed number of queries whatever its size.

    Findings chosen by inspection, theme and accountable partner; the actions answering them;
    the evidence and measures linked to either. Restricted evidence only with
    `include_restricted`, and then only what `user` may see (docs/readiness.md). Without
    `with_files` (the dashboard) evidence carries no file list.
    """
    cutoff, days = end_of(as_at), stale_after_days()
    scope = Scope(inspection_id, theme_id, partner)
    events = _later_events(cutoff)
    themes = {theme.id: theme for theme in db.session.scalars(sa.select(Theme))}
    inspections = {row.id: row for row in db.session.scalars(sa.select(Inspection))}
    findings = _findings(cutoff, events, scope)
    actions, answers = _actions(cutoff, events, findings, scope)
    for action_id, state in actions.items():
        state["finding_ids"] = answers[action_id] & findings.keys()
    updates, revisions = _latest_updates(as_at, cutoff), _revisions(cutoff)
    owners = _owner_names({state["owner_id"] for state in actions.values()})
    actions_at = {
        action_id: _action_at(state, revisions[action_id], updates.get(action_id), owners, as_at, days)
        for action_id, state in sorted(actions.items(), key=lambda pair: pair[1]["reference"])
    }
    evidence = _evidence(
        user, include_restricted, as_at, cutoff, events, findings, actions, scope, with_files
    )
    measures, measures_of = _measures(as_at, cutoff, events, findings, actions, scope)
    linked = _linked_to_findings(actions, actions_at, evidence, measures, measures_of)
    findings_at = [
        _finding_at(state, themes, linked, actions_at, evidence, measures, as_at, days)
        for state in sorted(findings.values(), key=lambda finding: _order(finding, themes))
    ]
    return PlanAt(
        as_at=as_at,
        produced_at=utcnow(),
        produced_by=getattr(user, "name", None) or "system",
        partnership=_partnership(inspections, findings, inspection_id),
        inspection=inspections[inspection_id].title if inspection_id in inspections else None,
        include_restricted=include_restricted,
        findings=tuple(findings_at),
        actions=actions_at,
        evidence=evidence,
        measures=measures,
    )


def _owner_names(user_ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(user_ids))).tuples().all())


def actions_today(actions: Sequence[Action], on: date) -> dict[int, ActionAt]:
    """These live actions as `plan_as_at(on)` gives them when `on` is today (nothing undone, nothing cut off
    but updates dated later): RAG and its reasons, the due date in force, the latest update. Only their own
    updates, revisions and owners are read, in three queries, so a page of a list costs the same at any size
    of plan (the API's actions list, tracker/api/resources.py)."""
    assert on >= today(), "actions_today rebuilds nothing: it is for today only"
    ids, days = [action.id for action in actions], stale_after_days()
    updates, revisions = _latest_updates(on, END_OF_TIME, ids), _revisions(END_OF_TIME, ids)
    owners = _owner_names({action.owner_id for action in actions})
    return {
        action.id: _action_at(
            _state(action, ACTION_FIELDS_TODAY)
            | {"id": action.id, "due_date": action.due_date, "created_on": action.created_at.date()},
            revisions[action.id],
            updates.get(action.id),
            owners,
            on,
            days,
        )
        for action in actions
    }


def _linked_to_findings(
    actions, actions_at, evidence, measures, measures_of
) -> dict[int, tuple[list, list, list]]:
    """Each finding's action, evidence and measure ids, in the plan's order: one pass over each, whatever the
    plan's size.

    A finding's evidence is the evidence supporting it and the evidence supporting any of its
    actions, each item once: accepted evidence of an action counts for the findings it answers.
    """
    linked: defaultdict[int, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
    for action in actions_at.values():
        for finding_id in actions[action.id]["finding_ids"]:
            linked[finding_id][0].append(action.id)
    for item in evidence.values():
        for finding_id in set(item.finding_ids).union(*(actions[a]["finding_ids"] for a in item.action_ids)):
            linked[finding_id][1].append(item.id)
    position = {measure_id: index for index, measure_id in enumerate(measures)}
    for finding_id, chosen in measures_of.items():
        linked[finding_id][2].extend(sorted((m for m in chosen if m in position), key=position.__getitem__))
    return linked


def _finding_at(state, themes, linked, actions_at, evidence, measures, as_at: date, days: int) -> FindingAt:
    action_ids, evidence_ids, measure_ids = (tuple(ids) for ids in linked[state["id"]])
    readiness = finding_readiness(
        state["kind"],
        [actions_at[i] for i in action_ids],
        [evidence[i] for i in evidence_ids],
        [measures[i] for i in measure_ids],
        as_at,
        days,
    )
    theme = themes.get(state["theme_id"])
    return FindingAt(
        id=state["id"],
        reference=state["reference"],
        title=state["title"],
        wording=state["wording"],
        kind=FindingKind(state["kind"]).label,
        theme=theme.name if theme else "",
        partner=Partner(state["accountable_partner"]).label,
        readiness=readiness.colour,
        readiness_reasons=readiness.reasons,
        action_ids=action_ids,
        evidence_ids=evidence_ids,
        measure_ids=measure_ids,
        kind_value=state["kind"],
        theme_id=state["theme_id"],
        inspection_id=state["inspection_id"],
    )


def _partnership(
    inspections: dict[int, Inspection], findings: dict[int, dict], inspection_id: int | None
) -> str:
    if inspection_id in inspections:
        return inspections[inspection_id].local_area
    used = [inspections[f["inspection_id"]] for f in findings.values() if f["inspection_id"] in inspections]
    latest = max(used or inspections.values(), key=lambda row: row.start_date or date.min, default=None)
    return latest.local_area if latest else ""


# What the plan's pages show (registered in tracker/readiness/__init__.py) -----------------------


def readiness_today(user, finding_ids: list[int]) -> dict[int, Readiness]:
    """These findings' readiness today for this person, kept per version of the data like the dashboard's
    figures (tracker/kept.py): a list page asks one question while nothing changes."""
    return kept(
        "tracker_readiness_today",
        (tuple(finding_ids), restricted_view_key(user), today(), stale_after_days()),
        lambda: work_out_readiness_today(user, finding_ids),
        size=256,
    )


def work_out_readiness_today(user, finding_ids: list[int]) -> dict[int, Readiness]:
    """These live findings' (a page's) readiness today, as the dashboard shows it to this person, in nine
    queries.

    plan_as_at rebuilds every row hanging off the findings, which a page cannot wait for: a page of
    50 findings has thousands of evidence items. This asks only for what the rules need: each live
    action's status, RAG, overdue and stale as the action lists work them out in SQL (plan.queries);
    the accepted evidence this person may see, counted as the gaps list counts it; the measures as
    plan_as_at reads them. Then the same rules decide (rules.readiness_of), and
    tests/unit/test_readiness_today.py holds both ways to the same answer.
    """
    views = readiness_views_today(
        finding_ids, {"user": lambda ids, on: accepted_evidence_by_finding(user, ids, on)}
    )
    return {finding_id: readiness for finding_id, (readiness, _) in views["user"].items()}


EvidenceCounter = Callable[[list[int], date], dict[int, tuple[int, date | None]]]


def readiness_views_today(
    finding_ids: list[int], views: dict[str, EvidenceCounter]
) -> dict[str, dict[int, tuple[Readiness, int]]]:
    """work_out_readiness_today for several ways of counting evidence at once (who sees which restricted
    items): per view, each live finding's readiness and its number of current accepted items. The actions and
    measures are read once for every view."""
    on, days = today(), stale_after_days()
    kinds = dict(
        db.session.execute(
            sa.select(Finding.id, Finding.kind).where(
                Finding.id.in_(finding_ids), Finding.archived_at.is_(None)
            )
        )
        .tuples()
        .all()
    )
    if not kinds:
        return {name: {} for name in views}
    actions: defaultdict[int, list[sa.Row]] = defaultdict(list)
    answering: defaultdict[int, dict[str, set[int]]] = defaultdict(lambda: {"finding_ids": set()})
    for row in _actions_today(list(kinds), on, days):
        actions[row.finding_id].append(row)
        answering[row.id]["finding_ids"].add(row.finding_id)
    measures, measures_of = _measures(
        on, END_OF_TIME, defaultdict(list), kinds, answering, Scope(finding_ids=tuple(kinds))
    )
    found: dict[str, dict[int, tuple[Readiness, int]]] = {}
    for name, count_evidence_of in views.items():
        evidence = count_evidence_of(list(kinds), on)
        found[name] = {}
        for finding_id, kind in kinds.items():
            counted_evidence = EvidenceCount(*evidence.get(finding_id, (0, None)))
            readiness = readiness_of(
                kind.value,
                actions[finding_id],
                counted_evidence,
                [measure for key, measure in measures.items() if key in measures_of[finding_id]],
                days,
            )
            found[name][finding_id] = (readiness, counted_evidence.current)
    return found


def _actions_today(finding_ids: list[int], on: date, days: int) -> Sequence[sa.Row]:
    """Each live action answering these findings, once per finding, with what ActionAt says of it today, in
    one query."""
    last_update = last_update_column()
    return db.session.execute(
        sa.select(
            action_finding.c.finding_id,
            Action.id,
            sa.type_coerce(Action.status, sa.String).label("status_value"),
            sa.type_coerce(rag_column(last_update, on, days), sa.String).label("rag"),
            sa.and_(due_column() < on, Action.status.in_(open_statuses())).label("overdue"),
            stale_condition(last_update, on, days).label("stale"),
        )
        .join(Action, Action.id == action_finding.c.action_id)
        .where(action_finding.c.finding_id.in_(finding_ids), Action.archived_at.is_(None))
    ).all()


# Snapshots: readiness over time --------------------------------------------------------------


class ReadinessError(Exception):
    """A readiness rule was broken; the message is shown to the user."""


class SystemReader:
    """Who the system reads the plan as (a snapshot, the command line's exports): everything on the plan, as a
    leader
    would; restricted evidence still only when the caller asks for it."""

    is_authenticated = True
    role = Role.LEADER
    id = None
    email = None

    def __init__(self, name: str = "system"):
        self.name = name


class _SnapshotDay:
    """What a snapshot's audit event is about: one day's snapshot, which has no single row of its own."""

    __tablename__ = ReadinessSnapshot.__tablename__
    id = None


@dataclass(frozen=True)
class SnapshotResult:
    taken_on: date
    counts: dict[str, int]
    replaced: bool

    @property
    def findings(self) -> int:
        return sum(self.counts.values())


def take_snapshot(actor, on: date | None = None) -> SnapshotResult:
    """Store each live finding's readiness as at `on` (today by default); a second run that day replaces the
    first.

    The trend is shown to everyone on the plan, so snapshots leave restricted evidence out: a
    viewer's trend must not reveal that restricted evidence exists.
    """
    on = on or today()
    if on > today():
        raise ReadinessError("A snapshot can only be taken for today or an earlier day.")
    # shared with everyone through the dashboard's trend, so it counts no restricted evidence
    plan = plan_as_at(on, SystemReader(), include_restricted=False, with_files=False)
    replaced = cast(  # a DELETE's result has its row count
        CursorResult, db.session.execute(sa.delete(ReadinessSnapshot).where(ReadinessSnapshot.taken_on == on))
    ).rowcount
    db.session.add_all(
        [
            ReadinessSnapshot(
                taken_on=on,
                finding_id=finding.id,
                readiness=finding.readiness,
                reasons=list(finding.readiness_reasons),
            )
            for finding in plan.findings
        ]
    )
    counts = {
        colour: sum(1 for finding in plan.findings if finding.readiness == colour) for colour in COLOURS
    }
    audit.record(
        actor,
        "readiness_snapshot.taken",
        _SnapshotDay(),
        after={"taken_on": on, **counts, "replaced": replaced > 0},
    )
    db.session.commit()
    return SnapshotResult(on, counts, replaced > 0)


def readiness_trend(as_at: date, scope: Scope, days: int = TREND_DAYS) -> list[tuple[date, dict[str, int]]]:
    """Red, amber and green findings on each snapshot day of the `days` up to `as_at`, in one query."""
    query = (
        sa.select(ReadinessSnapshot.taken_on, ReadinessSnapshot.readiness, sa.func.count())
        .join(Finding, Finding.id == ReadinessSnapshot.finding_id)
        .where(ReadinessSnapshot.taken_on > as_at - timedelta(days=days), ReadinessSnapshot.taken_on <= as_at)
        .group_by(ReadinessSnapshot.taken_on, ReadinessSnapshot.readiness)
        .order_by(ReadinessSnapshot.taken_on)
    )
    if scope.inspection_id:
        query = query.where(Finding.inspection_id == scope.inspection_id)
    if scope.theme_id:
        query = query.where(Finding.theme_id == scope.theme_id)
    if scope.partner:
        query = query.where(Finding.accountable_partner.in_([Partner(value) for value in scope.partners]))
    days_seen: dict[date, dict[str, int]] = {}
    for taken_on, readiness, count in db.session.execute(query):
        days_seen.setdefault(taken_on, dict.fromkeys(COLOURS, 0))[readiness] = count
    return list(days_seen.items())
