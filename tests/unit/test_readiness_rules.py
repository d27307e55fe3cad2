"""Each readiness rule of a finding, and each boundary, without the database (docs/readiness.md)."""

from datetime import date

import pytest

from tracker.readiness.rules import AMBER, GREEN, RED, finding_readiness
from tracker.readiness.state import ActionAt, EvidenceAt, MeasureAt

AS_AT = date(2026, 6, 15)
AFI, PRIORITY, STRENGTH, SELF = (
    "area_for_improvement",
    "area_for_priority_action",
    "strength",
    "self_identified",
)


def action(rag="green", overdue=False, stale=False, status="in_progress", id=1) -> ActionAt:
    return ActionAt(
        id=id,
        reference=f"A{id}",
        title="An action",
        owner="Priya Shah",
        partner="Council",
        status=status,
        status_value=status,
        percent_complete=50,
        due_date=date(2026, 12, 31),
        original_due_date=date(2026, 12, 31),
        revisions=(),
        rag=rag,
        rag_summary="",
        overdue=overdue,
        stale=stale,
        latest_update_on=None,
        latest_update="",
    )


def evidence(status="accepted", review_by=None, current=None, id=1) -> EvidenceAt:
    if current is None:
        current = status == "accepted" and (review_by is None or review_by >= AS_AT)
    return EvidenceAt(
        id=id,
        title="Minutes",
        kind="note",
        about_date=date(2026, 1, 5),
        status=status,
        current=current,
        sensitivity="internal",
        url=None,
        files=(),
        finding_ids=(1,),
        action_ids=(),
        review_by=review_by,
    )


def measure(status="on_track", name="Autism wait", id=1) -> MeasureAt:
    return MeasureAt(
        id=id,
        name=name,
        unit="weeks",
        direction="lower_is_better",
        readings=(),
        baseline=None,
        target=None,
        latest=None,
        status=status,
        status_reason="",
    )


def judge(kind=AFI, actions=(), items=(), measures=()):
    return finding_readiness(kind, list(actions), list(items), list(measures), AS_AT, stale_after_days=30)


def test_green_when_every_action_is_on_track_and_evidence_is_current():
    result = judge(actions=[action(), action(id=2)], items=[evidence()])
    assert result.colour == GREEN
    assert result.reasons == ("2 actions on track", "1 item of current accepted evidence")


def test_an_overdue_action_makes_the_finding_red_even_when_its_rag_is_overridden_green():
    result = judge(
        actions=[action(rag="green", overdue=True), action(rag="red", overdue=True, id=2)], items=[evidence()]
    )
    assert result.colour == RED and result.reasons == ("2 actions overdue",)


def test_a_red_action_makes_the_finding_red():
    result = judge(actions=[action(rag="red")], items=[evidence()])
    assert result.colour == RED and result.reasons == ("1 action rated red",)


def test_an_amber_action_makes_the_finding_amber():
    result = judge(actions=[action(rag="amber"), action(id=2)], items=[evidence()])
    assert result.colour == AMBER and result.reasons == ("1 action rated amber",)


def test_a_stale_action_makes_the_finding_amber_even_when_green():
    result = judge(actions=[action(rag="green", stale=True)], items=[evidence()])
    assert result.colour == AMBER and result.reasons == ("1 action with no update for 30 days or more",)


def test_each_action_counts_once_under_its_most_serious_concern():
    actions = [
        action(rag="red", overdue=True, stale=True),
        action(rag="red", stale=True, id=2),
        action(rag="amber", stale=True, id=3),
        action(rag="amber", id=4),
        action(id=5),
    ]
    result = judge(actions=actions, items=[evidence()])
    assert result.reasons == (
        "1 action overdue",
        "1 action rated red",
        "1 action with no update for 30 days or more",
        "1 action rated amber",
    )


def test_cancelled_actions_do_not_count():
    result = judge(actions=[action(rag=None, status="cancelled")], items=[evidence()])
    assert result.colour == RED and result.reasons == ("no actions to address it",)


@pytest.mark.parametrize("kind", [AFI, PRIORITY])
def test_an_area_to_improve_with_no_actions_is_red(kind):
    result = judge(kind=kind, items=[evidence()])
    assert result.colour == RED and result.reasons == ("no actions to address it",)


def test_a_self_identified_area_with_no_actions_is_amber():
    result = judge(kind=SELF, items=[evidence()])
    assert result.colour == AMBER and result.reasons == ("no actions yet",)


def test_a_strength_with_no_actions_and_current_evidence_is_green():
    result = judge(kind=STRENGTH, items=[evidence()])
    assert result.colour == GREEN and result.reasons == ("1 item of current accepted evidence",)


def test_a_strength_with_no_current_evidence_is_amber():
    assert judge(kind=STRENGTH).reasons == ("no accepted evidence",)
    assert judge(kind=STRENGTH).colour == AMBER


@pytest.mark.parametrize("status", ["submitted", "returned"])
def test_evidence_not_accepted_does_not_count(status):
    result = judge(actions=[action()], items=[evidence(status=status)])
    assert result.colour == AMBER and result.reasons == ("no accepted evidence",)


def test_evidence_counts_up_to_and_including_its_review_by_day():
    assert judge(actions=[action()], items=[evidence(review_by=AS_AT)]).colour == GREEN


def test_evidence_past_its_review_by_day_says_since_when_there_has_been_none():
    lapsed = [evidence(review_by=date(2026, 3, 31)), evidence(review_by=date(2026, 1, 31), id=2)]
    result = judge(actions=[action()], items=lapsed)
    assert result.colour == AMBER and result.reasons == ("no accepted evidence since March 2026",)


def test_an_off_track_measure_makes_the_finding_amber():
    result = judge(actions=[action()], items=[evidence()], measures=[measure("off_track")])
    assert result.colour == AMBER and result.reasons == ("Autism wait off track",)


@pytest.mark.parametrize(
    ("status", "note"), [("stale", "Autism wait stale"), ("no_data", "Autism wait: no data yet")]
)
def test_a_stale_measure_or_one_with_no_data_is_noted_without_changing_the_colour(status, note):
    result = judge(actions=[action()], items=[evidence()], measures=[measure(status)])
    assert result.colour == GREEN and result.reasons[-1] == note


def test_on_track_measures_and_those_without_a_target_add_nothing():
    result = judge(
        actions=[action()], items=[evidence()], measures=[measure("on_track"), measure("no_target", id=2)]
    )
    assert result.reasons == ("1 action on track", "1 item of current accepted evidence")


def test_reasons_come_most_serious_first():
    result = judge(
        actions=[
            action(rag="red", overdue=True),
            action(rag="red", overdue=True, id=2),
            action(rag="amber", id=3),
        ],
        items=[evidence(review_by=date(2026, 3, 1))],
        measures=[measure("stale", name="OT wait"), measure("off_track", name="Autism wait", id=2)],
    )
    assert result.colour == RED
    assert result.summary == (
        "2 actions overdue; 1 action rated amber; no accepted evidence since March 2026; "
        "Autism wait off track; OT wait stale"
    )
