"""What the dashboard shows: the plan as at a day, counted, charted and listed, in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.charts import COLOURS, FONT, BarChart, Box, Tick, bar_chart, make_id, value_ticks
from tracker.dates import format_date, today
from tracker.evidence.models import EvidenceStatus
from tracker.kept import kept
from tracker.permissions import restricted_view_key
from tracker.plan.models import ActionStatus, FindingKind, Inspection, InspectionType, Partner
from tracker.plan.outcomes import Lifecycle, lifecycle
from tracker.plan.rag import Rag
from tracker.plan.services import list_inspections, list_themes, stale_after_days
from tracker.readiness.rules import COLOURS as READINESS
from tracker.readiness.services import TREND_DAYS, Scope, plan_as_at, readiness_trend
from tracker.readiness.state import ActionAt, FindingAt, MeasureAt, PlanAt
from tracker.security import with_nonce, without_nonce

# Each list on the dashboard shows this many rows, the most pressing first, and links to the whole list.
LIST_LIMIT = 10

# GOV.UK Frontend red, orange and green: the bars; the table after the chart carries every figure in words
READINESS_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c"}


@dataclass(frozen=True)
class DashboardFilters:
    as_at: date
    inspection_id: int | None = None
    theme_id: int | None = None
    partner: str | None = None
    live: bool = True  # as at today: the lists the numbers link to show the same plan


@dataclass
class ThemeReadiness:
    theme_id: int | None
    name: str
    counts: dict[str, int]
    findings: list[FindingAt]


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str


@dataclass
class TrendChart:
    """Red, amber and green findings on each snapshot day, stacked; drawn by templates/readiness/_trend.html."""

    id: str
    title: str
    description: str
    width: int
    height: int
    plot: Box
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    segments: list[Segment]
    rows: list[tuple[str, int, int, int]]  # day, red, amber, green
    legend: list[tuple[float, str, str]]  # x, label, colour
    colours: dict = field(default_factory=lambda: dict(COLOURS))
    font: str = FONT

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass
class Dashboard:
    plan: PlanAt
    readiness: dict[str, int]
    themes: list[ThemeReadiness]
    kinds: list[tuple[FindingKind, int]]
    statuses: list[tuple[ActionStatus, int]]
    rags: list[tuple[Rag | None, int]]
    overdue: list[ActionAt]
    stale: list[ActionAt]
    evidence: list[tuple[EvidenceStatus, int]]
    gaps: list[FindingAt]
    measures: list[MeasureAt]
    status_chart: BarChart
    rag_chart: BarChart
    trend: TrendChart
    limit: int = LIST_LIMIT

    @property
    def awaiting_review(self) -> int:
        return dict(self.evidence)[EvidenceStatus.SUBMITTED]


def filter_choices() -> dict:
    return {"inspections": list_inspections(), "themes": list_themes(), "partners": list(Partner)}


@dataclass(frozen=True)
class InspectionCycle:
    """The inspection the dashboard's timeline is about, and the dates its outcome sets (tracker/plan/outcomes.py)."""

    inspection_id: int
    title: str
    outcome: str  # "Outcome 1: positive experiences and outcomes", or ""
    summary: str  # the report's summary in its own words
    full: bool  # a full inspection: the only kind whose outcome sets these dates
    cycle: Lifecycle


def inspection_cycle(inspections: list[Inspection], chosen_id: int | None) -> InspectionCycle | None:
    """The timeline of the inspection filtered to, or else of the latest full inspection (by its report's day, then
    its first day), read from the inspections the filters already loaded: no query of its own. None without one."""
    if chosen_id:
        current = next((row for row in inspections if row.id == chosen_id), None)
    else:
        full = [row for row in inspections if row.type is InspectionType.FULL]
        current = max(
            full, key=lambda row: (row.published_on or row.start_date or date.min, row.id), default=None
        )
    if current is None:
        return None
    is_full = current.type is InspectionType.FULL
    return InspectionCycle(
        current.id,
        current.title,
        current.outcome_label,
        current.report_summary,
        is_full,
        lifecycle(current.outcome if is_full else None, current.published_on, current.plan_due_on),
    )


def dashboard(user, filters: DashboardFilters) -> Dashboard:
    """The dashboard for this person and these filters, worked out once per version of the data.

    Every change of data writes an audit event (tracker/audit.py), so the newest event's number
    says whether anything has changed since the figures were worked out. The figures also depend
    on the day, the stale rule and which restricted evidence this person may see: all are in the key.
    With TRACKER_CACHE_DASHBOARD off (the test suite, whose factories write no audit events) every
    request works the figures out afresh.
    """
    return kept(
        "tracker_dashboards",
        (filters, restricted_view_key(user), today(), stale_after_days()),
        lambda: build_dashboard(user, filters),
    )


def kept_page(key: tuple, render) -> str:
    """The dashboard page this person last saw with this key, or `render()` kept for next time.

    The key holds the data's version, the day, the person, their session's CSRF secret (the page
    carries forms) and the address with its filters, so a kept page is exactly what would be
    rendered again. Off with TRACKER_CACHE_DASHBOARD, like the figures.
    """
    # each response has its own script nonce (tracker/security.py): the page is kept as the parts between its nonces
    page = kept(
        "tracker_dashboard_pages",
        (today(), stale_after_days(), *key),
        lambda: without_nonce(render()),
        size=256,
    )
    return with_nonce(page)


def build_dashboard(user, filters: DashboardFilters) -> Dashboard:
    """Everything on the dashboard for this person, as at `filters.as_at`: restricted evidence counts only where they may see it."""
    plan = plan_as_at(
        filters.as_at,
        user,
        include_restricted=True,
        inspection_id=filters.inspection_id,
        theme_id=filters.theme_id,
        partner=filters.partner,
        with_files=False,
    )
    actions = list(plan.actions.values())
    statuses = Counter(action.status_value for action in actions)
    rags = Counter(action.rag for action in actions)
    evidence = Counter(item.status for item in plan.evidence.values())
    status_rows = [(status, statuses[status.value]) for status in ActionStatus]
    rag_rows = [(rag, rags[rag.value]) for rag in Rag] + [(None, rags[None])]
    return Dashboard(
        plan=plan,
        readiness={colour: sum(1 for f in plan.findings if f.readiness == colour) for colour in READINESS},
        themes=_by_theme(plan.findings),
        kinds=[(kind, sum(1 for f in plan.findings if f.kind_value == kind.value)) for kind in FindingKind],
        statuses=status_rows,
        rags=rag_rows,
        overdue=sorted((a for a in actions if a.overdue), key=lambda a: a.due_date),
        stale=sorted((a for a in actions if a.stale), key=lambda a: a.latest_update_on or date.min),
        evidence=[(status, evidence[status.value]) for status in EvidenceStatus],
        gaps=[f for f in plan.findings if not any(plan.evidence[i].current for i in f.evidence_ids)],
        measures=[m for m in plan.measures.values() if m.status in ("off_track", "stale")],
        status_chart=bar_chart(
            "Actions by status",
            [(s.label, n, None) for s, n in status_rows],
            scale="count",
            description="How many actions have each status.",
        ),
        rag_chart=bar_chart(
            "Actions by RAG status",
            [(r.label if r else "Not rated (cancelled)", n, None) for r, n in rag_rows],
            scale="count",
            description="How many actions are red, amber and green.",
        ),
        trend=trend_chart(
            readiness_trend(filters.as_at, Scope(filters.inspection_id, filters.theme_id, filters.partner)),
            filters.as_at,
        ),
    )


def _by_theme(findings: tuple[FindingAt, ...]) -> list[ThemeReadiness]:
    """Findings arrive in theme order; each theme keeps its findings and its red, amber and green counts."""
    groups: list[ThemeReadiness] = []
    for finding in findings:
        if not groups or groups[-1].theme_id != finding.theme_id:
            groups.append(ThemeReadiness(finding.theme_id, finding.theme, dict.fromkeys(READINESS, 0), []))
        groups[-1].counts[finding.readiness] += 1
        groups[-1].findings.append(finding)
    return groups


def trend_chart(days: list[tuple[date, dict[str, int]]], as_at: date, span: int = TREND_DAYS) -> TrendChart:
    """Stacked columns, one per snapshot day across the `span` days up to `as_at`: red at the bottom, then amber, then green."""
    width, height = 640, 250
    plot = Box(48, 16, 624, 196)
    first = as_at - timedelta(days=span - 1)
    step = plot.width / span
    _, top, ticks_at = value_ticks(0, max((sum(counts.values()) for _, counts in days), default=1) or 1)

    def y(value: float) -> float:
        return round(plot.bottom - plot.height * value / top, 1)

    segments = []
    for day, counts in days:
        x, below = round(plot.left + (day - first).days * step + step * 0.1, 1), 0
        for colour in READINESS:
            if counts[colour]:
                segments.append(
                    Segment(
                        x,
                        y(below + counts[colour]),
                        round(max(step * 0.8, 1.5), 1),
                        round(y(below) - y(below + counts[colour]), 1),
                        READINESS_COLOURS[colour],
                        f"{format_date(day)}: {counts[colour]} {colour}",
                    )
                )
                below += counts[colour]
    rows = [(format_date(day), counts["red"], counts["amber"], counts["green"]) for day, counts in days]
    if days:
        latest_day, latest = days[-1]
        words = (
            f"{len(days)} snapshot day{'s' if len(days) != 1 else ''} from {format_date(days[0][0])} to "
            f"{format_date(latest_day)}; on the latest, {latest['red']} red, {latest['amber']} amber and "
            f"{latest['green']} green findings."
        )
    else:
        words = "No snapshots have been taken in these days."
    legend = [
        (plot.left + i * 110, label.capitalize(), READINESS_COLOURS[label])
        for i, label in enumerate(READINESS)
    ]
    return TrendChart(
        id=make_id("readiness-trend"),
        title=f"Readiness of findings over the {span} days to {format_date(as_at)}",
        description=words,
        width=width,
        height=height,
        plot=plot,
        y_ticks=[Tick(y(value), f"{value:g}") for value in ticks_at],
        x_ticks=[Tick(plot.left, format_date(first)), Tick(plot.right, format_date(as_at))],
        segments=segments,
        rows=rows,
        legend=legend,
    )
