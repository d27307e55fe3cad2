"""What each inspection outcome sets in motion, and when (tracker/plan/outcomes.py,
docs/inspection-cycle.md)."""

from datetime import date

import pytest

from tracker.plan.models import InspectionOutcome
from tracker.plan.outcomes import (
    NOT_SET,
    PRIORITY_ACTION_PLAN,
    RECORDED,
    SET_BY_YOU,
    SOURCE,
    UPDATED_STRATEGIC_PLAN,
    WORKED_OUT,
    add_months,
    lifecycle,
)

REPORT = date(2025, 12, 1)  # a Monday, four weeks before Christmas


def keys(cycle):
    return [step.key for step in cycle.steps]


def test_a_positive_outcome_asks_for_no_plan_and_the_next_full_inspection_within_about_five_years():
    cycle = lifecycle(InspectionOutcome.POSITIVE, REPORT)
    assert cycle.plan is None and "requires no plan" in cycle.plan_text
    assert keys(cycle) == ["report", "next_full"]
    report, full = cycle.steps
    assert (report.on, report.basis, report.when) == (REPORT, RECORDED, "1 December 2025")
    assert (full.on, full.when, full.basis, full.approximate) == (
        date(2030, 12, 1),
        "usually by about December 2030",
        WORKED_OUT,
        True,
    )
    assert "within 5 years" in full.rule and full.source == SOURCE


def test_an_inconsistent_outcome_asks_for_an_updated_strategic_plan_with_no_date_until_one_is_set():
    cycle = lifecycle(InspectionOutcome.INCONSISTENT, REPORT)
    assert cycle.plan is UPDATED_STRATEGIC_PLAN and "areas for improvement" in cycle.plan_text
    assert keys(cycle) == ["report", "plan", "next_full"]
    plan = cycle.step("plan")
    assert (plan.title, plan.on, plan.when, plan.basis) == (
        "Updated strategic plan due",
        None,
        "not set",
        NOT_SET,
    )
    assert "set the date" in plan.rule
    assert (
        cycle.step("next_full").on == date(2028, 12, 1) and "within 3 years" in cycle.step("next_full").rule
    )
    assert cycle.step("monitoring") is None


def test_systemic_failings_ask_for_a_priority_action_plan_counted_in_working_days_across_christmas():
    cycle = lifecycle(InspectionOutcome.SYSTEMIC, REPORT)
    assert cycle.plan is PRIORITY_ACTION_PLAN and "areas for priority action" in cycle.plan_text
    assert keys(cycle) == ["report", "plan", "monitoring", "next_full"]
    plan = cycle.step("plan")
    # 30 working days from Monday 1 December 2025 skip Christmas Day, Boxing Day and New Year's Day 2026:
    # without them the count would end on 12 January
    assert (plan.title, plan.on, plan.basis) == (
        "Priority action plan (area SEND) due",
        date(2026, 1, 15),
        WORKED_OUT,
    )
    assert "30 working days" in plan.rule and "bank holidays" in plan.rule and "not confirmed" in plan.rule
    monitoring = cycle.step("monitoring")
    assert (monitoring.on, monitoring.when, monitoring.approximate) == (
        date(2027, 6, 1),
        "about June 2027",
        True,
    )
    assert "18 months" in monitoring.rule
    assert cycle.step("next_full").on == date(2028, 12, 1)


@pytest.mark.parametrize("outcome", list(InspectionOutcome))
def test_a_date_the_leader_sets_replaces_the_rules_and_says_so(outcome):
    cycle = lifecycle(outcome, REPORT, plan_due_on=date(2026, 2, 27))
    plan = cycle.step("plan")
    assert (plan.on, plan.basis, plan.when) == (date(2026, 2, 27), SET_BY_YOU, "27 February 2026")
    assert [step.on for step in cycle.steps] == sorted(step.on for step in cycle.steps)


def test_without_an_outcome_or_a_report_date_nothing_is_worked_out_and_the_page_says_what_is_missing():
    assert lifecycle(None, None).steps == () and "outcome and the day" in lifecycle(None, None).missing
    assert "Record the day the report" in lifecycle(InspectionOutcome.SYSTEMIC, None).missing
    assert "Record the inspection's outcome" in lifecycle(None, REPORT).missing
    assert keys(lifecycle(None, None, plan_due_on=date(2026, 3, 2))) == ["plan"]


def test_a_step_has_passed_only_after_its_day():
    full = lifecycle(InspectionOutcome.POSITIVE, REPORT).step("next_full")
    assert not full.passed(date(2030, 12, 1)) and full.passed(date(2030, 12, 2))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 8, 31), 18, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 1, 15), 60, date(2030, 1, 15)),
    ],
)
def test_months_after_a_day_fall_on_the_month_end_when_the_month_is_shorter(day, months, expected):
    assert add_months(day, months) == expected


def test_each_outcome_has_the_framework_files_key_title_and_statement():
    from pathlib import Path

    from ruamel.yaml import YAML

    import tracker.frameworks

    shipped = YAML(typ="safe").load(Path(tracker.frameworks.__file__).with_name("area-send-2023.yaml"))
    assert [
        (item["key"], item["title"], " ".join(item["statement"].split())) for item in shipped["outcomes"]
    ] == [(outcome.value, outcome.label, outcome.statement) for outcome in InspectionOutcome]
    assert [outcome.number for outcome in InspectionOutcome] == [1, 2, 3]
