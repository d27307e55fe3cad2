"""A measure's status and its sentence, at each boundary of each rule in docs/measures.md."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from tracker.measures.models import Direction, Frequency
from tracker.measures.status import (
    STALE_AFTER_DAYS,
    Change,
    Figures,
    Point,
    State,
    change_between,
    expected_on,
    figures_of,
    format_value,
    is_stale,
    measure_status,
    status_of,
    trajectory,
)

LOWER, HIGHER = Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER
SEPT = date(2026, 9, 30)


def figures(
    readings,
    direction=LOWER,
    frequency=Frequency.QUARTERLY,
    unit="weeks",
    baseline=None,
    target_value=18.0,
    target_date=None,
    milestones=(),
) -> Figures:
    return Figures(
        unit=unit,
        direction=direction,
        frequency=frequency,
        readings=[Point(d, v) for d, v in readings],
        baseline=Point(*baseline) if baseline else None,
        target_value=target_value,
        target_date=target_date,
        milestones=[Point(d, v) for d, v in milestones],
    )


# No data and stale -------------------------------------------------------------------------------


def test_a_measure_without_readings_has_no_data():
    status = measure_status(figures([]), SEPT)
    assert status.state is State.NO_DATA
    assert status.reason == "No data: no readings yet."
    assert status.latest is None and status.change is None


def test_the_days_allowed_are_those_in_the_docs():
    assert STALE_AFTER_DAYS == {
        Frequency.MONTHLY: 45,
        Frequency.QUARTERLY: 120,
        Frequency.TERMLY: 150,
        Frequency.ANNUALLY: 400,
    }


@pytest.mark.parametrize("frequency", list(Frequency))
def test_stale_starts_the_day_after_the_days_allowed(frequency):
    days = STALE_AFTER_DAYS[frequency]
    assert not is_stale(SEPT, frequency, SEPT + timedelta(days=days))
    assert is_stale(SEPT, frequency, SEPT + timedelta(days=days + 1))
    on_time = measure_status(figures([(SEPT, 10)], frequency=frequency), SEPT + timedelta(days=days))
    late = measure_status(figures([(SEPT, 10)], frequency=frequency), SEPT + timedelta(days=days + 1))
    assert on_time.state is State.ON_TRACK
    assert late.state is State.STALE


def test_a_stale_measure_says_since_when():
    status = measure_status(figures([(date(2026, 6, 30), 44), (SEPT, 40)]), SEPT + timedelta(days=121))
    assert status.reason == "Stale: no reading since 30 September 2026 (40 weeks then)."
    assert status.change is Change.BETTER  # still known, and shown beside the status


def test_readings_come_in_any_order_and_the_latest_period_counts():
    status = measure_status(figures([(SEPT, 40), (date(2026, 6, 30), 44)]), SEPT)
    assert status.latest == Point(SEPT, 40) and status.previous == Point(date(2026, 6, 30), 44)


# Against the path from baseline to target --------------------------------------------------------


BASE = (date(2026, 1, 1), 50.0)
TARGET_ON = date(2026, 11, 28)  # 331 days after the baseline


def path_status(value, on=date(2026, 6, 14), direction=LOWER, **changes):
    # 14 June 2026 is 164 days in: 50 - 30 * 164 / 331 = 35.1 expected
    args = dict(baseline=BASE, target_value=20.0, target_date=TARGET_ON, direction=direction)
    if direction is HIGHER:
        args.update(baseline=(BASE[0], 20.0), target_value=50.0)
    args.update(changes)
    return measure_status(figures([(on, value)], **args), on)


def test_the_expected_value_runs_straight_from_baseline_to_target():
    status = path_status(35.1)
    assert status.expected == 35.1
    assert status.state is State.ON_TRACK
    assert status.reason == "On track: 35.1 weeks on 14 June 2026, expected 35.1 weeks or lower by then"


def test_lower_is_better_off_track_just_above_the_path():
    status = path_status(35.2)
    assert status.state is State.OFF_TRACK
    assert status.reason == "Off track: 35.2 weeks on 14 June 2026, expected 35.1 weeks or lower by then"


def test_lower_is_better_on_track_below_the_path():
    assert path_status(35.0).state is State.ON_TRACK


def test_higher_is_better_on_track_at_the_path_and_off_track_just_below():
    # 20 + 30 * 164 / 331 = 34.9
    assert path_status(34.9, direction=HIGHER).state is State.ON_TRACK
    assert path_status(35.5, direction=HIGHER).state is State.ON_TRACK
    below = path_status(34.8, direction=HIGHER)
    assert below.state is State.OFF_TRACK
    assert below.reason == "Off track: 34.8 weeks on 14 June 2026, expected 34.9 weeks or higher by then"


def test_before_the_baseline_date_the_baseline_is_expected_and_after_the_target_date_the_target():
    assert path_status(50, on=BASE[0]).state is State.ON_TRACK
    assert path_status(50.5, on=BASE[0]).state is State.OFF_TRACK
    assert path_status(50, on=date(2025, 12, 1)).expected == 50
    assert path_status(20, on=TARGET_ON).state is State.ON_TRACK
    assert path_status(20.5, on=TARGET_ON).state is State.OFF_TRACK
    assert path_status(20, on=TARGET_ON + timedelta(days=200)).expected == 20


def test_milestones_bend_the_path():
    path = trajectory(
        figures(
            [], baseline=BASE, target_value=20.0, target_date=TARGET_ON, milestones=[(date(2026, 3, 2), 30.0)]
        )
    )
    assert [point.value for point in path] == [50, 30, 20]
    assert expected_on(path, date(2026, 3, 2)) == 30
    assert expected_on(path, date(2026, 1, 31)) == 40  # halfway from 1 January to 2 March (60 days)
    assert (
        round(expected_on(path, date(2026, 7, 15)), 1) == 25
    )  # 135 of the 271 days from 2 March to 28 November
    ahead = measure_status(
        figures(
            [(date(2026, 3, 2), 30)],
            baseline=BASE,
            target_value=20.0,
            target_date=TARGET_ON,
            milestones=[(date(2026, 3, 2), 30.0)],
        ),
        date(2026, 3, 2),
    )
    behind = measure_status(
        figures(
            [(date(2026, 3, 2), 30.1)],
            baseline=BASE,
            target_value=20.0,
            target_date=TARGET_ON,
            milestones=[(date(2026, 3, 2), 30.0)],
        ),
        date(2026, 3, 2),
    )
    assert (ahead.state, behind.state) == (State.ON_TRACK, State.OFF_TRACK)


def test_the_expected_value_is_compared_as_shown_rounded_to_one_decimal():
    # 50 - 30 * 100 / 331 = 40.936...: shown as 40.9, and 40.9 is on track
    assert path_status(40.9, on=BASE[0] + timedelta(days=100)).state is State.ON_TRACK
    assert path_status(41.0, on=BASE[0] + timedelta(days=100)).state is State.OFF_TRACK


def test_the_demo_autism_wait_is_off_track_but_better():
    status = measure_status(
        figures(
            [(date(2026, 6, 30), 44), (SEPT, 40)],
            baseline=(date(2025, 10, 31), 56),
            target_value=18,
            target_date=date(2027, 3, 31),
        ),
        date(2026, 11, 23),
    )
    assert status.state is State.OFF_TRACK
    assert status.reason == (
        "Off track: 40 weeks on 30 September 2026, expected 31.4 weeks or lower by then; "
        "better than the last reading (44 weeks)"
    )


# Against the target alone ------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [{"baseline": None}, {"target_date": None}])
def test_without_a_baseline_or_a_target_date_the_target_itself_is_the_bar(missing):
    args = dict(
        unit="%",
        direction=HIGHER,
        baseline=(date(2026, 1, 31), 40.0),
        target_value=60.0,
        target_date=date(2027, 7, 31),
    )
    args.update(missing)
    at = measure_status(figures([(SEPT, 60)], **args), SEPT)
    below = measure_status(figures([(SEPT, 59.9)], **args), SEPT)
    assert at.state is State.ON_TRACK and below.state is State.OFF_TRACK
    by = " by 31 July 2027" if args["target_date"] else ""
    assert below.reason == f"Off track: 59.9% on 30 September 2026, target 60% or higher{by}"


def test_lower_is_better_against_the_target_alone():
    assert measure_status(figures([(SEPT, 18)]), SEPT).state is State.ON_TRACK
    assert measure_status(figures([(SEPT, 18.5)]), SEPT).state is State.OFF_TRACK


def test_a_measure_saved_without_a_target_says_so():
    status = measure_status(figures([(SEPT, 40)], target_value=None), SEPT)
    assert status.state is State.NO_TARGET
    assert status.reason == "No target: 40 weeks on 30 September 2026; set a target to judge progress."


# Better, worse, no change ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "previous", "latest", "change"),
    [
        (LOWER, 44, 40, Change.BETTER),
        (LOWER, 40, 44, Change.WORSE),
        (LOWER, 40, 40, Change.NO_CHANGE),
        (HIGHER, 80, 82, Change.BETTER),
        (HIGHER, 82, 80, Change.WORSE),
        (HIGHER, 82, 82, Change.NO_CHANGE),
    ],
)
def test_better_and_worse_follow_the_direction(direction, previous, latest, change):
    assert change_between(previous, latest, direction) is change


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ((44, 40), "; better than the last reading (44 weeks)"),
        ((40, 44), "; worse than the last reading (40 weeks)"),
        ((40, 40), "; no change from the last reading (40 weeks)"),
    ],
)
def test_the_sentence_ends_with_the_change_since_the_last_reading(values, words):
    status = measure_status(figures([(date(2026, 6, 30), values[0]), (SEPT, values[1])]), SEPT)
    assert status.reason.endswith(words)


def test_one_reading_has_nothing_to_compare_with():
    status = measure_status(figures([(SEPT, 40)]), SEPT)
    assert status.change is None and "last reading" not in status.reason


# Words and measures ------------------------------------------------------------------------------


def test_values_are_written_with_their_units():
    assert format_value(40, "weeks") == "40 weeks"
    assert format_value(1, "weeks") == "1 week"
    assert format_value(12.5, "days") == "12.5 days"
    assert format_value(82, "%") == "82%"
    assert format_value(7, "count") == "7"


def test_status_of_reads_a_measure_as_loaded():
    reading = SimpleNamespace(period_end=SEPT, value=40.0)
    measure = SimpleNamespace(
        unit="weeks",
        direction=LOWER,
        frequency=Frequency.QUARTERLY,
        readings=[reading],
        baseline_value=56.0,
        baseline_date=None,
        target_value=18.0,
        target_date=date(2027, 3, 31),
        milestones=[SimpleNamespace(due_on=date(2026, 12, 31), value=30.0)],
    )
    assert figures_of(measure).baseline is None  # a baseline value without its date is no starting point
    status = status_of(measure, SEPT)
    assert status.state is State.OFF_TRACK
    assert (
        status.reason == "Off track: 40 weeks on 30 September 2026, target 18 weeks or lower by 31 March 2027"
    )
