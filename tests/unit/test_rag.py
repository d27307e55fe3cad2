"""The RAG rules of an action: each rule and each boundary, asserted on the words a leader reads."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from tracker.plan.models import ActionStatus
from tracker.plan.rag import (
    Rag,
    RagFacts,
    compute_rag,
    days_since_update,
    expected_percent,
    is_stale,
    with_override,
)

TODAY = date(2026, 4, 12)
STALE_AFTER = 30


def days(n: int) -> date:
    """The day `n` days from TODAY (negative for the past)."""
    return TODAY + timedelta(days=n)


# A green action: started 50 days ago, due in 50 days (so 50% is expected today), 50% complete,
# updated 5 days ago.
ON_TRACK = RagFacts(
    status=ActionStatus.IN_PROGRESS,
    start_date=days(-50),  # 21 February 2026
    due_date=days(50),  # 1 June 2026
    percent_complete=50,
    last_update_on=days(-5),
    created_on=days(-70),
)


def facts(**changes) -> RagFacts:
    return replace(ON_TRACK, **changes)


def rag(**changes):
    return compute_rag(facts(**changes), TODAY, STALE_AFTER)


def test_an_action_on_schedule_is_green_and_says_so():
    result = rag()
    assert result.colour is Rag.GREEN
    assert result.reasons == ("on schedule",)
    assert result.summary == "Green: due 1 June 2026, 50% complete, on schedule"


def test_green_without_a_start_date_says_there_is_no_schedule_to_check():
    result = rag(start_date=None)
    assert result.summary == "Green: due 1 June 2026, 50% complete, no start date to check progress against"


# Overdue: the due date has passed; due today is not overdue.


def test_due_yesterday_is_red_and_overdue():
    result = rag(start_date=None, due_date=days(-1))
    assert result.colour is Rag.RED
    assert result.reasons == ("overdue: due 11 April 2026",)
    assert result.summary == "Red: overdue: due 11 April 2026, 50% complete"


def test_due_today_is_not_overdue():
    result = rag(start_date=None, due_date=TODAY)
    assert result.colour is Rag.GREEN
    assert "overdue" not in result.summary
    assert result.summary.startswith("Green: due 12 April 2026, 50% complete")


def test_due_tomorrow_is_not_overdue():
    result = rag(start_date=None, due_date=days(1))
    assert result.summary.startswith("Green: due 13 April 2026, 50% complete")


def test_the_overdue_date_is_the_one_given_as_the_current_due_date():
    """A revised due date is passed in as `due_date`; the words show that date."""
    result = rag(start_date=None, due_date=date(2026, 3, 3))
    assert result.summary == "Red: overdue: due 3 March 2026, 50% complete"


# Behind schedule: expected percent (50 today) minus percent complete.


@pytest.mark.parametrize(
    ("percent", "summary"),
    [
        (40, "Green: due 1 June 2026, 40% complete, on schedule"),  # 10 behind: still green
        (39, "Amber: due 1 June 2026, 39% complete, 11 points behind schedule"),
        (25, "Amber: due 1 June 2026, 25% complete, 25 points behind schedule"),
        (24, "Red: due 1 June 2026, 24% complete, 26 points behind schedule"),
    ],
    ids=["gap 10", "gap 11", "gap 25", "gap 26"],
)
def test_schedule_gap_boundaries(percent, summary):
    assert rag(percent_complete=percent).summary == summary


def test_ahead_of_schedule_is_green():
    assert rag(percent_complete=90).summary == "Green: due 1 June 2026, 90% complete, on schedule"


# Stale: no update for STALE_AFTER days or more.


def test_one_day_before_stale_is_green():
    result = rag(last_update_on=days(-(STALE_AFTER - 1)))
    assert not is_stale(facts(last_update_on=days(-29)), TODAY, STALE_AFTER)
    assert result.summary == "Green: due 1 June 2026, 50% complete, on schedule"


def test_stale_on_the_day_is_amber():
    result = rag(last_update_on=days(-STALE_AFTER))
    assert result.colour is Rag.AMBER
    assert result.reasons == ("no update for 30 days",)
    assert result.summary == "Amber: due 1 June 2026, 50% complete, no update for 30 days"


def test_one_day_is_singular():
    result = compute_rag(facts(last_update_on=days(-1)), TODAY, stale_after_days=1)
    assert result.summary == "Amber: due 1 June 2026, 50% complete, no update for 1 day"


def test_never_updated_counts_from_the_start_date_once_it_has_passed():
    never = facts(last_update_on=None, start_date=days(-50), created_on=days(-70))
    assert days_since_update(never, TODAY) == 50
    assert compute_rag(never, TODAY, STALE_AFTER).reasons == ("no update for 50 days",)


def test_never_updated_without_a_start_date_counts_from_creation():
    never = facts(last_update_on=None, start_date=None, created_on=days(-70))
    assert days_since_update(never, TODAY) == 70
    assert compute_rag(never, TODAY, STALE_AFTER).summary == (
        "Amber: due 1 June 2026, 50% complete, no update for 70 days"
    )


def test_never_updated_with_a_start_date_still_to_come_counts_from_creation():
    never = facts(
        last_update_on=None,
        start_date=days(10),
        created_on=days(-40),
        percent_complete=0,
        status=ActionStatus.NOT_STARTED,
    )
    assert days_since_update(never, TODAY) == 40


def test_never_updated_and_starting_today_counts_from_today():
    assert days_since_update(facts(last_update_on=None, start_date=TODAY), TODAY) == 0


def test_a_later_update_counts_over_the_start_date():
    assert days_since_update(facts(last_update_on=days(-3), start_date=days(-50)), TODAY) == 3


@pytest.mark.parametrize("status", [ActionStatus.COMPLETE, ActionStatus.CANCELLED])
def test_closed_actions_are_never_stale(status):
    assert not is_stale(facts(status=status, last_update_on=days(-365)), TODAY, STALE_AFTER)


@pytest.mark.parametrize("status", [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.ON_HOLD])
def test_open_actions_can_be_stale(status):
    assert is_stale(facts(status=status, last_update_on=days(-STALE_AFTER)), TODAY, STALE_AFTER)


# Stale and due soon: red when due within 30 days, or already overdue.


def test_stale_and_due_in_30_days_is_red():
    result = rag(start_date=None, due_date=days(30), last_update_on=days(-40))
    assert result.colour is Rag.RED
    assert result.summary == "Red: due 12 May 2026, 50% complete, no update for 40 days"


def test_stale_and_due_in_31_days_is_amber():
    result = rag(start_date=None, due_date=days(31), last_update_on=days(-40))
    assert result.colour is Rag.AMBER
    assert result.summary == "Amber: due 13 May 2026, 50% complete, no update for 40 days"


def test_stale_and_due_today_is_red():
    result = rag(start_date=None, due_date=TODAY, last_update_on=days(-40))
    assert result.summary == "Red: due 12 April 2026, 50% complete, no update for 40 days"


def test_stale_and_overdue_is_red_with_both_reasons():
    result = compute_rag(
        facts(start_date=None, due_date=date(2026, 3, 3), percent_complete=40, last_update_on=days(-41)),
        TODAY,
        STALE_AFTER,
    )
    assert result.reasons == ("overdue: due 3 March 2026", "no update for 41 days")
    assert result.summary == "Red: overdue: due 3 March 2026, 40% complete, no update for 41 days"


# On hold, not started.


def test_on_hold_is_amber():
    result = rag(status=ActionStatus.ON_HOLD)
    assert result.colour is Rag.AMBER
    assert result.summary == "Amber: due 1 June 2026, 50% complete, on hold"


def test_not_started_before_its_start_date_is_green():
    result = rag(status=ActionStatus.NOT_STARTED, start_date=days(1), percent_complete=0)
    assert result.summary == "Green: due 1 June 2026, 0% complete, on schedule"


def test_not_started_on_its_start_date_is_green():
    result = rag(status=ActionStatus.NOT_STARTED, start_date=TODAY, percent_complete=0)
    assert result.summary == "Green: due 1 June 2026, 0% complete, on schedule"


def test_not_started_after_its_start_date_is_amber():
    result = rag(status=ActionStatus.NOT_STARTED, start_date=days(-1), percent_complete=0)
    assert result.colour is Rag.AMBER
    assert result.reasons == ("not started, planned start 11 April 2026",)
    assert result.summary == "Amber: due 1 June 2026, 0% complete, not started, planned start 11 April 2026"


# Most serious first.


def test_red_reasons_come_before_amber_reasons():
    result = rag(status=ActionStatus.ON_HOLD, percent_complete=20, last_update_on=days(-35))
    assert result.colour is Rag.RED
    assert result.reasons == ("30 points behind schedule", "no update for 35 days", "on hold")
    assert result.summary == (
        "Red: due 1 June 2026, 20% complete, 30 points behind schedule, no update for 35 days, on hold"
    )


def test_every_rule_that_fires_is_listed():
    result = rag(
        status=ActionStatus.NOT_STARTED,
        start_date=days(-60),
        due_date=days(-2),
        percent_complete=0,
        last_update_on=None,
    )
    assert result.reasons == (
        "overdue: due 10 April 2026",
        "100 points behind schedule",
        "no update for 60 days",
        "not started, planned start 11 February 2026",
    )


# Closed actions.


def test_complete_is_green_whatever_the_dates():
    result = rag(
        status=ActionStatus.COMPLETE, due_date=days(-10), percent_complete=100, last_update_on=days(-90)
    )
    assert result.colour is Rag.GREEN
    assert result.reasons == ("complete",)
    assert result.summary == "Green: complete"


def test_cancelled_is_not_rated():
    result = rag(status=ActionStatus.CANCELLED, due_date=days(-10), last_update_on=days(-90))
    assert result.colour is None
    assert result.reasons == ("cancelled",)
    assert result.summary == "Not rated: cancelled"


# Expected percent: a straight line from the start date to the due date.


@pytest.mark.parametrize(
    ("start", "due", "expected"),
    [
        (days(1), days(100), 0),  # before the start
        (TODAY, days(100), 0),  # on the start date
        (days(-50), days(50), 50),  # half way
        (days(-1), days(2), 33),  # rounded
        (days(-100), TODAY, 100),  # on the due date
        (days(-100), days(-1), 100),  # after the due date
        (None, days(50), None),  # no start date
        (days(10), days(10), None),  # due on the start date
        (days(10), days(5), None),  # due before the start date
    ],
    ids=[
        "before start",
        "at start",
        "half way",
        "rounded",
        "at due",
        "after due",
        "no start date",
        "due equals start",
        "due before start",
    ],
)
def test_expected_percent(start, due, expected):
    assert expected_percent(facts(start_date=start, due_date=due), TODAY) == expected


def test_due_before_start_is_not_checked_against_a_schedule():
    result = rag(start_date=days(60), due_date=days(50), percent_complete=0)
    assert result.summary == "Green: due 1 June 2026, 0% complete, no start date to check progress against"


# A leader's override.


def test_override_shows_the_leaders_reason_and_keeps_the_computed_summary():
    computed = compute_rag(
        facts(start_date=None, due_date=date(2026, 3, 3), percent_complete=40, last_update_on=days(-41)),
        TODAY,
        STALE_AFTER,
    )
    result = with_override(computed, Rag.AMBER, "  New date agreed with the ICB at the March board.  ")
    assert result.colour is Rag.AMBER
    assert result.reasons == (
        "Set by a leader: New date agreed with the ICB at the March board.",
        "Computed as red: overdue: due 3 March 2026, 40% complete, no update for 41 days",
    )
    # each reason a sentence of its own, with one full stop, never run on as "board., Computed: Red: ..."
    assert result.summary == (
        "Amber. Set by a leader: New date agreed with the ICB at the March board. "
        "Computed as red: overdue: due 3 March 2026, 40% complete, no update for 41 days."
    )


def test_an_override_reason_without_a_full_stop_is_given_one():
    result = with_override(rag(), Rag.GREEN, "Funding agreed")
    assert result.summary.startswith("Green. Set by a leader: Funding agreed. Computed as ")


def test_override_of_a_cancelled_action_keeps_not_rated_visible():
    result = with_override(rag(status=ActionStatus.CANCELLED), Rag.GREEN, "Replaced by action A-12.")
    assert result.reasons[1] == "Computed as not rated: cancelled"


def test_no_override_returns_the_computed_result_unchanged():
    computed = rag()
    assert with_override(computed, None, None) is computed


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_override_needs_a_written_reason(reason):
    with pytest.raises(ValueError, match="only with a written reason"):
        with_override(rag(), Rag.RED, reason)


# How the colours are shown.


@pytest.mark.parametrize(
    ("colour", "label", "tag_class"),
    [
        (Rag.RED, "Red", "govuk-tag--red"),
        (Rag.AMBER, "Amber", "govuk-tag--yellow"),
        (Rag.GREEN, "Green", "govuk-tag--green"),
    ],
)
def test_labels_and_govuk_tags(colour, label, tag_class):
    assert colour.label == label
    assert colour.tag_class == tag_class
    assert Rag(colour.value) is colour
