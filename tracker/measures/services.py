"""The rules of measures: defining them, and adding, correcting and importing their readings."""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.auth.models import User
from tracker.charts import LineChart, line_chart, value_text
from tracker.dates import format_date, today
from tracker.errors import UserError
from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.measures.models import (
    Direction,
    Frequency,
    Measure,
    MeasureMilestone,
    MeasureReading,
    ReadingCorrection,
    measure_finding,
)
from tracker.measures.status import status_of
from tracker.models import Role
from tracker.paging import paginate
from tracker.permissions import visible_evidence_clause
from tracker.plan.models import Action, Finding
from tracker.spreadsheets import Limits, SpreadsheetError, cell_text, find_header_row, heading_key, read_table
from tracker.text import counted, plural

UNITS = ("weeks", "days", "%", "count")
MAX_MILESTONES = 6
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
READING_COLUMNS = ("period_end", "value", "note")
IMPORT_LIMITS = Limits(
    rows=2 * MAX_IMPORT_ROWS, file_bytes=MAX_IMPORT_BYTES
)  # MAX_IMPORT_ROWS readings checked below
MAX_NOTE = 2000


class MeasureError(UserError):
    """A rule of measures was broken; the message is shown to the user.

    `field` names the form field it belongs beside; `row` the milestone row, counting from 0.
    """

    def __init__(self, message: str, field: str | None = None, row: int | None = None):
        super().__init__(message, field)
        self.row = row


class DuplicateReading(MeasureError):
    """The period already has a reading: it is corrected, never added twice."""

    def __init__(self, reading: MeasureReading, unit: str):
        super().__init__(
            f"There is already a reading for the period ending {format_date(reading.period_end)} "
            f"({value_text(reading.value, unit)}). To change it, correct that reading.",
            "period_end",
        )
        self.reading = reading


class ImportProblems(MeasureError):
    """Every problem found in an import file; nothing was saved."""

    def __init__(self, problems: list[str]):
        count = len(problems)
        super().__init__(
            f"Nothing was imported: the file has {counted(count, 'problem')}. "
            "Fix the file and import it again.",
            "file",
        )
        self.problems = problems


# Measures ------------------------------------------------------------------------------------


@dataclass
class MilestoneData:
    due_on: date
    value: float
    label: str = ""


@dataclass
class MeasureData:
    name: str
    description: str
    unit: str
    direction: Direction
    frequency: Frequency
    owner_id: int
    target_value: float | None
    target_date: date | None = None
    baseline_value: float | None = None
    baseline_date: date | None = None
    source: str = ""
    finding_ids: list[int] = field(default_factory=list)
    milestones: list[MilestoneData] = field(default_factory=list)


MAX_READING = 1e9  # beyond any real figure; larger values cannot be drawn or printed sensibly


def value_problem(unit: str, value: float) -> str | None:
    """Why a value cannot be a reading of this unit, or None when it can."""
    if not math.isfinite(value):
        return "Enter a number, like 40 or 12.5."
    if abs(value) > MAX_READING:
        return "Enter a number below one billion."
    if unit == "%" and not 0 <= value <= 100:
        return "A percentage must be from 0 to 100."
    if unit != "%" and value < 0:
        return f"A number of {unit} cannot be below 0." if unit != "count" else "A count cannot be below 0."
    return None


def _check_value(unit: str, value: float | None, name: str, row: int | None = None) -> None:
    problem = value_problem(unit, value) if value is not None else None
    if problem:
        raise MeasureError(problem, name, row)


def _check_measure(data: MeasureData, measure_id: int | None = None) -> None:
    if not data.name:
        raise MeasureError("Enter the measure's name.", "name")
    clash = db.session.scalar(
        sa.select(Measure.id).where(
            sa.func.lower(Measure.name) == sa.func.lower(data.name), Measure.id != (measure_id or 0)
        )
    )
    if clash:
        raise MeasureError(f"There is already a measure called {data.name}.", "name")
    if data.unit not in UNITS:
        raise MeasureError("Choose a unit: weeks, days, % or count.", "unit")
    if (data.baseline_value is None) != (data.baseline_date is None):
        missing = "baseline_value" if data.baseline_value is None else "baseline_date"
        raise MeasureError("Enter both the baseline value and the date it was measured, or neither.", missing)
    if data.target_value is None:
        raise MeasureError("Enter the target value.", "target_value")
    _check_value(data.unit, data.baseline_value, "baseline_value")
    _check_value(data.unit, data.target_value, "target_value")
    if data.baseline_date and data.target_date and data.target_date <= data.baseline_date:
        raise MeasureError("The target date must be after the baseline date.", "target_date")
    _check_milestones(data)
    owner = db.session.get(User, data.owner_id)
    if owner is None or not owner.active or owner.role not in (Role.LEADER, Role.OFFICER):
        raise MeasureError("Choose an owner from the list of active leaders and officers.", "owner_id")


def _check_milestones(data: MeasureData) -> None:
    if len(data.milestones) > MAX_MILESTONES:
        raise MeasureError(f"A measure has at most {MAX_MILESTONES} milestones.", "milestones")
    if not data.milestones:
        return
    baseline, target = data.baseline_date, data.target_date
    if baseline is None or target is None:
        raise MeasureError(
            "Milestones sit between the baseline and the target: enter the baseline date and the "
            "target date first, or leave the milestones empty.",
            "due_on",
            0,
        )
    seen: set[date] = set()
    for row, milestone in enumerate(data.milestones):
        if not baseline < milestone.due_on < target:
            raise MeasureError(
                f"Milestone {row + 1} must fall after the baseline date and before the target date.",
                "due_on",
                row,
            )
        if milestone.due_on in seen:
            raise MeasureError(
                f"Milestone {row + 1} has the same date as another: give each milestone its own date.",
                "due_on",
                row,
            )
        seen.add(milestone.due_on)
        _check_value(data.unit, milestone.value, "value", row)


def _findings(ids: list[int], linked: Sequence[Finding] = ()) -> list[Finding]:
    """The chosen findings: live ones, or archived ones the measure already evidences
    (the form offers no others)."""
    wanted = sorted(set(ids))
    found = db.session.scalars(sa.select(Finding).where(Finding.id.in_(wanted))).all() if wanted else []
    if len(found) != len(wanted):
        raise MeasureError(
            "One of the chosen findings no longer exists. Reload the page and choose again.", "finding_ids"
        )
    if any(finding.is_archived and finding not in linked for finding in found):
        raise MeasureError(
            "One of the chosen findings is archived: choose from the findings listed.", "finding_ids"
        )
    return sorted(found, key=lambda finding: finding.reference)


def _scalars(data: MeasureData) -> dict:
    values = asdict(data)
    for name in ("finding_ids", "milestones"):
        values.pop(name)
    return values


def _milestone_words(milestones) -> list[str]:
    return [
        (
            f"{stone.due_on.isoformat()}: "
            f"{value_text(stone.value, '')}{' (' + stone.label + ')' if stone.label else ''}"
        )
        for stone in sorted(milestones, key=lambda stone: stone.due_on)
    ]


def _clean(data: MeasureData) -> MeasureData:
    data.name, data.description, data.source = (
        data.name.strip(),
        data.description.strip(),
        data.source.strip(),
    )
    for stone in data.milestones:
        stone.label = stone.label.strip()
    return data


def create_measure(actor: User, data: MeasureData) -> Measure:
    """Define a measure: what it counts, which way is better, where it starts and where it should get to."""
    data = _clean(data)
    _check_measure(data)
    measure = Measure(**_scalars(data), findings=_findings(data.finding_ids))
    measure.milestones = [
        MeasureMilestone(due_on=s.due_on, value=s.value, label=s.label) for s in data.milestones
    ]
    db.session.add(measure)
    db.session.flush()
    audit.record(
        actor,
        "measure.created",
        measure,
        after={
            **_scalars(data),
            "findings": [finding.reference for finding in measure.findings],
            "milestones": _milestone_words(data.milestones),
        },
    )
    _commit()
    return measure


def update_measure(actor: User, measure: Measure, data: MeasureData) -> bool:
    """Save a leader's change to a measure; every changed field, link and milestone goes in the audit log."""
    data = _clean(data)
    _check_measure(data, measure.id)
    before, after = audit.diff({name: getattr(measure, name) for name in _scalars(data)}, _scalars(data))
    findings = _findings(data.finding_ids, measure.findings)
    old_refs, new_refs = [f.reference for f in measure.findings], [f.reference for f in findings]
    if old_refs != new_refs:
        before["findings"], after["findings"] = old_refs, new_refs
        measure.findings = findings
    old_stones, new_stones = _milestone_words(measure.milestones), _milestone_words(data.milestones)
    if old_stones != new_stones:
        before["milestones"], after["milestones"] = old_stones, new_stones
        for stone in measure.milestones:
            db.session.delete(stone)
        measure.milestones = [
            MeasureMilestone(due_on=s.due_on, value=s.value, label=s.label) for s in data.milestones
        ]
    if not after:
        return False
    for name in _scalars(data):
        if name in after:
            setattr(measure, name, after[name])
    audit.record(actor, "measure.updated", measure, before=before, after=after)
    _commit()
    return True


def _commit() -> None:
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise MeasureError(
            "Someone else saved the same thing at the same moment. Reload the page and try again."
        )


# Readings ------------------------------------------------------------------------------------


def _check_open(measure: Measure) -> None:
    if measure.is_archived:
        raise MeasureError("This measure is archived: restore it before changing its readings.")


def _reading_problem(measure: Measure, period_end: date, value: float, note: str) -> tuple[str, str] | None:
    """The first reason a reading cannot be saved, with the field it belongs to."""
    if period_end > today():
        return (
            "period_end",
            f"The period end cannot be in the future: {format_date(period_end)} has not come yet.",
        )
    problem = value_problem(measure.unit, value)
    if problem:
        return "value", problem
    if len(note) > MAX_NOTE:
        return "note", f"The note must be {MAX_NOTE} characters or fewer."
    return None


def _reading_for(measure: Measure, period_end: date) -> MeasureReading | None:
    return db.session.scalar(
        sa.select(MeasureReading).where(
            MeasureReading.measure_id == measure.id, MeasureReading.period_end == period_end
        )
    )


def _visible_evidence(actor: User, evidence_id: int | None) -> int | None:
    if evidence_id is None:
        return None
    found = db.session.scalar(
        sa.select(EvidenceItem.id).where(
            EvidenceItem.id == evidence_id,
            EvidenceItem.archived_at.is_(None),
            visible_evidence_clause(actor, EvidenceItem),
        )
    )
    if found is None:
        raise MeasureError("Choose evidence from the list, or no evidence.", "evidence_id")
    return found


def _reading_facts(reading: MeasureReading) -> dict:
    return {
        "measure": reading.measure.name,
        "period_end": reading.period_end,
        "value": reading.value,
        "note": reading.note,
        "evidence_id": reading.evidence_id,
    }


def add_reading(
    actor: User,
    measure: Measure,
    period_end: date,
    value: float,
    note: str = "",
    evidence_id: int | None = None,
) -> MeasureReading:
    """Record the figure for one period; a period that already has one is corrected instead."""
    _check_open(measure)
    note = note.strip()
    problem = _reading_problem(measure, period_end, value, note)
    if problem:
        raise MeasureError(problem[1], problem[0])
    existing = _reading_for(measure, period_end)
    if existing is not None:
        raise DuplicateReading(existing, measure.unit)
    reading = MeasureReading(
        measure=measure,
        period_end=period_end,
        value=value,
        note=note,
        evidence_id=_visible_evidence(actor, evidence_id),
        entered_by=actor,
    )
    db.session.add(reading)
    db.session.flush()
    audit.record(actor, "measure_reading.created", reading, after=_reading_facts(reading))
    _commit()
    return reading


def correct_reading(actor: User, reading: MeasureReading, value: float, note: str, reason: str) -> None:
    """Change a reading's value or note with a reason; the earlier figure is kept beside it."""
    _check_open(reading.measure)
    note, reason = note.strip(), reason.strip()
    if not reason:
        raise MeasureError("Give a reason for correcting the reading.", "reason")
    problem = _reading_problem(reading.measure, reading.period_end, value, note)
    if problem:
        raise MeasureError(problem[1], problem[0])
    if value == reading.value and note == reading.note:
        raise MeasureError(
            "The value and the note are the same as before: change one of them to correct the reading.",
            "value",
        )
    reading.corrections.append(
        ReadingCorrection(
            previous_value=reading.value, previous_note=reading.note, reason=reason, corrected_by_id=actor.id
        )
    )
    audit.record(
        actor,
        "measure_reading.corrected",
        reading,
        before={"value": reading.value, "note": reading.note},
        after={"value": value, "note": note, "reason": reason},
    )
    reading.value, reading.note = value, note
    _commit()


# Importing readings --------------------------------------------------------------------------


@dataclass
class ImportResult:
    added: int
    unchanged: int


@dataclass
class _Row:
    number: int
    period_end: date
    value: float
    note: str


def _parse_date(raw: str) -> date | None:
    for parse in (date.fromisoformat, lambda text: datetime.strptime(text, "%d/%m/%Y").date()):
        try:
            return parse(raw)
        except ValueError:
            continue
    return None


def _parse_value(raw: str, unit: str) -> float | None:
    text = raw[:-1].strip() if unit == "%" and raw.endswith("%") else raw
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_rows(filename: str, content: bytes, measure: Measure) -> tuple[list[_Row], list[tuple[int, str]]]:
    """The readable rows of the file, and a sentence for each row that is not, by its row number.

    A problem with the whole file (its type, size, encoding or columns) raises ImportProblems at once.
    """
    try:  # the one reader (tracker/spreadsheets.py): CSV in any encoding Excel writes, .xlsx and .ods
        table = read_table(filename, content, IMPORT_LIMITS, percents=True)  # a cell showing 40% is 40
    except SpreadsheetError as error:
        raise ImportProblems([str(error)])
    header_number = find_header_row(table.rows, READING_COLUMNS)
    header = [heading_key(name) for name in table.rows[header_number - 1]] if header_number else []
    missing = [name for name in ("period_end", "value") if heading_key(name) not in header]
    if missing:
        raise ImportProblems(
            [
                f"The first row must name the columns period_end and value (and note, if you have notes); "
                f"{' and '.join(missing)} {plural(len(missing), 'is', 'are')} missing."
            ]
        )
    header = [name.replace(" ", "_") for name in header]
    lines = [[cell_text(cell) for cell in row] for row in table.rows[header_number - 1 :]]
    if len(lines) - 1 > MAX_IMPORT_ROWS:
        raise ImportProblems(
            [f"The file has more than {MAX_IMPORT_ROWS} rows: import the readings in smaller files."]
        )
    rows: list[_Row] = []
    problems: list[tuple[int, str]] = []  # (row number, the sentence saying what is wrong)
    for number, cells in enumerate(lines[1:], start=header_number + 1):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        row, problem = _read_row(number, values, measure)
        if problem:
            problems.append((number, problem))
        elif row is not None:
            rows.append(row)
    if not rows and not problems:
        raise ImportProblems(
            ["The file has no readings in it: put one reading on each row below the column names."]
        )
    return rows, problems


def _read_row(number: int, values: dict, measure: Measure) -> tuple[_Row | None, str | None]:
    raw_date, raw_value, note = values["period_end"], values["value"], values.get("note", "")
    if not raw_date:
        return None, f"Row {number}: enter the period end."
    period_end = _parse_date(raw_date)
    if period_end is None:
        return None, (
            f"Row {number}: the period end “{raw_date}” is not a date. "
            "Write it as YYYY-MM-DD or DD/MM/YYYY, like 2026-09-30 or 30/09/2026."
        )
    if not raw_value:
        return None, f"Row {number}: enter the value."
    value = _parse_value(raw_value, measure.unit)
    if value is None:
        return None, f"Row {number}: the value “{raw_value}” is not a number. Write it like 40 or 12.5."
    problem = _reading_problem(measure, period_end, value, note)
    if problem:
        return None, f"Row {number}: {problem[1][0].lower()}{problem[1][1:]}"
    return _Row(number, period_end, value, note), None


def import_readings(actor: User, measure: Measure, filename: str, content: bytes) -> ImportResult:
    """Add every reading in a CSV file, or none: a bad row, or a period already read differently,
    stops it all."""
    _check_open(measure)
    rows, problems = _read_rows(filename, content, measure)
    existing = {reading.period_end: reading for reading in measure.readings}
    first_row: dict[date, int] = {}
    new = []
    for row in rows:
        when = format_date(row.period_end)
        if row.period_end in first_row:
            problems.append(
                (
                    row.number,
                    f"Row {row.number}: the period ending {when} is already on row "
                    f"{first_row[row.period_end]}.",
                )
            )
            continue
        first_row[row.period_end] = row.number
        current = existing.get(row.period_end)
        if current is not None and current.value != row.value:
            problems.append(
                (
                    row.number,
                    f"Row {row.number}: there is already a reading of "
                    f"{value_text(current.value, measure.unit)} for the period ending {when}. To change "
                    "it, correct that reading on the measure's page instead.",
                )
            )
        elif current is None:
            new.append(row)
    if problems:
        raise ImportProblems([problem for _, problem in sorted(problems, key=lambda pair: pair[0])])
    for row in new:
        reading = MeasureReading(
            measure=measure, period_end=row.period_end, value=row.value, note=row.note, entered_by=actor
        )
        db.session.add(reading)
        db.session.flush()
        audit.record(
            actor, "measure_reading.created", reading, after={**_reading_facts(reading), "file": filename}
        )
    if new:
        audit.record(
            actor,
            "measure.readings_imported",
            measure,
            after={"file": filename, "added": len(new), "unchanged": len(rows) - len(new)},
        )
        _commit()
    return ImportResult(added=len(new), unchanged=len(rows) - len(new))


# What the pages show -------------------------------------------------------------------------


def list_measures(archived: bool = False, page: int = 1, per_page: int = 25):
    """One page of measures by name, with what their status needs: a count and four queries."""
    return paginate(
        sa.select(Measure)
        .where(Measure.archived_at.is_not(None) if archived else Measure.archived_at.is_(None))
        .options(
            selectinload(Measure.readings), selectinload(Measure.owner), selectinload(Measure.milestones)
        )
        .order_by(Measure.name, Measure.id),
        page,
        per_page,
    )


def load_measure(measure_id: int) -> Measure:
    return db.first_or_404(
        sa.select(Measure)
        .where(Measure.id == measure_id)
        .options(
            selectinload(Measure.owner),
            selectinload(Measure.findings),
            selectinload(Measure.actions).selectinload(Action.owner),
            selectinload(Measure.milestones),
            selectinload(Measure.readings).selectinload(MeasureReading.entered_by),
            selectinload(Measure.readings)
            .selectinload(MeasureReading.corrections)
            .selectinload(ReadingCorrection.corrected_by),
        )
    )


def load_reading(measure: Measure, reading_id: int) -> MeasureReading:
    return db.first_or_404(
        sa.select(MeasureReading).where(
            MeasureReading.id == reading_id, MeasureReading.measure_id == measure.id
        )
    )


def measure_chart(measure: Measure) -> LineChart:
    """The measure's readings against its baseline, milestones and target, as a chart."""
    baseline = (measure.baseline_date, measure.baseline_value) if measure.baseline_value is not None else None
    target = (measure.target_date, measure.target_value) if measure.target_value is not None else None
    return line_chart(
        measure.name,
        measure.unit,
        [(reading.period_end, reading.value) for reading in measure.readings],
        baseline=baseline,
        target=target,
        milestones=[(stone.due_on, stone.value, stone.label) for stone in measure.milestones],
        lower_is_better=measure.direction is Direction.LOWER_IS_BETTER,
        chart_id=f"measure-{measure.id}-chart",
    )


def linked_evidence(user: User, measure: Measure) -> dict[int, EvidenceItem]:
    """The evidence the readings point to that this person may see, by id, in one query."""
    ids = {reading.evidence_id for reading in measure.readings if reading.evidence_id}
    if not ids:
        return {}
    items = db.session.scalars(
        sa.select(EvidenceItem).where(EvidenceItem.id.in_(ids), visible_evidence_clause(user, EvidenceItem))
    )
    return {item.id: item for item in items}


def evidence_choices(user: User, limit: int = 500) -> Sequence[EvidenceItem]:
    """Live evidence this person may see, newest first, to point a reading to."""
    return db.session.scalars(
        sa.select(EvidenceItem)
        .where(EvidenceItem.archived_at.is_(None), visible_evidence_clause(user, EvidenceItem))
        .order_by(EvidenceItem.about_date.desc(), EvidenceItem.id.desc())
        .limit(limit)
    ).all()


def possible_owners() -> Sequence[User]:
    """Active leaders and officers: the people who may add a measure's readings."""
    return db.session.scalars(
        sa.select(User)
        .where(User.active.is_(True), User.role.in_([Role.LEADER, Role.OFFICER]))
        .order_by(User.name)
    ).all()


def finding_section(user, finding) -> dict:
    """The live measures that evidence a finding, with their status, for the finding's page."""
    measures = db.session.scalars(
        sa.select(Measure)
        .join(measure_finding, measure_finding.c.measure_id == Measure.id)
        .where(measure_finding.c.finding_id == finding.id, Measure.archived_at.is_(None))
        .options(selectinload(Measure.readings), selectinload(Measure.milestones))
        .order_by(Measure.name)
    ).all()
    on = today()
    return {"rows": [(measure, status_of(measure, on)) for measure in measures]}
