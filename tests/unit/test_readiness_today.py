"""Evidence on an action counts for the findings it answers, and every place that asks agrees.

The dashboard reads plan_as_at; the gaps list, the findings list's evidence count and the plan's
pages ask the database (evidence.services, readiness_today). These tests hold them to one answer.
"""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bench.queries import queries_asked
from tests import factories
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.evidence.services import (
    evidence_counts_by_finding,
    findings_without_current_evidence,
    review_evidence,
)
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus, Finding, FindingKind
from tracker.plan.services import set_archived
from tracker.readiness.services import plan_as_at, readiness_today

TODAY = today()
LONG_AGO = datetime.combine(TODAY - timedelta(days=90), datetime.min.time(), tzinfo=timezone.utc).replace(
    hour=12
)


@pytest.fixture
def leader():
    return factories.UserFactory(role=Role.LEADER)


def _reasons(user, finding) -> tuple[str, ...]:
    today = {f.id: f for f in plan_as_at(TODAY, user, include_restricted=True).findings}[
        finding.id
    ].readiness_reasons
    assert (
        readiness_today(user, [finding.id])[finding.id].reasons == today
    )  # the plan's pages say what the dashboard says
    return today


def _gaps(user) -> set[int]:
    return {finding.id for finding in findings_without_current_evidence(user)}


def test_evidence_accepted_on_an_action_counts_for_the_findings_it_answers(leader):
    finding = factories.FindingFactory(reference="AFI2")
    other = factories.FindingFactory(reference="AFI3")
    action = factories.ActionFactory(reference="A6", findings=[finding, other])
    item = factories.EvidenceFactory(actions=[action], status=EvidenceStatus.SUBMITTED)

    assert "no accepted evidence" in _reasons(leader, finding)
    assert "no accepted evidence" in _reasons(leader, other)
    assert _gaps(leader) == {finding.id, other.id}

    review_evidence(leader, item, accept=True, comment="")

    assert "no accepted evidence" not in _reasons(leader, finding)
    assert "no accepted evidence" not in _reasons(leader, other)
    assert _gaps(leader) == set()


def test_an_item_on_a_finding_and_its_action_counts_once(leader):
    finding = factories.FindingFactory()
    action = factories.ActionFactory(findings=[finding])
    item = factories.EvidenceFactory(findings=[finding], actions=[action], status=EvidenceStatus.ACCEPTED)
    later = factories.EvidenceFactory(actions=[action], status=EvidenceStatus.SUBMITTED)

    planned = plan_as_at(TODAY, leader, include_restricted=True).findings[0]
    assert sorted(planned.evidence_ids) == sorted([item.id, later.id])
    assert "1 item of current accepted evidence" in planned.readiness_reasons
    assert evidence_counts_by_finding(leader, [finding.id]) == {finding.id: 2}


def test_evidence_of_an_archived_action_does_not_count(leader):
    finding = factories.FindingFactory()
    action = factories.ActionFactory(findings=[finding])
    factories.EvidenceFactory(actions=[action], status=EvidenceStatus.ACCEPTED)
    set_archived(leader, action, True)
    assert "no accepted evidence" in _reasons(leader, finding)
    assert _gaps(leader) == {finding.id}
    assert evidence_counts_by_finding(leader, [finding.id]) == {}


@pytest.fixture
def varied(leader):
    """Findings with every kind of concern, evidence on findings and on actions, some lapsed,
    some restricted."""
    uploader = factories.UserFactory(role=Role.OFFICER)
    made = dict(created_at=LONG_AGO)
    overdue = factories.FindingFactory(**made)
    factories.ActionFactory(findings=[overdue], due_date=TODAY - timedelta(days=3), **made)
    flagged = factories.FindingFactory(**made)
    factories.ActionFactory(
        findings=[flagged],
        rag_override="red",
        rag_override_reason="Recruitment stalled.",
        due_date=TODAY + timedelta(days=200),
    )
    stale = factories.FindingFactory(**made)
    stale_action = factories.ActionFactory(findings=[stale], due_date=TODAY + timedelta(days=200), **made)
    on_hold = factories.FindingFactory()
    factories.ActionFactory(
        findings=[on_hold], status=ActionStatus.ON_HOLD, due_date=TODAY + timedelta(days=200)
    )
    strength = factories.FindingFactory(kind=FindingKind.STRENGTH)
    factories.ActionFactory(findings=[strength], status=ActionStatus.CANCELLED)
    own = factories.FindingFactory(kind=FindingKind.SELF_IDENTIFIED)
    done = factories.FindingFactory()
    finished = factories.ActionFactory(
        findings=[done, own], status=ActionStatus.COMPLETE, percent_complete=100
    )
    factories.EvidenceFactory(actions=[finished], status=EvidenceStatus.ACCEPTED)
    factories.EvidenceFactory(
        findings=[overdue],
        status=EvidenceStatus.ACCEPTED,
        review_by=TODAY - timedelta(days=40),
        about_date=TODAY - timedelta(days=400),
    )
    factories.EvidenceFactory(actions=[stale_action], status=EvidenceStatus.ACCEPTED, review_by=TODAY)
    factories.EvidenceFactory(actions=[stale_action], status=EvidenceStatus.RETURNED)
    factories.EvidenceFactory(
        findings=[strength],
        status=EvidenceStatus.ACCEPTED,
        sensitivity=Sensitivity.RESTRICTED,
        uploaded_by=uploader,
    )
    measure = factories.MeasureFactory(
        name="Longest autism wait",
        findings=[flagged],
        target_value=18,
        target_date=TODAY + timedelta(days=365),
    )
    factories.ReadingFactory(measure=measure, period_end=TODAY - timedelta(days=20), value=60)
    factories.MeasureFactory(name="OT wait", actions=[stale_action])
    return {"uploader": uploader}


@pytest.mark.parametrize("who", ["leader", "viewer", "uploader"])
def test_the_plans_pages_the_gaps_list_and_the_counts_agree_with_the_dashboard(leader, varied, who):
    user = {
        "leader": leader,
        "viewer": factories.UserFactory(role=Role.VIEWER),
        "uploader": varied["uploader"],
    }[who]
    plan = plan_as_at(TODAY, user, include_restricted=True)
    ids = [finding.id for finding in plan.findings]
    shown = readiness_today(user, ids)
    assert {f.id: (f.readiness, f.readiness_reasons) for f in plan.findings} == {
        finding_id: (r.colour, r.reasons) for finding_id, r in shown.items()
    }
    assert _gaps(user) == {
        f.id for f in plan.findings if not any(plan.evidence[i].current for i in f.evidence_ids)
    }
    assert evidence_counts_by_finding(user, ids) == {
        f.id: len(f.evidence_ids) for f in plan.findings if f.evidence_ids
    }
    assert {f.readiness for f in plan.findings} == {"red", "amber", "green"}


def test_restricted_evidence_counts_only_for_those_who_may_see_it(leader, varied):
    strength = db.session.scalar(sa.select(Finding).where(Finding.kind == FindingKind.STRENGTH))
    viewer = factories.UserFactory(role=Role.VIEWER)
    assert readiness_today(viewer, [strength.id])[strength.id].reasons == ("no accepted evidence",)
    assert readiness_today(leader, [strength.id])[strength.id].reasons == (
        "1 item of current accepted evidence",
    )


def _count_queries(call) -> int:
    return queries_asked(db.engine, call)


def test_a_page_of_findings_costs_the_same_queries_whatever_it_holds(leader, varied):
    few = [finding.id for finding in plan_as_at(TODAY, leader).findings][:1]
    every = [finding.id for finding in plan_as_at(TODAY, leader).findings]
    db.session.expire_all()
    readiness_today(leader, few)  # loads the signed-in person again after expire_all: not the page's cost
    assert (
        _count_queries(lambda: readiness_today(leader, few))
        == _count_queries(lambda: readiness_today(leader, every))
        == 9
    )
