"""What the dashboard shows: the plan as at a day, counted, charted and listed, in a fixed number of
queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from tracker.charts import COLOURS, FONT, BarChart, Box, Tick, bar_chart, make_id, value_ticks
from tracker.dates import format_date, today
from tracker.evidence.models import (
    EvidenceItem,
    EvidenceStatus,
    Sensitivity,
    evidence_action,
    evidence_finding,
)
from tracker.evidence.services import accepted_evidence_by_finding, evidence_of_findings
from tracker.extensions import db
from tracker.kept import kept
from tracker.measures.models import Measure, measure_finding
from tracker.permissions import can_view_restricted, restricted_view_key, visible_evidence_clause
from tracker.plan.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    Inspection,
    InspectionType,
    Partner,
    Theme,
    action_finding,
    action_measure,
)
from tracker.plan.outcomes import Lifecycle, lifecycle
from tracker.plan.rag import Rag
from tracker.plan.services import list_inspections, list_themes, stale_after_days
from tracker.readiness.kept_figures import KeptReadiness, action_counts, finding_figures, measure_lines
from tracker.readiness.rules import COLOURS as READINESS
from tracker.readiness.services import TREND_DAYS, Scope, plan_as_at, readiness_trend, readiness_views_today
from tracker.security import with_nonce, without_nonce
from tracker.text import counted

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
    findings: list  # FindingAt or DashboardFinding


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
    """Red, amber and green findings on each snapshot day, stacked; drawn by
    templates/readiness/_trend.html."""

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
    as_at: date
    inspection: str | None  # the inspection filtered to, or None for all
    action_count: int
    measure_count: int
    readiness: dict[str, int]
    themes: list[ThemeReadiness]
    kinds: list[tuple[FindingKind, int]]
    statuses: list[tuple[ActionStatus, int]]
    rags: list[tuple[Rag | None, int]]
    overdue: list  # ActionAt or kept_figures.ActionLine: the first LIST_LIMIT
    overdue_count: int
    stale: list
    stale_count: int
    evidence: list[tuple[EvidenceStatus, int]]
    gaps: list  # FindingAt or DashboardFinding
    measures: list  # MeasureAt or kept_figures.MeasureLine: off track or stale
    status_chart: BarChart
    rag_chart: BarChart
    trend: TrendChart
    limit: int = LIST_LIMIT

    @property
    def awaiting_review(self) -> int:
        return dict(self.evidence)[EvidenceStatus.SUBMITTED]


@dataclass(frozen=True)
class DashboardFinding:
    """A finding as the dashboard shows it today, read from its kept readiness (readiness/kept_figures.py)."""

    id: int
    reference: str
    title: str
    theme_id: int | None
    theme: str
    kind_value: str
    readiness: str
    readiness_reasons: tuple[str, ...]
    current_evidence: int


def filter_choices() -> dict:
    return {"inspections": list_inspections(), "themes": list_themes(), "partners": list(Partner)}


@dataclass(frozen=True)
class InspectionCycle:
    """The inspection the dashboard's timeline is about, and the dates its outcome sets
    (tracker/plan/outcomes.py)."""

    inspection_id: int
    title: str
    outcome: str  # "Outcome 1: positive experiences and outcomes", or ""
    summary: str  # the report's summary in its own words
    full: bool  # a full inspection: the only kind whose outcome sets these dates
    cycle: Lifecycle


def inspection_cycle(inspections: list[Inspection], chosen_id: int | None) -> InspectionCycle | None:
    """The timeline of the inspection filtered to, or else of the latest full inspection (by its report's day,
    then
    its first day), read from the inspections the filters already loaded: no query of its own. None without
    one."""
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
    # each response has its own script nonce (tracker/security.py): the page is kept as the parts between its
    # nonces
    page = kept(
        "tracker_dashboard_pages",
        (today(), stale_after_days(), *key),
        lambda: without_nonce(render()),
        size=256,
    )
    return with_nonce(page)


def build_dashboard(user, filters: DashboardFilters) -> Dashboard:
    """Everything on the dashboard for this person: as at today from the kept figures (`live_dashboard`), as
    at an
    earlier day from `plan_as_at`. Restricted evidence counts only where they may see it."""
    if filters.as_at >= today():
        return live_dashboard(user, filters)
    return dashboard_from_plan(user, filters)


def dashboard_from_plan(user, filters: DashboardFilters) -> Dashboard:
    """The dashboard worked out from the whole plan as it stood at the end of `filters.as_at` (any day)."""
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
    overdue = sorted((a for a in actions if a.overdue), key=lambda a: a.due_date)
    stale = sorted((a for a in actions if a.stale), key=lambda a: a.latest_update_on or date.min)
    return _dashboard(
        filters,
        plan.inspection,
        findings=list(plan.findings),
        gaps=[f for f in plan.findings if not any(plan.evidence[i].current for i in f.evidence_ids)],
        statuses=Counter(action.status_value for action in actions),
        rags=Counter(action.rag for action in actions),
        overdue=(overdue[:LIST_LIMIT], len(overdue)),
        stale=(stale[:LIST_LIMIT], len(stale)),
        evidence=Counter(item.status for item in plan.evidence.values()),
        measures=[m for m in plan.measures.values() if m.status in ("off_track", "stale")],
        measure_count=len(plan.measures),
    )


def live_dashboard(user, filters: DashboardFilters) -> Dashboard:
    """The dashboard today in a fixed number of queries whatever the plan's size: each finding's readiness,
    each
    action's RAG and each measure's status read from the figures kept up to date as the plan changes
    (readiness/kept_figures.py), evidence counted in SQL. tests/unit/test_kept_figures.py holds it to
    `dashboard_from_plan` after random changes."""
    scope = Scope(filters.inspection_id, filters.theme_id, filters.partner)
    findings = _live_findings(user, scope)
    chosen = [finding.id for finding in findings]
    live_actions = sa.select(Action.id).where(Action.archived_at.is_(None))
    if scope.narrowed:
        live_actions = live_actions.where(
            Action.id.in_(
                sa.select(action_finding.c.action_id).where(action_finding.c.finding_id.in_(chosen))
            )
        )
    counts = action_counts(live_actions if scope.narrowed else None, LIST_LIMIT)
    measures = sa.select(Measure.id).where(Measure.archived_at.is_(None))
    if scope.narrowed:
        measures = measures.where(
            sa.or_(
                Measure.id.in_(
                    sa.select(measure_finding.c.measure_id).where(measure_finding.c.finding_id.in_(chosen))
                ),
                Measure.id.in_(
                    sa.select(action_measure.c.measure_id).where(action_measure.c.action_id.in_(live_actions))
                ),
            )
        )
    lines = measure_lines(measures)
    return _dashboard(
        filters,
        _inspection_title(filters.inspection_id),
        findings=findings,
        gaps=[finding for finding in findings if not finding.current_evidence],
        statuses=counts.by_status,
        rags=counts.by_rag,
        overdue=(counts.overdue, counts.overdue_count),
        stale=(counts.stale, counts.stale_count),
        evidence=_evidence_by_status(user, scope, chosen, live_actions),
        measures=[line for line in lines if line.status in ("off_track", "stale")],
        measure_count=len(lines),
    )


def _live_findings(user, scope: Scope) -> list[DashboardFinding]:
    """The live findings in scope, in the plan's order, with their kept readiness as this person sees it: the
    leaders' view, or the view without restricted evidence with this person's own restricted items added."""
    query = (
        sa.select(
            Finding.id,
            Finding.reference,
            Finding.title,
            Finding.kind,
            Finding.theme_id,
            Theme.name,
            Theme.position,
        )
        .outerjoin(Theme, Theme.id == Finding.theme_id)
        .where(Finding.archived_at.is_(None))
    )
    if scope.inspection_id:
        query = query.where(Finding.inspection_id == scope.inspection_id)
    if scope.theme_id:
        query = query.where(Finding.theme_id == scope.theme_id)
    if scope.partner:
        query = query.where(Finding.accountable_partner.in_([Partner(value) for value in scope.partners]))
    kinds = [kind.value for kind in FindingKind]
    rows = sorted(
        db.session.execute(query).all(),
        key=lambda row: (row.position or 0, row.name or "", kinds.index(row.kind.value), row.reference),
    )
    ids = [row.id for row in rows]
    sees_all = can_view_restricted(user)
    kept = finding_figures(ids, restricted=sees_all)
    if not sees_all and ids:
        own = _own_restricted(user, ids)
        if own:
            views = readiness_views_today(
                own, {"own": lambda found, day: accepted_evidence_by_finding(user, found, day)}
            )
            for finding_id, (readiness, current) in views["own"].items():
                kept[finding_id] = KeptReadiness(readiness, current)
    return [
        DashboardFinding(
            row.id,
            row.reference,
            row.title,
            row.theme_id,
            row.name or "",
            row.kind.value,
            kept[row.id].readiness.colour,
            kept[row.id].readiness.reasons,
            kept[row.id].current_evidence,
        )
        for row in rows
        if row.id in kept
    ]


def _own_restricted(user, finding_ids: list[int]) -> list[int]:
    """The findings that restricted evidence this person uploaded supports (directly or through an action):
    their readiness, as this person sees it, is worked out for them alone."""
    links = (
        evidence_of_findings(user, finding_ids)
        .where(EvidenceItem.sensitivity == Sensitivity.RESTRICTED, EvidenceItem.uploaded_by_id == user.id)
        .subquery()
    )
    return list(db.session.scalars(sa.select(sa.distinct(links.c.finding_id))))


def _evidence_by_status(user, scope: Scope, chosen: list[int], live_actions: sa.Select) -> Counter:
    """The live evidence this person may see, by status: all of it, or what supports a chosen finding or an
    action answering one."""
    query = sa.select(sa.type_coerce(EvidenceItem.status, sa.String), sa.func.count()).where(
        EvidenceItem.archived_at.is_(None), visible_evidence_clause(user, EvidenceItem)
    )
    if scope.narrowed:
        query = query.where(
            sa.or_(
                EvidenceItem.id.in_(
                    sa.select(evidence_finding.c.evidence_id).where(evidence_finding.c.finding_id.in_(chosen))
                ),
                EvidenceItem.id.in_(
                    sa.select(evidence_action.c.evidence_id).where(
                        evidence_action.c.action_id.in_(live_actions)
                    )
                ),
            )
        )
    return Counter(dict(db.session.execute(query.group_by(EvidenceItem.status)).tuples().all()))


def _inspection_title(inspection_id: int | None) -> str | None:
    if not inspection_id:
        return None
    return db.session.scalar(sa.select(Inspection.title).where(Inspection.id == inspection_id))


def _dashboard(
    filters: DashboardFilters,
    inspection: str | None,
    *,
    findings: list,
    gaps: list,
    statuses: Counter,
    rags: Counter,
    overdue: tuple[list, int],
    stale: tuple[list, int],
    evidence: Counter,
    measures: list,
    measure_count: int,
) -> Dashboard:
    """The dashboard's shape, the same whichever way its figures were worked out."""
    status_rows = [(status, statuses[status.value]) for status in ActionStatus]
    rag_rows: list[tuple[Rag | None, int]] = [(rag, rags[rag.value]) for rag in Rag] + [(None, rags[None])]
    return Dashboard(
        as_at=filters.as_at,
        inspection=inspection,
        action_count=sum(statuses.values()),
        measure_count=measure_count,
        readiness={colour: sum(1 for f in findings if f.readiness == colour) for colour in READINESS},
        themes=_by_theme(findings),
        kinds=[(kind, sum(1 for f in findings if f.kind_value == kind.value)) for kind in FindingKind],
        statuses=status_rows,
        rags=rag_rows,
        overdue=overdue[0],
        overdue_count=overdue[1],
        stale=stale[0],
        stale_count=stale[1],
        evidence=[(status, evidence[status.value]) for status in EvidenceStatus],
        gaps=gaps,
        measures=measures,
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


def _by_theme(findings: list) -> list[ThemeReadiness]:
    """Findings arrive in theme order; each theme keeps its findings and its red, amber and green counts."""
    groups: list[ThemeReadiness] = []
    for finding in findings:
        if not groups or groups[-1].theme_id != finding.theme_id:
            groups.append(ThemeReadiness(finding.theme_id, finding.theme, dict.fromkeys(READINESS, 0), []))
        groups[-1].counts[finding.readiness] += 1
        groups[-1].findings.append(finding)
    return groups


def trend_chart(days: list[tuple[date, dict[str, int]]], as_at: date, span: int = TREND_DAYS) -> TrendChart:
    """Stacked columns, one per snapshot day across the `span` days up to `as_at`: red at the bottom, then
    amber, then green."""
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
            f"{counted(len(days), 'snapshot day')} from {format_date(days[0][0])} to "
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
