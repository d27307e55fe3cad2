"""Whether a measure is on track, in words: pure functions of its figures and a
date (see docs/measures.md)."""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.charts import value_text as format_value
from tracker.dates import format_date
from tracker.measures.models import Direction, Frequency

# days allowed since the latest reading's period end before the measure is stale: one period
# and the weeks a service usually needs to produce the figures after it closes
STALE_AFTER_DAYS = {
    Frequency.MONTHLY: 45,
    Frequency.QUARTERLY: 120,
    Frequency.TERMLY: 150,
    Frequency.ANNUALLY: 400,
}


class State(enum.Enum):
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    STALE = "stale"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"  # only for measures saved without a target, which the forms no longer allow

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def tag_class(self) -> str:
        return {
            "on_track": "govuk-tag--green",
            "off_track": "govuk-tag--red",
            "stale": "govuk-tag--yellow",
            "no_data": "govuk-tag--grey",
            "no_target": "govuk-tag--grey",
        }[self.value]


class Change(enum.Enum):
    BETTER = "better"
    WORSE = "worse"
    NO_CHANGE = "no_change"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Point:
    on: date
    value: float


@dataclass(frozen=True)
class Figures:
    """What the status depends on, without the database: a measure's definition and its readings."""

    unit: str
    direction: Direction
    frequency: Frequency
    readings: Sequence[Point]  # in any order
    baseline: Point | None = None
    target_value: float | None = None
    target_date: date | None = None
    milestones: Sequence[Point] = ()


@dataclass(frozen=True)
class MeasureStatus:
    state: State
    reason: str
    latest: Point | None = None
    previous: Point | None = None
    change: Change | None = None
    expected: float | None = None  # what the trajectory expects on the latest period end


def is_better(value: float, than: float, direction: Direction) -> bool:
    return value < than if direction is Direction.LOWER_IS_BETTER else value > than


def at_or_better(value: float, than: float, direction: Direction) -> bool:
    return value == than or is_better(value, than, direction)


def change_between(previous: float, latest: float, direction: Direction) -> Change:
    if latest == previous:
        return Change.NO_CHANGE
    return Change.BETTER if is_better(latest, previous, direction) else Change.WORSE


def is_stale(latest_period_end: date, frequency: Frequency, on: date) -> bool:
    """Stale once more days than the frequency allows have passed since the latest period end."""
    return (on - latest_period_end).days > STALE_AFTER_DAYS[frequency]


def trajectory(figures: Figures) -> list[Point]:
    """Baseline, milestones and target in date order: the straight lines the measure should follow.

    Empty when the baseline or the target has no date: there is no path to follow, only the target.
    """
    if figures.baseline is None or figures.target_value is None or figures.target_date is None:
        return []
    target = Point(figures.target_date, figures.target_value)
    return sorted([figures.baseline, *figures.milestones, target], key=lambda point: point.on)


def expected_on(path: Sequence[Point], on: date) -> float:
    """The value the path expects on a date: flat before its start and after its end, linear between."""
    if on <= path[0].on:
        return path[0].value
    for start, end in zip(path, path[1:]):
        if on <= end.on:
            span = (end.on - start.on).days
            if span == 0:
                return end.value
            return start.value + (end.value - start.value) * (on - start.on).days / span
    return path[-1].value


def measure_status(figures: Figures, on: date) -> MeasureStatus:
    """The status of a measure on a date, with the sentence that explains it."""
    readings = sorted(figures.readings, key=lambda point: point.on)
    if not readings:
        return MeasureStatus(State.NO_DATA, "No data: no readings yet.")
    latest = readings[-1]
    previous = readings[-2] if len(readings) > 1 else None
    change = change_between(previous.value, latest.value, figures.direction) if previous else None
    value = format_value(latest.value, figures.unit)
    said = f"{value} on {format_date(latest.on)}"
    if is_stale(latest.on, figures.frequency, on):
        return MeasureStatus(
            State.STALE,
            f"Stale: no reading since {format_date(latest.on)} ({value} then).",
            latest=latest,
            previous=previous,
            change=change,
        )
    if figures.target_value is None:
        return MeasureStatus(
            State.NO_TARGET,
            f"No target: {said}; set a target to judge progress.",
            latest=latest,
            previous=previous,
            change=change,
        )
    side = "lower" if figures.direction is Direction.LOWER_IS_BETTER else "higher"
    path = trajectory(figures)
    if path:
        # rounded as shown, so that the sentence and the status always agree
        expected = round(expected_on(path, latest.on), 1)
        wanted = f"expected {format_value(expected, figures.unit)} or {side} by then"
    else:
        expected = figures.target_value
        by = f" by {format_date(figures.target_date)}" if figures.target_date else ""
        wanted = f"target {format_value(expected, figures.unit)} or {side}{by}"
    state = State.ON_TRACK if at_or_better(latest.value, expected, figures.direction) else State.OFF_TRACK
    reason = f"{state.label}: {said}, {wanted}"
    if previous is not None and change is not None:
        reason += f"; {_change_words(change)} the last reading ({format_value(previous.value, figures.unit)})"
    return MeasureStatus(state, reason, expected=expected, latest=latest, previous=previous, change=change)


def _change_words(change: Change) -> str:
    return {Change.BETTER: "better than", Change.WORSE: "worse than", Change.NO_CHANGE: "no change from"}[
        change
    ]


def figures_of(measure) -> Figures:
    """A measure's figures as they stand: reads the loaded attributes, runs no query of its own."""
    baseline = None
    if measure.baseline_value is not None and measure.baseline_date is not None:
        baseline = Point(measure.baseline_date, measure.baseline_value)
    return Figures(
        unit=measure.unit,
        direction=measure.direction,
        frequency=measure.frequency,
        readings=[Point(reading.period_end, reading.value) for reading in measure.readings],
        baseline=baseline,
        target_value=measure.target_value,
        target_date=measure.target_date,
        milestones=[Point(milestone.due_on, milestone.value) for milestone in measure.milestones],
    )


def status_of(measure, on: date) -> MeasureStatus:
    return measure_status(figures_of(measure), on)
