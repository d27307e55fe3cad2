"""The partnership's plan as it stood on a date: what readiness, the dashboard and every export read.

`plan_as_at(as_at, user, ...)` is the one data-gathering function. It rebuilds, as they stood at the
end of `as_at`: each action's status, percent complete, due date (with revisions made by then), RAG
and latest update (from the audit history and progress updates); the evidence accepted by then and
still current then; the measure readings entered by then, and each measure's status then. What a
person may not see (restricted evidence) is left out unless `include_restricted` is asked for by
someone allowed to (a leader).
"""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ActionAt:
    id: int
    reference: str
    title: str
    owner: str
    partner: str  # label, e.g. "Council and ICB"
    status: str  # label, e.g. "In progress"
    status_value: str  # enum value, e.g. "in_progress"
    percent_complete: int
    due_date: date  # the due date in force at as_at
    original_due_date: date
    revisions: tuple[tuple[date, date, str], ...]  # (from, to, reason), made by as_at
    rag: str | None  # "red" | "amber" | "green" | None (cancelled)
    rag_summary: str  # e.g. "Red: overdue: due 3 March 2026, 40% complete, no update for 41 days"
    overdue: bool
    stale: bool
    latest_update_on: date | None
    latest_update: str  # body of the latest progress update written by as_at, "" if none
    owner_id: int | None = None  # whom `owner` names, for filters that match a name or email address
    # what the action will do, as at the day, for the API's text filter alone (the API does not serve it):
    # today's page of actions, read in SQL (actions_today), neither loads nor needs it, so two ActionAt of one
    # action are equal without it
    description: str = field(default="", compare=False)


@dataclass(frozen=True)
class EvidenceAt:
    id: int
    title: str
    kind: str  # "document" | "link" | "note"
    about_date: date
    status: str  # status as at as_at: "submitted" | "accepted" | "returned"
    current: bool  # accepted by as_at and review-by not passed at as_at
    sensitivity: str  # "public" | "internal" | "restricted"
    url: str | None
    files: tuple[
        tuple[int, str, str, int, str], ...
    ]  # (file id, filename, sha256, size, storage_key) uploaded by as_at
    finding_ids: tuple[int, ...]
    action_ids: tuple[int, ...]
    review_by: date | None = None  # as it stood at as_at; evidence stops being current after it
    description: str = ""  # what the item is and shows, as its author wrote it then
    note: str = ""  # a note's own text (kind "note"), as it stood then


@dataclass(frozen=True)
class MeasureAt:
    id: int
    name: str
    unit: str
    direction: str  # "lower_is_better" | "higher_is_better"
    readings: tuple[
        tuple[date, float], ...
    ]  # entered by as_at, as they stood then (corrections after as_at undone)
    baseline: tuple[date, float] | None
    target: tuple[date | None, float] | None  # (its day, when the measure has one; its value)
    latest: float | None
    status: str  # "on_track" | "off_track" | "no_data" | "stale" | "no_target"
    status_reason: str


@dataclass(frozen=True)
class FindingAt:
    id: int
    reference: str
    title: str
    wording: str
    kind: str  # label
    theme: str
    partner: str
    readiness: str  # "red" | "amber" | "green"
    readiness_reasons: tuple[str, ...]  # plain words, most serious first
    action_ids: tuple[int, ...]
    evidence_ids: tuple[int, ...]
    measure_ids: tuple[int, ...]
    kind_value: str = ""  # enum value, e.g. "area_for_improvement"
    theme_id: int | None = None
    inspection_id: int | None = None


@dataclass(frozen=True)
class PlanAt:
    as_at: date
    produced_at: datetime
    produced_by: str
    partnership: str  # local area, e.g. "Coventry"
    inspection: str | None  # title of the inspection filtered to, or None for all
    include_restricted: bool
    findings: tuple[FindingAt, ...]
    actions: dict[int, ActionAt] = field(default_factory=dict)
    evidence: dict[int, EvidenceAt] = field(default_factory=dict)
    measures: dict[int, MeasureAt] = field(default_factory=dict)
