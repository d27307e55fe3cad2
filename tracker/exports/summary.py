"""The progress summary's shape, worked out once for the PDF, Word and Excel (docs/exports.md).

Up front: where the partnership stands (the facts, every finding's readiness red first with why, the
change since a comparison day, the key measures, what families and professionals said, the exceptions);
then each finding, most serious first: red and amber actions in full, green and completed ones a line
each, accepted evidence with its text. `detail="everything"` puts every action in full, every evidence
item and every measure's chart and figures back, for those who want the whole listing.

Pure functions over `PlanAt` and the few extra facts `exports.services` reads with it: no database here.
"""

from dataclasses import dataclass, field
from datetime import date

from tracker.charts import LineChart, line_chart, value_text
from tracker.dates import format_date
from tracker.exports import gather
from tracker.exports.gather import FindingSection
from tracker.readiness.state import ActionAt, EvidenceAt, FindingAt, MeasureAt, PlanAt
from tracker.text import counted, plural

SEVERITY = {"red": 0, "amber": 1, "green": 2}
KIND_ORDER = {"area_for_priority_action": 0, "area_for_improvement": 1, "self_identified": 2, "strength": 3}
KEY_MEASURES = 6  # the measures up front: off track first, then stale or without data, then the rest, by name
MEASURE_ORDER = {"off_track": 0, "stale": 1, "no_data": 2, "no_target": 3, "on_track": 4}
EXCEPTIONS_SHOWN = 12  # each exceptions list up front shows this many; the rest are under their findings
CLOSED = ("complete", "cancelled")
# each finding in the PDF and Word shows this many evidence items, current ones first; every item is in the
# workbook's Evidence sheet and the evidence pack's index
EVIDENCE_SHOWN = 10


@dataclass(frozen=True)
class Comparison:
    """Readiness on an earlier day: a snapshot taken then, or the plan as at a chosen date."""

    on: date
    source: str  # "snapshot" | "chosen date"
    readiness: dict[int, str]  # finding id -> colour then


@dataclass(frozen=True)
class SurveyVoice:
    """What one survey's families or professionals said, and what the partnership did about it."""

    title: str
    period: str
    bases: list[str]  # "39 replies from 29 SENCOs"
    headlines: list[
        str
    ]  # "Overall, how satisfied ... (SENCOs): Very satisfied, 32 of 39 SENCO replies (82%)"
    you_said_we_did: list[tuple[str, str, str]]  # (you said, we did, where it stands)


@dataclass(frozen=True)
class ReadinessRow:
    finding: FindingAt
    label: str  # "Red"
    why: str
    then: str  # "Amber", "Not recorded", or "" when there is nothing to compare with
    change: str  # "Better", "Worse", "No change", "New", or ""


@dataclass(frozen=True)
class KeyMeasure:
    measure: MeasureAt
    latest: str
    baseline: str
    target: str
    status: str
    chart: LineChart


@dataclass(frozen=True)
class Exceptions:
    overdue: list[ActionAt]
    stale: list[ActionAt]
    without_evidence: list[FindingAt]

    @property
    def none(self) -> bool:
        return not (self.overdue or self.stale or self.without_evidence)


@dataclass(frozen=True)
class DetailedSection:
    """One finding in the detail: which actions are in full, which a line each, which evidence is shown."""

    section: FindingSection
    full: list[ActionAt]
    brief: list[ActionAt]
    evidence: list[EvidenceAt]
    evidence_more: str

    @property
    def finding(self) -> FindingAt:
        return self.section.finding


@dataclass(frozen=True)
class Summary:
    plan: PlanAt
    detail: str  # "summary" | "everything"
    facts: list[tuple[str, str]]
    counts: list[tuple[str, int]]
    readiness: list[ReadinessRow]
    comparison: Comparison | None
    change: list[str]  # sentences
    key_measures: list[KeyMeasure]
    more_measures: int
    voices: list[SurveyVoice]
    exceptions: Exceptions
    sections: list[DetailedSection]
    measures: list[MeasureAt] = field(
        default_factory=list
    )  # every measure once, for the detail's charts and figures

    @property
    def everything(self) -> bool:
        return self.detail == "everything"

    @property
    def title(self) -> str:
        return gather.title_of(self.plan)


def most_serious_first(finding: FindingAt) -> tuple:
    return (
        SEVERITY[finding.readiness],
        KIND_ORDER.get(finding.kind_value, 9),
        -len(finding.readiness_reasons),
        finding.reference,
        finding.id,
    )


def build(
    plan: PlanAt,
    detail: str = "summary",
    comparison: Comparison | None = None,
    voices: list[SurveyVoice] | None = None,
    outcome: str = "",
) -> Summary:
    """The whole summary, from the plan as at its date and the few facts read beside it."""
    sections = sorted(gather.sections(plan), key=lambda s: most_serious_first(s.finding))
    measures = sorted({m.id: m for s in sections for m in s.measures}.values(), key=lambda m: m.name)
    key = sorted(measures, key=lambda m: (MEASURE_ORDER.get(m.status, 9), m.name))[:KEY_MEASURES]
    return Summary(
        plan=plan,
        detail=detail,
        facts=facts(plan, comparison, outcome, detail),
        counts=gather.readiness_counts(plan),
        readiness=[readiness_row(s.finding, comparison) for s in sections],
        comparison=comparison,
        change=change_sentences(plan, comparison),
        key_measures=[key_measure(m) for m in key],
        more_measures=len(measures) - len(key),
        voices=voices or [],
        exceptions=exceptions(plan, sections),
        sections=[detailed(s, detail) for s in sections],
        measures=measures,
    )


def facts(plan: PlanAt, comparison: Comparison | None, outcome: str, detail: str) -> list[tuple[str, str]]:
    lines = gather.cover_lines(plan)
    if outcome:
        lines.insert(2, ("Outcome", outcome))
    lines.insert(3 if outcome else 2, ("Compared with", compared_text(comparison)))
    lines.append(
        (
            "Detail",
            "Everything: every action, evidence item and measure in full"
            if detail == "everything"
            else "Summary: red and amber actions in full, the rest a line each; accepted evidence",
        )
    )
    return lines


def compared_text(comparison: Comparison | None) -> str:
    if comparison is None:
        return "Nothing: no readiness snapshot was taken before this date"
    if comparison.source == "snapshot":
        return f"The readiness snapshot of {format_date(comparison.on)}"
    return f"The plan as at {format_date(comparison.on)}"


def readiness_row(finding: FindingAt, comparison: Comparison | None) -> ReadinessRow:
    label = gather.READINESS_LABELS[finding.readiness]
    why = "; ".join(finding.readiness_reasons)
    if comparison is None:
        return ReadinessRow(finding, label, why, "", "")
    before = comparison.readiness.get(finding.id)
    if before is None:
        return ReadinessRow(finding, label, why, "Not recorded", "New")
    change = (
        "No change"
        if before == finding.readiness
        else "Better"
        if SEVERITY[finding.readiness] > SEVERITY[before]
        else "Worse"
    )
    return ReadinessRow(finding, label, why, gather.READINESS_LABELS[before], change)


def change_sentences(plan: PlanAt, comparison: Comparison | None) -> list[str]:
    """'Since the readiness snapshot of 3 November 2026: 2 findings better, 1 worse, 5 the same, 1 new.'"""
    if comparison is None:
        return [
            "There is nothing to compare with: no readiness snapshot was taken before this date. "
            "Choose a date to compare with when you export."
        ]
    rows = [readiness_row(f, comparison) for f in plan.findings]
    tally = {word: sum(r.change == word for r in rows) for word in ("Better", "Worse", "No change", "New")}
    then = [
        (gather.READINESS_LABELS[c], sum(1 for v in comparison.readiness.values() if v == c))
        for c in SEVERITY
    ]
    now = gather.readiness_counts(plan)
    return [
        f"Since {compared_text(comparison)[0].lower()}{compared_text(comparison)[1:]}: "
        f"{counted(tally['Better'], 'finding')} better, {tally['Worse']} worse, {tally['No change']} the same"
        + (f", {tally['New']} new" if tally["New"] else "")
        + ".",
        "Then: " + ", ".join(f"{n} {label.lower()}" for label, n in then) + ". "
        "Now: " + ", ".join(f"{n} {label.lower()}" for label, n in now) + ".",
    ]


def measure_chart(measure: MeasureAt) -> LineChart:
    return line_chart(
        measure.name,
        measure.unit,
        measure.readings,
        baseline=measure.baseline,
        target=measure.target,
        lower_is_better=measure.direction == "lower_is_better",
        chart_id=f"measure-{measure.id}",
    )


def key_measure(measure: MeasureAt) -> KeyMeasure:
    baseline = (
        f"{value_text(measure.baseline[1], measure.unit)} ({format_date(measure.baseline[0])})"
        if measure.baseline
        else "No baseline"
    )
    return KeyMeasure(
        measure,
        gather.latest_value_text(measure),
        baseline,
        gather.target_text(measure),
        gather.measure_status_text(measure),
        measure_chart(measure),
    )


def exceptions(plan: PlanAt, sections: list[FindingSection]) -> Exceptions:
    actions = list(plan.actions.values())
    overdue = sorted((a for a in actions if a.overdue), key=lambda a: (a.due_date, a.reference))
    stale = sorted(
        (a for a in actions if a.stale and not a.overdue and a.status_value not in CLOSED),
        key=lambda a: (a.latest_update_on or date.min, a.reference),
    )
    without = [s.finding for s in sections if not any(item.current for item in s.evidence)]
    return Exceptions(overdue, stale, without)


def in_full(action: ActionAt) -> bool:
    """Red and amber actions that are still open are read in full; the rest are a line each."""
    return action.rag in ("red", "amber") and action.status_value not in CLOSED


def detailed(section: FindingSection, detail: str) -> DetailedSection:
    if detail == "everything":
        full, brief, evidence = list(section.actions), [], section.evidence
    else:
        full = [a for a in section.actions if in_full(a)]
        brief = [a for a in section.actions if not in_full(a)]
        evidence = [item for item in section.evidence if item.status == "accepted"]
    shown = evidence[:EVIDENCE_SHOWN]
    more = ""
    if len(evidence) > len(shown):
        current = sum(1 for item in evidence if item.current)
        more = (
            f"Showing {len(shown)} of {len(evidence)} items ({current} current), current ones first. Every "
            "item is listed in the Excel workbook's Evidence sheet and in the evidence pack's index."
        )
    return DetailedSection(section, full, brief, shown, more)


def more_measures_text(summary: Summary) -> str:
    """'34 more measures are listed under their findings.' (and drawn after them, with everything)"""
    if not summary.more_measures:
        return ""
    count = summary.more_measures
    return f"{counted(count, 'more measure')} {plural(count, 'is', 'are')} listed under their findings" + (
        " and drawn after the findings." if summary.everything else "."
    )


def brief_line(action: ActionAt) -> str:
    """'Green. In progress, 60% complete. Due 31 March 2027. Owner: Sam Patel (Council).'"""
    rag = gather.RAG_LABELS[action.rag] if action.rag else "No RAG (cancelled)"
    return (
        f"{rag}. {action.status}, {action.percent_complete}% complete. Due {format_date(action.due_date)}. "
        f"Owner: {action.owner} ({action.partner})."
    )


def evidence_line(item: EvidenceAt) -> str:
    """'Document about 3 March 2026. Accepted, current.'"""
    state = gather.EVIDENCE_STATUS[item.status] + (", current" if item.current else ", not current")
    restricted = " Restricted." if item.sensitivity == "restricted" else ""
    return f"{gather.EVIDENCE_KINDS[item.kind]} about {format_date(item.about_date)}. {state}.{restricted}"


def evidence_text(item: EvidenceAt) -> str:
    """What the item says in words: its description, and a note's own text."""
    return "\n\n".join(part for part in (item.description.strip(), item.note.strip()) if part)
