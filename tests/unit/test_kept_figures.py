"""The dashboard today, read from the figures kept as the plan changes (tracker/readiness/kept_figures.py), is
exactly the dashboard worked out from the whole plan (plan_as_at), after any sequence of changes made through
the services, for every kind of reader and filter."""

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.dates import today
from tracker.evidence.models import EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import (
    EvidenceData,
    EvidenceError,
    create_evidence,
    review_evidence,
    update_evidence,
)
from tracker.extensions import db
from tracker.main.services import DashboardFilters, dashboard_from_plan, live_dashboard
from tracker.measures.models import MeasureReading
from tracker.measures.services import MeasureError, add_reading, correct_reading
from tracker.models import Role
from tracker.plan.models import Action, ActionStatus, FindingKind, Partner, Priority
from tracker.plan.rag import Rag
from tracker.plan.services import (
    ActionData,
    PlanError,
    add_progress_update,
    create_action,
    set_archived,
    set_rag_override,
    update_action,
)
from tracker.readiness.models import ActionFigures, FindingFigures, MeasureFigures


def _shape(board) -> dict:
    """Everything the dashboard shows, in comparable form."""
    return {
        "readiness": board.readiness,
        "themes": [
            (
                group.theme_id,
                group.name,
                group.counts,
                [(f.id, f.readiness, tuple(f.readiness_reasons)) for f in group.findings],
            )
            for group in board.themes
        ],
        "kinds": board.kinds,
        "statuses": board.statuses,
        "rags": board.rags,
        "actions": board.action_count,
        "overdue": (
            [(a.id, a.owner, a.due_date, a.latest_update_on) for a in board.overdue],
            board.overdue_count,
        ),
        "stale": ([(a.id, a.latest_update_on) for a in board.stale], board.stale_count),
        "evidence": board.evidence,
        "gaps": [f.id for f in board.gaps],
        "measures": ([(m.id, m.status_reason) for m in board.measures], board.measure_count),
    }


class Plan:
    """A small partnership changed at random through the services, as people change it."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.leader = factories.UserFactory(role=Role.LEADER)
        self.officers = [factories.UserFactory(role=Role.OFFICER) for _ in range(2)]
        self.viewer = factories.UserFactory(role=Role.VIEWER)
        self.themes = [factories.ThemeFactory() for _ in range(2)]
        inspection = factories.InspectionFactory()
        self.findings = [
            factories.FindingFactory(
                inspection=inspection,
                theme=self.random.choice(self.themes),
                kind=self.random.choice(list(FindingKind)),
                accountable_partner=self.random.choice(list(Partner)),
            )
            for _ in range(5)
        ]
        self.actions: list[Action] = []
        self.evidence = []
        self.measures = [
            factories.MeasureFactory(findings=[self.random.choice(self.findings)]) for _ in range(2)
        ]
        for _ in range(4):
            self.add_action()

    def day(self, low: int, high: int) -> date:
        return today() + timedelta(days=self.random.randint(low, high))

    def add_action(self) -> None:
        data = ActionData(
            reference=f"R{len(self.actions) + 1}",
            title=f"Action {len(self.actions) + 1}",
            description="What we will do.",
            intended_outcome="Parents find the local offer easy to use.",
            owner_id=self.random.choice(self.officers).id,
            partner=Partner.COUNCIL,
            priority=Priority.MEDIUM,
            start_date=self.day(-120, -10),
            due_date=self.day(-20, 60),
            status=self.random.choice(
                [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.ON_HOLD]
            ),
            percent_complete=self.random.randint(0, 90),
            finding_ids=[f.id for f in self.random.sample(self.findings, self.random.randint(1, 2))],
            measure_ids=[m.id for m in self.random.sample(self.measures, self.random.randint(0, 1))],
        )
        self.actions.append(create_action(self.leader, data))

    def live(self) -> list[Action]:
        return [action for action in self.actions if action.archived_at is None]

    def progress(self) -> None:
        action = self.random.choice(self.live())
        status = self.random.choice(list(ActionStatus))
        percent = 100 if status is ActionStatus.COMPLETE else self.random.randint(0, 99)
        add_progress_update(self.leader, action, self.day(-60, 0), "Moved on.", percent, status)

    def edit(self) -> None:
        action = self.random.choice(self.live())
        data = ActionData(
            reference=action.reference,
            title=action.title,
            description="What we will do.",
            intended_outcome="Parents find the local offer easy to use.",
            owner_id=self.random.choice(self.officers).id,
            partner=action.partner,
            priority=action.priority,
            start_date=action.start_date,
            due_date=self.day(-10, 40),
            status=action.status,
            percent_complete=action.percent_complete,
            finding_ids=[f.id for f in self.random.sample(self.findings, self.random.randint(1, 2))],
            measure_ids=[m.id for m in action.measures],
        )
        update_action(self.leader, action, data, action.version, due_date_reason="Replanned.")

    def override(self) -> None:
        rag = self.random.choice([Rag.RED, Rag.GREEN, None])
        set_rag_override(self.leader, self.random.choice(self.live()), rag, "Board's view." if rag else "")

    def archive(self) -> None:
        if len(self.live()) > 2:
            set_archived(self.leader, self.random.choice(self.live()), True)

    def add_evidence(self) -> None:
        uploader = self.random.choice([self.leader, *self.officers])
        on_action = self.random.random() < 0.5 and self.live()
        data = EvidenceData(
            kind=EvidenceKind.NOTE,
            title=f"Evidence {len(self.evidence) + 1}",
            description="",
            about_date=self.day(-90, -1),
            sensitivity=self.random.choice([Sensitivity.INTERNAL, Sensitivity.RESTRICTED]),
            review_by=self.random.choice([None, self.day(-30, 90)]),
            note="What happened.",
            finding_ids=[] if on_action else [self.random.choice(self.findings).id],
            action_ids=[self.random.choice(self.live()).id] if on_action else [],
        )
        if data.review_by and data.review_by < data.about_date:
            data.review_by = None
        self.evidence.append(create_evidence(uploader, data))

    def review(self) -> None:
        waiting = [item for item in self.evidence if item.status is EvidenceStatus.SUBMITTED]
        if waiting:
            accept = self.random.random() < 0.7
            review_evidence(
                self.leader, self.random.choice(waiting), accept, "" if accept else "Needs dates."
            )

    def relink(self) -> None:
        if not self.evidence:
            return
        item = self.random.choice(self.evidence)
        if item.archived_at is not None:
            return
        data = EvidenceData(
            kind=item.kind,
            title=item.title,
            description=item.description,
            about_date=item.about_date,
            sensitivity=item.sensitivity,
            review_by=item.review_by,
            note=item.note,
            finding_ids=[self.random.choice(self.findings).id],
            action_ids=[],
        )
        update_evidence(self.leader, item, data)

    def archive_evidence(self) -> None:
        live = [item for item in self.evidence if item.archived_at is None]
        if live:
            set_archived(self.leader, self.random.choice(live), True)

    def reading(self) -> None:
        measure = self.random.choice(self.measures)
        month_end = date(today().year, today().month, 1) - timedelta(days=1)
        period = month_end - timedelta(days=92 * self.random.randint(0, 3))
        existing = db.session.scalar(
            sa.select(MeasureReading).where(
                MeasureReading.measure_id == measure.id, MeasureReading.period_end == period
            )
        )
        if existing:
            correct_reading(self.leader, existing, self.random.randint(5, 30), "", "Typo in the return.")
        else:
            add_reading(self.leader, measure, period, self.random.randint(5, 30))

    def change(self) -> None:
        step = self.random.choice(
            [
                self.add_action,
                self.progress,
                self.progress,
                self.edit,
                self.override,
                self.archive,
                self.add_evidence,
                self.add_evidence,
                self.review,
                self.review,
                self.relink,
                self.archive_evidence,
                self.reading,
            ]
        )
        try:
            step()
        except (PlanError, EvidenceError, MeasureError):  # refused by a rule: nothing changed
            db.session.rollback()


def assert_kept_match_worked_out(plan: Plan) -> None:
    readers = [plan.leader, plan.viewer, *plan.officers]
    filters = [
        DashboardFilters(as_at=today()),
        DashboardFilters(as_at=today(), theme_id=plan.themes[0].id),
        DashboardFilters(as_at=today(), partner=Partner.ICB.value),
    ]
    for reader in readers:
        for chosen in filters:
            kept = _shape(live_dashboard(reader, chosen))
            worked_out = _shape(dashboard_from_plan(reader, chosen))
            assert kept == worked_out, (reader.role, chosen)


@pytest.mark.parametrize("seed", range(6))
def test_kept_figures_match_the_whole_plan_worked_out_after_random_changes(seed):
    plan = Plan(seed)
    assert_kept_match_worked_out(plan)
    for _ in range(12):
        plan.change()
        db.session.expire_all()
        assert_kept_match_worked_out(plan)


def test_a_change_marks_only_what_it_touches_and_a_view_works_out_only_that():
    plan = Plan(99)
    assert_kept_match_worked_out(plan)
    db.session.expire_all()
    rows = {row.finding_id: row.generation for row in db.session.scalars(sa.select(FindingFigures))}
    assert rows and all(row.worked_on == today() for row in db.session.scalars(sa.select(FindingFigures)))
    action = plan.live()[0]
    answered = {finding.id for finding in action.findings}
    add_progress_update(plan.leader, action, today(), "Moved on.", 50, ActionStatus.IN_PROGRESS)
    after = {row.finding_id: row for row in db.session.scalars(sa.select(FindingFigures))}
    assert {fid for fid, row in after.items() if row.generation != rows[fid]} == answered
    assert all(after[fid].worked_on is None for fid in answered)
    assert db.session.get(ActionFigures, action.id).worked_on is None
    assert_kept_match_worked_out(plan)
    db.session.expire_all()
    assert all(row.worked_on == today() for row in db.session.scalars(sa.select(FindingFigures)))


def test_figures_worked_out_on_an_earlier_day_are_worked_out_again():
    """Readiness depends on the day (overdue, stale, review-by dates): yesterday's rows are not today's."""
    plan = Plan(7)
    for _ in range(8):
        plan.change()
    assert_kept_match_worked_out(plan)
    yesterday = today() - timedelta(days=1)
    # rows kept yesterday with figures that were true then: every action on track, every finding green
    db.session.execute(
        sa.update(ActionFigures).values(worked_on=yesterday, rag="green", overdue=False, stale=False)
    )
    db.session.execute(
        sa.update(FindingFigures).values(worked_on=yesterday, colour_all="green", colour_public="green")
    )
    db.session.execute(sa.update(MeasureFigures).values(worked_on=yesterday, status="on_track"))
    db.session.commit()
    assert_kept_match_worked_out(plan)


def test_a_new_finding_is_counted_at_once():
    plan = Plan(3)
    assert_kept_match_worked_out(plan)
    factories.FindingFactory(theme=plan.themes[0], inspection=plan.findings[0].inspection)
    assert_kept_match_worked_out(plan)
