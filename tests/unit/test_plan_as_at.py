"""plan_as_at rebuilds the plan as it stood at the end of a past day, and today's plan is the live one."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bench.queries import queries_asked
from tests import factories
from tracker.dates import LONDON, today
from tracker.evidence.models import EvidenceItem, Sensitivity
from tracker.evidence.services import current_clause, review_evidence
from tracker.extensions import db
from tracker.measures.models import Direction, Frequency
from tracker.measures.services import correct_reading
from tracker.measures.status import status_of
from tracker.models import Role
from tracker.plan.models import ActionStatus, FindingKind
from tracker.plan.queries import ActionFilters, list_actions
from tracker.plan.rag import Rag
from tracker.plan.services import (
    ActionData,
    add_progress_update,
    set_archived,
    set_rag_override,
    update_action,
)
from tracker.readiness.services import plan_as_at

TODAY = today()
D = TODAY - timedelta(days=10)  # the past day asked about; every change below is made after it
BEFORE = datetime.combine(D - timedelta(days=40), datetime.min.time(), tzinfo=timezone.utc).replace(hour=12)


@pytest.fixture
def leader():
    return factories.UserFactory(role=Role.LEADER, name="Lena Leader")


@pytest.fixture
def plan(leader):
    """A finding with two actions, two submitted evidence items and a measure with one reading,
    all made before D."""
    finding = factories.FindingFactory(created_at=BEFORE)
    owner = factories.UserFactory(role=Role.OFFICER, name="Olu Owner")
    first = factories.ActionFactory(
        findings=[finding],
        owner=owner,
        created_at=BEFORE,
        start_date=BEFORE.date(),
        due_date=TODAY + timedelta(days=200),
        percent_complete=10,
        intended_outcome="Better.",
    )
    second = factories.ActionFactory(
        findings=[finding], owner=owner, created_at=BEFORE, due_date=TODAY + timedelta(days=300)
    )
    accepted = factories.EvidenceFactory(findings=[finding], created_at=BEFORE, uploaded_by=owner)
    returned = factories.EvidenceFactory(findings=[finding], created_at=BEFORE, uploaded_by=owner)
    measure = factories.MeasureFactory(
        findings=[finding],
        created_at=BEFORE,
        owner=owner,
        baseline_value=40,
        baseline_date=D - timedelta(days=100),
        target_value=18,
        target_date=TODAY + timedelta(days=300),
        direction=Direction.LOWER_IS_BETTER,
        frequency=Frequency.QUARTERLY,
    )
    reading = factories.ReadingFactory(
        measure=measure, period_end=D - timedelta(days=20), value=20, entered_at=BEFORE + timedelta(days=1)
    )
    return dict(
        finding=finding,
        first=first,
        second=second,
        accepted=accepted,
        returned=returned,
        measure=measure,
        reading=reading,
        owner=owner,
    )


def _action_data(action, **changes) -> ActionData:
    values = dict(
        reference=action.reference,
        title=action.title,
        description=action.description,
        intended_outcome=action.intended_outcome or "Better.",
        owner_id=action.owner_id,
        partner=action.partner,
        priority=action.priority,
        start_date=action.start_date,
        due_date=action.current_due_date,
        status=action.status,
        percent_complete=action.percent_complete,
        finding_ids=[f.id for f in action.findings],
    )
    return ActionData(**(values | changes))


def _change_everything_after_d(plan, leader):
    first, second = plan["first"], plan["second"]
    add_progress_update(leader, first, TODAY, "Clinic opened.", 60, ActionStatus.IN_PROGRESS)
    update_action(
        leader,
        first,
        _action_data(
            first, due_date=TODAY + timedelta(days=260), description="Two clinics, one waiting list."
        ),
        None,
        due_date_reason="The provider asked for more time.",
    )
    set_rag_override(leader, first, Rag.AMBER, "Recruitment is at risk.")
    set_archived(leader, second, True)
    review_evidence(leader, plan["accepted"], accept=True, comment="")
    review_evidence(leader, plan["returned"], accept=False, comment="Add the date.")
    correct_reading(plan["owner"], plan["reading"], 25, "", "The first figure left out one clinic.")


def test_a_past_day_shows_the_plan_as_it_stood_then_and_today_shows_the_changes(plan, leader):
    described = plan["first"].description or ""
    _change_everything_after_d(plan, leader)
    first, second = plan["first"].id, plan["second"].id

    then = plan_as_at(D, leader)
    action = then.actions[first]
    assert (action.status_value, action.percent_complete) == ("in_progress", 10)
    assert action.due_date == TODAY + timedelta(days=200) and action.revisions == ()
    assert action.latest_update == "" and action.latest_update_on is None
    assert action.description == described != "Two clinics, one waiting list."
    assert not action.rag_summary.startswith("Amber. Set by a leader")
    assert second in then.actions
    assert (
        then.evidence[plan["accepted"].id].status == "submitted"
        and not then.evidence[plan["accepted"].id].current
    )
    assert then.evidence[plan["returned"].id].status == "submitted"
    assert then.measures[plan["measure"].id].readings == ((D - timedelta(days=20), 20),)
    assert then.findings[0].action_ids == (first, second)

    now = plan_as_at(TODAY, leader)
    action = now.actions[first]
    assert (action.status_value, action.percent_complete) == ("in_progress", 60)
    assert action.due_date == TODAY + timedelta(days=260) and action.original_due_date == TODAY + timedelta(
        days=200
    )
    assert action.revisions == (
        (TODAY + timedelta(days=200), TODAY + timedelta(days=260), "The provider asked for more time."),
    )
    assert action.latest_update == "Clinic opened." and action.latest_update_on == TODAY
    assert action.description == "Two clinics, one waiting list."
    assert action.rag == "amber" and "Set by a leader: Recruitment is at risk." in action.rag_summary
    assert second not in now.actions
    assert (
        now.evidence[plan["accepted"].id].status == "accepted" and now.evidence[plan["accepted"].id].current
    )
    assert now.evidence[plan["returned"].id].status == "returned"
    assert now.measures[plan["measure"].id].readings == ((D - timedelta(days=20), 25),)
    assert now.findings[0].action_ids == (first,)


def test_a_leaders_override_counts_only_from_when_it_was_set(plan, leader):
    set_rag_override(leader, plan["first"], Rag.RED, "The provider has pulled out.")
    assert "Set by a leader" not in plan_as_at(D, leader).actions[plan["first"].id].rag_summary
    assert plan_as_at(TODAY, leader).actions[plan["first"].id].rag == "red"


def test_overdue_and_stale_are_judged_on_the_day_asked_about(plan, leader):
    late = factories.ActionFactory(
        findings=[plan["finding"]], created_at=BEFORE, due_date=D + timedelta(days=3)
    )
    assert not plan_as_at(D, leader).actions[late.id].overdue
    assert plan_as_at(TODAY, leader).actions[late.id].overdue
    assert plan_as_at(D, leader).actions[late.id].stale  # no update since it was made, 40 days before D


def test_what_did_not_exist_yet_is_left_out(plan, leader):
    newer = factories.ActionFactory(findings=[plan["finding"]])
    item = factories.EvidenceFactory(findings=[plan["finding"]])
    finding = factories.FindingFactory()
    then = plan_as_at(D, leader)
    assert newer.id not in then.actions and item.id not in then.evidence
    assert finding.id not in {f.id for f in then.findings}
    now = plan_as_at(TODAY, leader)
    assert newer.id in now.actions and item.id in now.evidence and finding.id in {f.id for f in now.findings}


def test_an_archived_finding_is_there_before_it_was_archived(plan, leader):
    set_archived(leader, plan["finding"], True)
    assert [f.id for f in plan_as_at(D, leader).findings] == [plan["finding"].id]
    assert plan_as_at(TODAY, leader).findings == ()


def test_evidence_accepted_after_the_day_makes_the_finding_ready_only_from_then(plan, leader):
    review_evidence(leader, plan["accepted"], accept=True, comment="")
    assert "no accepted evidence" in plan_as_at(D, leader).findings[0].readiness_reasons
    assert "no accepted evidence" not in plan_as_at(TODAY, leader).findings[0].readiness_reasons


def test_restricted_evidence_is_left_out_unless_a_leader_includes_it(plan, leader):
    uploader = plan["owner"]
    secret = factories.EvidenceFactory(
        findings=[plan["finding"]],
        sensitivity=Sensitivity.RESTRICTED,
        uploaded_by=uploader,
        title="Child A case notes",
    )
    viewer = factories.UserFactory(role=Role.VIEWER)
    assert secret.id not in plan_as_at(TODAY, leader).evidence
    assert secret.id in plan_as_at(TODAY, leader, include_restricted=True).evidence
    assert secret.id not in plan_as_at(TODAY, viewer, include_restricted=True).evidence
    assert secret.id not in plan_as_at(TODAY, uploader).evidence
    assert (
        secret.id
        not in plan_as_at(TODAY, factories.UserFactory(role=Role.OFFICER), include_restricted=True).evidence
    )


def test_today_is_the_live_plan(plan, leader):
    add_progress_update(
        leader, plan["first"], TODAY - timedelta(days=2), "Half way.", 50, ActionStatus.IN_PROGRESS
    )
    review_evidence(leader, plan["accepted"], accept=True, comment="")
    now = plan_as_at(TODAY, leader, include_restricted=True)
    live = {row.action.id: row for row in list_actions(ActionFilters(), per_page=1000).rows}
    assert set(now.actions) == set(live)
    for action_id, row in live.items():
        assert now.actions[action_id].rag_summary == row.rag.summary
        assert now.actions[action_id].stale == row.stale
    current = set(db.session.scalars(sa.select(EvidenceItem.id).where(current_clause(TODAY))))
    assert {item.id for item in now.evidence.values() if item.current} == current
    assert now.measures[plan["measure"].id].status == status_of(plan["measure"], TODAY).state.value


def _count_queries(call) -> int:
    return queries_asked(db.engine, call)


def _grow(size: int, leader) -> None:
    theme = factories.ThemeFactory()
    for number in range(size):
        finding = factories.FindingFactory(
            theme=theme, kind=FindingKind.AREA_FOR_IMPROVEMENT, created_at=BEFORE
        )
        action = factories.ActionFactory(findings=[finding], created_at=BEFORE)
        add_progress_update(leader, action, TODAY, f"Update {number}.", 20, ActionStatus.IN_PROGRESS)
        item = factories.EvidenceFactory(findings=[finding], actions=[action], created_at=BEFORE)
        review_evidence(leader, item, accept=True, comment="")
        factories.ReadingFactory(measure=factories.MeasureFactory(findings=[finding], actions=[action]))


def test_the_number_of_queries_does_not_grow_with_the_plan(leader):
    _grow(3, leader)
    db.session.expire_all()
    small = _count_queries(lambda: plan_as_at(D, leader, include_restricted=True))
    _grow(27, leader)
    db.session.expire_all()
    large = _count_queries(lambda: plan_as_at(D, leader, include_restricted=True))
    assert len(plan_as_at(TODAY, leader).actions) == 30
    assert small == large
    db.session.expire_all()
    assert _count_queries(lambda: plan_as_at(TODAY, leader)) == large


def test_filters_choose_findings_and_what_hangs_off_them(plan, leader):
    other = factories.FindingFactory(created_at=BEFORE)
    elsewhere = factories.ActionFactory(findings=[other], created_at=BEFORE)
    chosen = plan_as_at(TODAY, leader, theme_id=plan["finding"].theme_id)
    assert [f.id for f in chosen.findings] == [plan["finding"].id]
    assert elsewhere.id not in chosen.actions and plan["first"].id in chosen.actions
    assert plan_as_at(TODAY, leader, inspection_id=other.inspection_id).inspection == other.inspection.title
    assert [f.id for f in plan_as_at(TODAY, leader, inspection_id=other.inspection_id).findings] == [other.id]
    assert plan_as_at(TODAY, leader, partner="icb").findings == ()


def test_the_day_ends_at_midnight_in_england(plan, leader):
    late = datetime(D.year, D.month, D.day, 23, 30, tzinfo=LONDON)
    in_time = factories.ActionFactory(findings=[plan["finding"]], created_at=late.astimezone(timezone.utc))
    too_late = factories.ActionFactory(
        findings=[plan["finding"]], created_at=(late + timedelta(hours=1)).astimezone(timezone.utc)
    )
    then = plan_as_at(D, leader)
    assert in_time.id in then.actions and too_late.id not in then.actions
