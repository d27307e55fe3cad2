"""What an inspection's outcome sets in motion, and when: pure rules, no database (docs/inspection-cycle.md).

From the outcome and the day the final report was published follow the kind of plan the partnership
owes, its due date, a monitoring inspection (after widespread and/or systemic failings) and the window
in which the next full inspection usually falls. Each date carries the rule it comes from, in words,
and its source, so the dashboard can say why it shows it.

The rules are those of the Ofsted and CQC area SEND framework and handbook (2023, updated June and July
2025) as the project's domain notes summarise them. They could not be checked against the live handbook
when this was written (no internet access), and the handbook gives no period for the updated strategic
plan that could be confirmed here; the priority action plan's period is a working assumption, named in
PRIORITY_ACTION_PLAN_WORKING_DAYS. A leader who has the real date (it comes with the report) sets it on
the inspection (`Inspection.plan_due_on`), and that date is shown instead, as "set by you".
"""

import calendar
from dataclasses import dataclass
from datetime import date

from tracker.dates import add_working_days, format_date
from tracker.plan.models import InspectionOutcome

SOURCE = "Ofsted and CQC, Area SEND framework and handbook (2023, updated June and July 2025)"
DOCS_PAGE = (
    "inspection-cycle"  # docs/inspection-cycle.md: the rules, their sources and how the dates are worked out
)

# Working assumption, not confirmed against the handbook (see the module docstring): the working days after
# the final report's publication within which the priority action plan (area SEND) is submitted.
PRIORITY_ACTION_PLAN_WORKING_DAYS = 30
MONITORING_AFTER_MONTHS = 18  # "usually 18 months after the final report"
EXAMPLE_REPORT_DAY = date(
    2025, 12, 1
)  # the rules page's example: a Monday whose working days run over Christmas
NEXT_FULL_WITHIN_YEARS = {
    InspectionOutcome.POSITIVE: 5,
    InspectionOutcome.INCONSISTENT: 3,
    InspectionOutcome.SYSTEMIC: 3,
}

# where a date comes from
RECORDED = "recorded"  # entered on the inspection (the report's date)
SET_BY_YOU = "set by you"  # the leader's own date, overriding the rule's
WORKED_OUT = "worked out"  # from the rule
NOT_SET = "not set"  # the rule gives no date and none has been set


@dataclass(frozen=True)
class PlanKind:
    key: str
    title: str  # "Priority action plan (area SEND)"
    answers: str  # what the plan answers, in the report's terms


UPDATED_STRATEGIC_PLAN = PlanKind("strategic_plan", "Updated strategic plan", "the areas for improvement")
PRIORITY_ACTION_PLAN = PlanKind(
    "priority_action_plan", "Priority action plan (area SEND)", "the areas for priority action"
)
PLAN_FOR = {
    InspectionOutcome.INCONSISTENT: UPDATED_STRATEGIC_PLAN,
    InspectionOutcome.SYSTEMIC: PRIORITY_ACTION_PLAN,
}


@dataclass(frozen=True)
class Step:
    """One date on the inspection's timeline, with the rule that sets it and where the rule comes from."""

    key: str  # "report", "plan", "monitoring", "next_full"
    title: str
    on: date | None  # the day; for a window, its last day ("usually within ... years"); None when not set
    when: str  # the date in words, as precise as the rule is: "1 December 2025", "about June 2027"
    rule: str
    source: str
    basis: str  # RECORDED, SET_BY_YOU, WORKED_OUT or NOT_SET
    approximate: bool = False  # "about": the inspectorates choose the day

    def passed(self, today: date) -> bool:
        return self.on is not None and self.on < today


@dataclass(frozen=True)
class Lifecycle:
    outcome: InspectionOutcome | None
    published_on: date | None
    plan: PlanKind | None  # None: no plan is required by the outcome (or no outcome yet)
    plan_text: str  # what the outcome asks of the partnership, in a sentence
    steps: tuple[Step, ...]  # in date order; a step without a date after the report
    missing: str = ""  # what must be recorded before the dates can be worked out

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 August + 18 months:
    28 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _about(day: date) -> str:
    return f"about {day:%B %Y}"


def lifecycle(
    outcome: InspectionOutcome | None, published_on: date | None, plan_due_on: date | None = None
) -> Lifecycle:
    """What follows this outcome, reported on `published_on`; `plan_due_on` is the
    leader's own date for the plan."""
    plan = PLAN_FOR.get(outcome) if outcome else None
    plan_text = _plan_text(outcome)
    if outcome is None or published_on is None:
        missing = (
            (
                "Record the inspection's outcome and the day its report was published to see the dates "
                "that follow."
            )
            if outcome is None and published_on is None
            else "Record the inspection's outcome to see the dates that follow."
            if outcome is None
            else "Record the day the report was published to see the dates that follow."
        )
        planned = (_plan_step(plan, None, plan_due_on),) if plan_due_on else ()
        return Lifecycle(outcome, published_on, plan, plan_text, planned, missing)
    steps = [
        Step(
            "report",
            "Report published",
            published_on,
            format_date(published_on),
            f"The final report states the outcome: {outcome.label.lower()}. Every other date counts "
            "from this day.",
            SOURCE,
            RECORDED,
        )
    ]
    if plan or plan_due_on:
        steps.append(_plan_step(plan, published_on, plan_due_on))
    if outcome is InspectionOutcome.SYSTEMIC:
        monitoring = add_months(published_on, MONITORING_AFTER_MONTHS)
        steps.append(
            Step(
                "monitoring",
                "Monitoring inspection",
                monitoring,
                _about(monitoring),
                f"After widespread and/or systemic failings a monitoring inspection follows, usually "
                f"{MONITORING_AFTER_MONTHS} months after the final report. It looks at the progress made on "
                f"the areas for priority action.",
                SOURCE,
                WORKED_OUT,
                approximate=True,
            )
        )
    years = NEXT_FULL_WITHIN_YEARS[outcome]
    latest = add_months(published_on, 12 * years)
    steps.append(
        Step(
            "next_full",
            "Next full inspection",
            latest,
            f"usually by {_about(latest)}",
            f"After {'a positive outcome' if outcome is InspectionOutcome.POSITIVE else 'this outcome'} "
            f"the next full inspection is usually within {years} years of the report: the inspectorates "
            "choose the day and give notice.",
            SOURCE,
            WORKED_OUT,
            approximate=True,
        )
    )
    steps.sort(key=lambda step: step.on or published_on)
    return Lifecycle(outcome, published_on, plan, plan_text, tuple(steps))


def _plan_text(outcome: InspectionOutcome | None) -> str:
    if outcome is InspectionOutcome.POSITIVE:
        return (
            "The outcome requires no plan of its own: the partnership keeps taking action where "
            "improvements are needed, through its strategic plan and the report's areas for improvement."
        )
    if outcome is InspectionOutcome.INCONSISTENT:
        return (
            "The partnership must work jointly to make improvements: it updates and publishes its "
            "strategic plan to address the areas for improvement."
        )
    if outcome is InspectionOutcome.SYSTEMIC:
        return (
            "The partnership must address the failings urgently: it submits a priority action plan (area "
            "SEND) for the areas for priority action, on which the Department for Education and NHS "
            "England give feedback, and updates its strategic plan for the areas for improvement."
        )
    return ""


def _plan_step(plan: PlanKind | None, published_on: date | None, plan_due_on: date | None) -> Step:
    title = f"{plan.title} due" if plan else "Plan due"
    if plan_due_on:
        return Step(
            "plan",
            title,
            plan_due_on,
            format_date(plan_due_on),
            "The date you set on the inspection, from the report's covering letter or agreed with the "
            "Department for Education and NHS England. It replaces any date worked out from the rule.",
            "Set on the inspection by a leader",
            SET_BY_YOU,
        )
    if plan is PRIORITY_ACTION_PLAN and published_on:
        due = add_working_days(published_on, PRIORITY_ACTION_PLAN_WORKING_DAYS)
        return Step(
            "plan",
            title,
            due,
            format_date(due),
            "The priority action plan is submitted after the final report. This date is "
            f"{PRIORITY_ACTION_PLAN_WORKING_DAYS} working days after publication (weekends and England's "
            "bank holidays skipped), a working assumption not confirmed against the handbook: set the date "
            "your report gives.",
            SOURCE,
            WORKED_OUT,
        )
    return Step(
        "plan",
        title,
        None,
        "not set",
        "The partnership updates and publishes its strategic plan to address the areas for improvement. No "
        "period for this could be confirmed in the handbook here: set the date you have agreed.",
        SOURCE,
        NOT_SET,
    )
