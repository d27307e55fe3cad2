"""An action's red, amber or green status, from its dates, progress and updates,
with the reasons in plain words.

Pure functions over `RagFacts`: no database, no request. The rules are written out for
users in `docs/rag.md`; a change here is a change there.
"""

import enum
from dataclasses import dataclass
from datetime import date

from tracker.dates import format_date
from tracker.plan.models import ActionStatus
from tracker.text import counted

# An action that has gone quiet this close to its due date is red, not amber: there is
# little time left to recover, and nobody has said how it is going.
DUE_SOON_DAYS = 30
# Schedule gap in percentage points: more than AMBER_GAP behind is amber, more than RED_GAP is red.
AMBER_GAP = 10
RED_GAP = 25


class Rag(str, enum.Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def tag_class(self) -> str:
        """The GOV.UK Frontend tag modifier: amber is shown with the yellow tag."""
        return {"red": "govuk-tag--red", "amber": "govuk-tag--yellow", "green": "govuk-tag--green"}[
            self.value
        ]


@dataclass(frozen=True)
class RagFacts:
    """What the rules need to know about one action, as at one day."""

    status: ActionStatus
    start_date: date | None
    due_date: date  # the current due date: the revised one when it has been revised
    percent_complete: int
    last_update_on: date | None  # the date of the latest progress update; None if never updated
    created_on: date  # staleness counts from here when there is no update and no start date yet


@dataclass(frozen=True)
class RagResult:
    """A colour and why. `facts` holds what the summary states before the reasons
    (the due date and percent complete); a reason already among them is not repeated."""

    colour: Rag | None  # None only for a cancelled action
    reasons: tuple[str, ...]  # most serious first
    facts: tuple[str, ...] = ()
    sentences: bool = False  # the reasons are sentences of their own (a leader's override), not a list

    @property
    def label(self) -> str:
        return self.colour.label if self.colour else "Not rated"

    @property
    def because(self) -> str:
        """The facts and reasons as one list: "due 3 March 2026, 40% complete, no update for 41 days"."""
        return ", ".join(list(self.facts) + [reason for reason in self.reasons if reason not in self.facts])

    @property
    def summary(self) -> str:
        """ "Red: due 3 March 2026, 40% complete", or for an override each reason a sentence of its own:
        "Amber. Set by a leader: New date agreed. Computed as red: overdue: due 3 March 2026"."""
        if self.sentences:
            return " ".join([f"{self.label}."] + [_sentence(reason) for reason in self.reasons])
        return f"{self.label}: {self.because}"


def _sentence(text: str) -> str:
    """Text that ends as a sentence does, with one full stop: a reason typed with its own is not given two."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _due_words(facts: RagFacts, today: date) -> str:
    """The due date as users read it; the overdue reason and the summary share these words."""
    due = f"due {format_date(facts.due_date)}"
    return f"overdue: {due}" if facts.due_date < today else due


def days_since_update(facts: RagFacts, today: date) -> int:
    """Days since the latest update; with none, since the planned start (once it has come),
    else since creation."""
    if facts.last_update_on is not None:
        since = facts.last_update_on
    elif facts.start_date is not None and facts.start_date <= today:
        since = facts.start_date
    else:
        since = facts.created_on
    return (today - since).days


def is_stale(facts: RagFacts, today: date, stale_after_days: int) -> bool:
    """An open action (not complete or cancelled) with no update for `stale_after_days` days or more."""
    return not facts.status.is_closed and days_since_update(facts, today) >= stale_after_days


def expected_percent(facts: RagFacts, today: date) -> int | None:
    """Where a straight line from 0% at the start to 100% at the due date says the action should be today."""
    if facts.start_date is None or facts.due_date <= facts.start_date:
        return None
    if today < facts.start_date:
        return 0
    if today >= facts.due_date:
        return 100
    return round(100 * (today - facts.start_date).days / (facts.due_date - facts.start_date).days)


def _concerns(facts: RagFacts, today: date, stale_after_days: int) -> list[tuple[Rag, str]]:
    """Every rule that fires, as (colour, reason), in the order the rules are listed in docs/rag.md."""
    concerns: list[tuple[Rag, str]] = []
    overdue = facts.due_date < today
    if overdue:
        concerns.append((Rag.RED, _due_words(facts, today)))
    expected = expected_percent(facts, today)
    if expected is not None:
        gap = expected - facts.percent_complete
        if gap > RED_GAP:
            concerns.append((Rag.RED, f"{gap} points behind schedule"))
        elif gap > AMBER_GAP:
            concerns.append((Rag.AMBER, f"{gap} points behind schedule"))
    if is_stale(facts, today, stale_after_days):
        due_soon = 0 <= (facts.due_date - today).days <= DUE_SOON_DAYS
        colour = Rag.RED if due_soon or overdue else Rag.AMBER
        concerns.append((colour, f"no update for {counted(days_since_update(facts, today), 'day')}"))
    if facts.status is ActionStatus.ON_HOLD:
        concerns.append((Rag.AMBER, "on hold"))
    if facts.status is ActionStatus.NOT_STARTED and facts.start_date is not None and facts.start_date < today:
        concerns.append((Rag.AMBER, f"not started, planned start {format_date(facts.start_date)}"))
    return concerns


def compute_rag(facts: RagFacts, today: date, stale_after_days: int) -> RagResult:
    """The action's colour and its reasons: red if any rule says red,
    else amber if any says amber, else green."""
    if facts.status is ActionStatus.CANCELLED:
        return RagResult(colour=None, reasons=("cancelled",))
    if facts.status is ActionStatus.COMPLETE:
        return RagResult(colour=Rag.GREEN, reasons=("complete",))

    concerns = _concerns(facts, today, stale_after_days)
    red = [reason for colour, reason in concerns if colour is Rag.RED]
    amber = [reason for colour, reason in concerns if colour is Rag.AMBER]
    if red or amber:
        colour, reasons = (Rag.RED if red else Rag.AMBER), tuple(red + amber)
    elif expected_percent(facts, today) is not None:
        colour, reasons = Rag.GREEN, ("on schedule",)
    else:
        colour, reasons = Rag.GREEN, ("no start date to check progress against",)
    return RagResult(
        colour=colour,
        reasons=reasons,
        facts=(_due_words(facts, today), f"{facts.percent_complete}% complete"),
    )


def with_override(computed: RagResult, override: Rag | None, reason: str | None) -> RagResult:
    """A leader's colour in place of the computed one; their reason, and the computed status, stay in view."""
    if override is None:
        return computed
    if not reason or not reason.strip():
        raise ValueError("A leader can set the RAG status only with a written reason.")
    return RagResult(
        colour=override,
        reasons=(
            f"Set by a leader: {reason.strip()}",
            f"Computed as {computed.label.lower()}: {computed.because}",
        ),
        sentences=True,
    )
