"""The pure rules of an inspection under way: the working-day timetable from the notification date, across
bank holidays, and which status changes a request may make."""

from datetime import date

import pytest

from tracker.information_requests.models import RequestStatus
from tracker.information_requests.rules import last_day, notification_problem, status_problem, timetable

OPEN, IN_PROGRESS, SENT, CLOSED = (
    RequestStatus.OPEN,
    RequestStatus.IN_PROGRESS,
    RequestStatus.SENT,
    RequestStatus.CLOSED,
)


def _days(notified_on: date) -> dict[str, tuple[date, date]]:
    return {stage.name: (stage.first, stage.last) for stage in timetable(notified_on)}


def test_an_ordinary_fortnight_runs_monday_to_friday_and_fieldwork_on_site_is_week_3():
    days = _days(date(2026, 3, 2))  # a Monday with no bank holiday near
    assert days["Notification"] == (date(2026, 3, 2), date(2026, 3, 2))
    assert days["Week 1: set-up"] == (date(2026, 3, 2), date(2026, 3, 6))
    assert days["Week 2"] == (date(2026, 3, 9), date(2026, 3, 13))
    assert days["Fieldwork begins"] == (
        date(2026, 3, 12),
        date(2026, 3, 12),
    )  # 8 working days after notification
    assert days["Week 3: fieldwork on site"] == (
        date(2026, 3, 16),
        date(2026, 3, 20),
    )  # 10 working days after


def test_the_late_may_bank_holiday_pushes_every_later_day_on():
    # notified on Friday 22 May 2026; Monday 25 May is the spring bank holiday
    days = _days(date(2026, 5, 22))
    assert days["Week 1: set-up"] == (date(2026, 5, 22), date(2026, 5, 29))
    assert days["Week 2"] == (date(2026, 6, 1), date(2026, 6, 5))
    assert days["Fieldwork begins"][0] == date(2026, 6, 4)
    assert days["Week 3: fieldwork on site"] == (date(2026, 6, 8), date(2026, 6, 12))
    assert last_day(date(2026, 5, 22)) == date(2026, 6, 12)


def test_christmas_and_new_year_skip_four_bank_holidays():
    # Christmas Day (Friday), the substitute Boxing Day (Monday 28) and New Year's Day (Friday) 2026-27
    days = _days(date(2026, 12, 21))
    assert days["Week 1: set-up"] == (date(2026, 12, 21), date(2026, 12, 29))
    assert days["Week 2"] == (date(2026, 12, 30), date(2027, 1, 6))
    assert days["Fieldwork begins"][0] == date(2027, 1, 5)
    assert days["Week 3: fieldwork on site"] == (date(2027, 1, 7), date(2027, 1, 13))


def test_each_stage_reads_with_its_day_names():
    stage = timetable(date(2026, 5, 22))[1]
    assert stage.dates == "Friday 22 May 2026 to Friday 29 May 2026"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 5, 25), "Monday 25 May 2026 is not a working day"),
        (date(2026, 5, 23), "Saturday 23 May 2026 is not a working day"),
        (date(2026, 6, 2), "cannot be in the future"),
    ],
)
def test_a_notification_date_that_is_not_a_past_working_day_is_refused(day, words):
    assert words in notification_problem(day, today=date(2026, 6, 1))


def test_a_working_day_up_to_today_opens_a_period():
    assert notification_problem(date(2026, 6, 1), today=date(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("old", "new"), [(OPEN, IN_PROGRESS), (IN_PROGRESS, OPEN), (OPEN, OPEN), (SENT, IN_PROGRESS)]
)
def test_an_owner_moves_a_request_between_open_and_in_progress(old, new):
    assert status_problem(old, new, leader=False, answered=False) is None


def test_sent_needs_a_response_or_evidence():
    assert "Write a response note or attach evidence" in status_problem(
        IN_PROGRESS, SENT, leader=False, answered=False
    )
    assert status_problem(IN_PROGRESS, SENT, leader=False, answered=True) is None


def test_only_a_leader_closes_a_request_and_only_an_answered_one():
    assert "Only a leader closes" in status_problem(SENT, CLOSED, leader=False, answered=True)
    assert "Write a response note" in status_problem(OPEN, CLOSED, leader=True, answered=False)
    assert status_problem(SENT, CLOSED, leader=True, answered=True) is None


def test_a_closed_request_is_reopened_by_a_leader_only():
    assert "Ask a leader to reopen it" in status_problem(CLOSED, IN_PROGRESS, leader=False, answered=True)
    assert status_problem(CLOSED, IN_PROGRESS, leader=True, answered=True) is None
