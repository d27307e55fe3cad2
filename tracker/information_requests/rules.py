"""Pure rules of an inspection under way: its working-day timetable from the notification date, and which
status changes a request may make. No database here (docs/information-requests.md).

The timetable counts England's working days (weekends and bank holidays skipped, tracker/dates.py). Leaders
are notified 8 working days before fieldwork begins and 10 working days before inspectors come on site; weeks
1 and 2 hold the set-up discussion, the information requests, the surveys and case tracking; week 3 is
fieldwork on site. A "week" here is five working days, so a bank holiday pushes the rest of the
timetable on by a day.
"""

from dataclasses import dataclass
from datetime import date

from tracker.dates import add_working_days, format_date, is_working_day
from tracker.information_requests.models import RequestStatus

DAYS_TO_FIELDWORK = 8  # working days from notification to the first day of fieldwork
DAYS_TO_ON_SITE = 10  # working days from notification to inspectors coming on site
WEEK = 5  # working days


@dataclass(frozen=True)
class Stage:
    name: str
    first: date
    last: date
    what: str

    @property
    def dates(self) -> str:
        if self.first == self.last:
            return f"{self.first:%A} {format_date(self.first)}"
        return f"{self.first:%A} {format_date(self.first)} to {self.last:%A} {format_date(self.last)}"


def timetable(notified_on: date) -> list[Stage]:
    """The stages of the inspection from the notification date, each with its first and last day."""
    day = lambda count: add_working_days(notified_on, count)  # noqa: E731
    return [
        Stage(
            "Notification",
            notified_on,
            notified_on,
            "The lead inspector tells leaders the inspection has begun.",
        ),
        Stage(
            "Week 1: set-up",
            notified_on,
            day(WEEK - 1),
            "The set-up discussion with leaders; the inspectors' first information requests; surveys of "
            "children, young people, families and practitioners sent out.",
        ),
        Stage(
            "Week 2",
            day(WEEK),
            day(2 * WEEK - 1),
            "More information requests; children chosen for case tracking, whose documents are due within "
            "two working days.",
        ),
        Stage(
            "Fieldwork begins",
            day(DAYS_TO_FIELDWORK),
            day(DAYS_TO_FIELDWORK),
            "Fieldwork starts, before inspectors come on site.",
        ),
        Stage(
            "Week 3: fieldwork on site",
            day(DAYS_TO_ON_SITE),
            day(DAYS_TO_ON_SITE + WEEK - 1),
            "Inspectors on site: meetings with leaders and practitioners, visits to settings, case tracking.",
        ),
    ]


def last_day(notified_on: date) -> date:
    """The last day of fieldwork on site."""
    return timetable(notified_on)[-1].last


def notification_problem(notified_on: date, today: date) -> str | None:
    """Why a notification date cannot open a period, or None."""
    if notified_on > today:
        return (
            "The notification date cannot be in the future: open the period on the day you are "
            "told, or after."
        )
    if not is_working_day(notified_on):
        return (
            f"{notified_on:%A} {format_date(notified_on)} is not a working day in England. Enter the "
            "working day the inspectors told you."
        )
    return None


# who may move a request to each status: officers owning a request move it up to sent; a leader closes it
LEADER_ONLY = {RequestStatus.CLOSED}


def status_problem(old: RequestStatus, new: RequestStatus, *, leader: bool, answered: bool) -> str | None:
    """Why a request may not move from `old` to `new`, or None. `answered`:
    it has a response note or evidence."""
    if new is old:
        return None
    if new in LEADER_ONLY and not leader:
        return (
            "Only a leader closes a request, once the inspectors have what they asked for. Mark it as sent."
        )
    if old is RequestStatus.CLOSED and not leader:
        return "This request is closed. Ask a leader to reopen it."
    if new.is_answered and not answered:
        return (
            f"Write a response note or attach evidence before marking the request as {new.label.lower()}: "
            "say what was sent, or why nothing was."
        )
    return None
