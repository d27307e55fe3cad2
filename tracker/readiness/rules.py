"""A finding's readiness, red, amber or green, with the reasons in plain words (docs/readiness.md).

Pure functions over the as-at shapes in `state.py`: no database, no request. `finding_readiness`
reads a finding's evidence items (plan_as_at, any day); `readiness_of` takes them already counted
(`EvidenceCount`), as services.readiness_today counts them in SQL for the plan's pages. A change
to a rule here is a change to docs/readiness.md and to tests/unit/test_readiness_rules.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.readiness.state import ActionAt, EvidenceAt, MeasureAt
from tracker.text import counted

RED, AMBER, GREEN = "red", "amber", "green"
COLOURS = (RED, AMBER, GREEN)
# kinds of finding the partnership must act on: with no action at all they are red
MUST_ACT = ("area_for_improvement", "area_for_priority_action")


@dataclass(frozen=True)
class Readiness:
    colour: str  # "red" | "amber" | "green"
    reasons: tuple[str, ...]  # most serious first, then what is only noted

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons)


def _action_reasons(kind: str, actions: Sequence, stale_after_days: int) -> tuple[list[str], list[str], int]:
    """(red reasons, amber reasons, actions on track). Each action counts once, under its most serious
    concern.

    An action is anything with ActionAt's `status_value`, `overdue`, `rag` and `stale`: an ActionAt, or a row
    of the same four columns worked out in SQL (services.readiness_today).
    """
    live = [action for action in actions if action.status_value != "cancelled"]
    red: list[str] = []
    amber: list[str] = []
    if not live:
        if kind in MUST_ACT:
            red.append("no actions to address it")
        elif kind == "self_identified":
            amber.append("no actions yet")
        return red, amber, 0
    overdue = [a for a in live if a.overdue]
    rated_red = [a for a in live if not a.overdue and a.rag == RED]
    stale = [a for a in live if not a.overdue and a.rag != RED and a.stale]
    rated_amber = [a for a in live if not a.overdue and a.rag == AMBER and not a.stale]
    if overdue:
        red.append(f"{counted(len(overdue), 'action')} overdue")
    if rated_red:
        red.append(f"{counted(len(rated_red), 'action')} rated red")
    if stale:
        amber.append(f"{counted(len(stale), 'action')} with no update for {stale_after_days} days or more")
    if rated_amber:
        amber.append(f"{counted(len(rated_amber), 'action')} rated amber")
    on_track = len(live) - len(overdue) - len(rated_red) - len(stale) - len(rated_amber)
    return red, amber, on_track


@dataclass(frozen=True)
class EvidenceCount:
    """What readiness needs of a finding's evidence (its own and its actions')."""

    current: int = 0  # accepted items whose review-by date has not passed
    lapsed_on: date | None = None  # the latest review-by date of accepted evidence that has passed


def count_evidence(evidence: Sequence[EvidenceAt], as_at: date) -> EvidenceCount:
    lapsed = [
        item.review_by
        for item in evidence
        if item.status == "accepted" and item.review_by is not None and item.review_by < as_at
    ]
    return EvidenceCount(sum(1 for item in evidence if item.current), max(lapsed, default=None))


def _evidence_reason(evidence: EvidenceCount) -> str | None:
    """The reason there is no current accepted evidence, or None."""
    if evidence.current:
        return None
    if evidence.lapsed_on:
        return f"no accepted evidence since {evidence.lapsed_on:%B %Y}"
    return "no accepted evidence"


def _measure_reasons(measures: Sequence[MeasureAt]) -> tuple[list[str], list[str]]:
    """(amber reasons: measures off track; notes: measures stale or with no data)."""
    amber = [f"{measure.name} off track" for measure in measures if measure.status == "off_track"]
    notes = [
        f"{measure.name} stale" if measure.status == "stale" else f"{measure.name}: no data yet"
        for measure in measures
        if measure.status in ("stale", "no_data")
    ]
    return amber, notes


def finding_readiness(
    kind: str,
    actions: Sequence[ActionAt],
    evidence: Sequence[EvidenceAt],
    measures: Sequence[MeasureAt],
    as_at: date,
    stale_after_days: int = 30,
) -> Readiness:
    """Red if any red rule applies, else amber if any amber rule applies, else green; `kind` is the
    FindingKind value."""
    return readiness_of(kind, actions, count_evidence(evidence, as_at), measures, stale_after_days)


def readiness_of(
    kind: str,
    actions: Sequence,
    evidence: EvidenceCount,
    measures: Sequence[MeasureAt],
    stale_after_days: int = 30,
) -> Readiness:
    """finding_readiness with the evidence already counted; `actions` as _action_reasons takes them."""
    red, amber, on_track = _action_reasons(kind, actions, stale_after_days)
    no_evidence = _evidence_reason(evidence)
    if no_evidence:
        amber.append(no_evidence)
    off_track, notes = _measure_reasons(measures)
    amber += off_track
    if red:
        return Readiness(RED, tuple(red + amber + notes))
    if amber:
        return Readiness(AMBER, tuple(amber + notes))
    good = []
    if on_track:
        good.append(f"{counted(on_track, 'action')} on track")
    good.append(f"{counted(evidence.current, 'item')} of current accepted evidence")
    return Readiness(GREEN, tuple(good + notes))
