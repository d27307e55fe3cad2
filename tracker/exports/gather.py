"""What every export shows, worked out once from the plan as at a date (`PlanAt`), so the PDF, Word,
Excel and the evidence pack cannot disagree.

The renderers read only the objects made here and the `PlanAt` they come from; none of them queries
the database. Restricted evidence is dropped here, in one place, unless the plan was asked for with it.
"""

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date

from tracker.charts import value_text
from tracker.dates import format_date
from tracker.readiness.state import ActionAt, EvidenceAt, FindingAt, MeasureAt, PlanAt
from tracker.text import clean_text

READINESS_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", None: "None (cancelled)"}
EVIDENCE_STATUS = {"submitted": "Submitted", "accepted": "Accepted", "returned": "Returned with comment"}
MEASURE_STATUS = {
    "on_track": "On track",
    "off_track": "Off track",
    "no_data": "No data",
    "stale": "Stale",
    "no_target": "No target",
}
EVIDENCE_KINDS = {"document": "Document", "link": "Link", "note": "Note"}


@dataclass(frozen=True)
class FindingSection:
    """One finding with what answers it, what shows its impact and what evidences it, in reading order."""

    finding: FindingAt
    actions: list[ActionAt]
    measures: list[MeasureAt]
    evidence: list[EvidenceAt]  # current first, then the newest


def printable(value):
    """The same value with characters no document format can hold removed (a pasted control
    character must not stop every export); strings inside tuples, lists, dicts and records too.
    What holds nothing to remove is given back as it is, so a county's plan is not copied whole."""
    if isinstance(value, str):
        cleaned = clean_text(value)
        return value if cleaned == value else cleaned
    if isinstance(value, (tuple, list)):
        items = [printable(item) for item in value]
        return value if all(new is old for new, old in zip(items, value)) else type(value)(items)
    if isinstance(value, dict):
        entries = {key: printable(item) for key, item in value.items()}
        return value if all(entries[key] is item for key, item in value.items()) else entries
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for name in _field_names(type(value)):
            old = getattr(value, name)
            new = printable(old)
            if new is not old:
                changed[name] = new
        return dataclasses.replace(value, **changed) if changed else value
    return value


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def without_restricted(plan: PlanAt) -> PlanAt:
    """The plan with restricted evidence left out, unless it was explicitly included."""
    if plan.include_restricted:
        return plan
    kept = {key: item for key, item in plan.evidence.items() if item.sensitivity != "restricted"}
    findings = tuple(
        dataclasses.replace(f, evidence_ids=tuple(i for i in f.evidence_ids if i in kept))
        for f in plan.findings
    )
    return dataclasses.replace(plan, evidence=kept, findings=findings)


def accepted_only(plan: PlanAt) -> PlanAt:
    """The plan with only the evidence whose status at the as-at date was accepted: the pack for inspectors,
    its index, manifest and summary alike."""
    kept = {key: item for key, item in plan.evidence.items() if item.status == "accepted"}
    findings = tuple(
        dataclasses.replace(f, evidence_ids=tuple(i for i in f.evidence_ids if i in kept))
        for f in plan.findings
    )
    return dataclasses.replace(plan, evidence=kept, findings=findings)


def sections(plan: PlanAt) -> list[FindingSection]:
    """Each finding with its actions, measures and evidence (its own and its actions'),
    as the plan holds them."""
    by_action: dict[int, list[int]] = {}
    for item in plan.evidence.values():
        for action_id in item.action_ids:
            by_action.setdefault(action_id, []).append(item.id)
    result = []
    for finding in plan.findings:
        actions = [plan.actions[i] for i in finding.action_ids if i in plan.actions]
        measures = [plan.measures[i] for i in finding.measure_ids if i in plan.measures]
        evidence_ids = dict.fromkeys(
            [*finding.evidence_ids, *(i for a in finding.action_ids for i in by_action.get(a, ()))]
        )
        evidence = sorted(
            (plan.evidence[i] for i in evidence_ids if i in plan.evidence),
            key=lambda item: (item.current, item.about_date, item.id),
            reverse=True,
        )
        result.append(FindingSection(finding, actions, measures, evidence))
    return result


def readiness_counts(plan: PlanAt) -> list[tuple[str, int]]:
    """[("Red", 2), ("Amber", 1), ("Green", 3)]: every colour, even at nought."""
    return [
        (label, sum(f.readiness == key for f in plan.findings)) for key, label in READINESS_LABELS.items()
    ]


def as_at_line(plan: PlanAt) -> str:
    return f"As at {format_date(plan.as_at)}"


def title_of(plan: PlanAt) -> str:
    return f"Inspection readiness summary: {plan.partnership}"


def cover_lines(plan: PlanAt) -> list[tuple[str, str]]:
    """The cover's facts, as (label, value)."""
    return [
        ("Partnership", plan.partnership),
        ("Inspection", plan.inspection or "All inspections"),
        ("As at", format_date(plan.as_at)),
        ("Produced by", plan.produced_by),
        ("Produced on", format_date(plan.produced_at)),
        ("Restricted evidence", "Included, by a leader's choice" if plan.include_restricted else "Left out"),
    ]


def due_text(action: ActionAt) -> str:
    """'31 March 2027', or '30 June 2027 (was 31 March 2027: reason)' when revised by the as-at date."""
    text = format_date(action.due_date)
    if action.revisions:
        history = "; ".join(
            f"was {format_date(old)}, moved to {format_date(new)}: {reason}"
            for old, new, reason in action.revisions
        )
        text += f" ({history})"
    return text


def latest_update_text(action: ActionAt) -> str:
    if not action.latest_update_on:
        return "No update yet"
    return f"{format_date(action.latest_update_on)}: {action.latest_update}"


def latest_value_text(measure: MeasureAt) -> str:
    if measure.latest is None:
        return "No reading"
    when = f" ({format_date(max(measure.readings)[0])})" if measure.readings else ""
    return value_text(measure.latest, measure.unit) + when


def target_text(measure: MeasureAt) -> str:
    if measure.target is None:
        return "No target"
    day, value = measure.target
    return value_text(value, measure.unit) + (f" by {format_date(day)}" if day else "")


def measure_status_text(measure: MeasureAt) -> str:
    """The status and why: the reason already starts with the status ("Off track: 16 weeks on ...")."""
    return measure.status_reason or MEASURE_STATUS[measure.status]


def latest_file(item: EvidenceAt) -> tuple[int, str, str, int, str] | None:
    """The version of a document that stood at the as-at date: the last uploaded by then."""
    return max(item.files, key=lambda file: file[0]) if item.files else None


def date_or_blank(value: date | None) -> str:
    return format_date(value) if value else ""
