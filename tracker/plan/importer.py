"""Importing an action plan from a spreadsheet: read the file, check every row, then write all of it or nothing."""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

import openpyxl
import sqlalchemy as sa
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.spreadsheets import Limits, SpreadsheetError, column_name, find_header_row, read_table
from tracker.plan.models import Action, ActionStatus, Finding, Inspection, Partner, Priority
from tracker.plan.services import ActionData, PlanError, create_action, measure_model, update_action

MAX_ROWS = 5000
LIMITS = Limits(rows=2 * MAX_ROWS)  # blank rows between actions are allowed; MAX_ROWS actions are checked below
DATE_HINT = "use YYYY-MM-DD or DD/MM/YYYY"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str


COLUMNS: list[Column] = [
    Column("reference", True, "The action's reference, such as A1. Each reference once in the file; an action "
                              "already in the tracker with the same reference (ignoring capitals) is updated."),
    Column("title", True, "A short name for the action, up to 200 characters."),
    Column("description", False, "What will be done."),
    Column("intended_outcome", True, "What will be different for children, young people and families."),
    Column("findings", True, "References of the findings the action answers, separated by ';', e.g. AFI1; AFI3. "
                             "When two inspections have a finding with the same reference, put the inspection "
                             "number and a colon first, e.g. 3:AFI1."),
    Column("measures", False, "Names of the measures that will show impact, separated by ';'."),
    Column("owner_email", True, "The email of the owner, who must be an active user."),
    Column("contributor_emails", False, "Emails of contributors, active users, separated by ';'."),
    Column("partner", True, "Council, ICB, Council and ICB (or both), or Other."),
    Column("priority", False, "High, medium or low. Blank means medium."),
    Column("start_date", False, "A date cell, or YYYY-MM-DD or DD/MM/YYYY."),
    Column("due_date", True, "A date cell, or YYYY-MM-DD or DD/MM/YYYY."),
    Column("status", False, "Not started, in progress, on hold, complete or cancelled. Blank means not started."),
    Column("percent_complete", False, "A whole number from 0 to 100. Blank means 0. A complete action is 100."),
]
_COLUMN_NAMES = [column.name for column in COLUMNS]

_PARTNERS = {"council": Partner.COUNCIL, "icb": Partner.ICB, "both": Partner.BOTH, "council and icb": Partner.BOTH,
             "council & icb": Partner.BOTH, "other": Partner.OTHER}
_PRIORITIES = {priority.value: priority for priority in Priority}
_STATUSES = {status.value.replace("_", " "): status for status in ActionStatus}


class ImportFileError(Exception):
    """The whole file cannot be used; the message is shown to the user."""


@dataclass
class ImportRow:
    number: int  # the spreadsheet's row number: the column names are row 1
    reference: str
    title: str
    errors: list[str] = field(default_factory=list)
    outcome: str | None = None  # "create", "update" or "unchanged"; None when the row has errors
    data: ActionData | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors

    def _count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def creates(self) -> int:
        return self._count("create")

    @property
    def updates(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def errors(self) -> int:
        """The number of rows with at least one error."""
        return sum(1 for row in self.rows if row.errors)

    @property
    def refusal(self) -> str | None:
        """Why this file cannot be imported, in one sentence; None when it can."""
        if not self.rows:
            return "Nothing was imported: the file has no actions."
        if self.errors:
            return f"Nothing was imported: {'1 row has' if self.errors == 1 else f'{self.errors} rows have'} errors."
        return None


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


# Reading the file into rows of cells -------------------------------------------------------


def _read_table(filename: str, data: bytes) -> list[list[Any]]:
    """The cells of the first sheet, through the one reader (tracker/spreadsheets.py)."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    try:
        table = read_table(filename, data, LIMITS, percents=True)  # a cell showing 40% is 40 per cent done
    except SpreadsheetError as error:
        raise ImportFileError(str(error)) from None
    if table.kind != "csv" and not any(_text(cell) for row in table.rows for cell in row):
        raise ImportFileError("The first worksheet is empty: the plan must be on the first worksheet.")
    return table.rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _header(cells: list[Any], number: int) -> list[str]:
    """Column names as written in row `number`, lower case, with spaces allowed in place of underscores."""
    names = [re.sub(r"[\s_]+", "_", _text(cell).lower()) for cell in cells]
    written = [_text(cell) for cell in cells]
    problems = []
    unknown = [text for name, text in zip(names, written) if name and name not in _COLUMN_NAMES]
    if unknown:
        problems.append(f"Unknown columns: {', '.join(unknown)}.")
    twice = [name for name in _COLUMN_NAMES if names.count(name) > 1]
    if twice:
        problems.append(f"Columns named more than once: {', '.join(twice)}.")
    missing = [column.name for column in COLUMNS if column.required and column.name not in names]
    if missing:
        problems.append(f"Missing columns: {', '.join(missing)}.")
    if problems:
        raise ImportFileError(" ".join([f"Row {number} must hold the column names.", *problems]))
    return names


def _records(table: list[list[Any]]) -> list[tuple[int, dict[str, Any], list[str]]]:
    """(row number, cells by column name, errors about values outside the named columns) per non-blank row.

    The column names are in the first row holding them, below any title rows (spreadsheets.find_header_row).
    """
    if not any(_text(cell) for row in table for cell in row):
        raise ImportFileError("The file is empty.")
    header = find_header_row(table, _COLUMN_NAMES)
    names = _header(table[header - 1], header)
    records = []
    for number, cells in enumerate(table[header:], start=header + 1):
        if not any(_text(cell) for cell in cells):
            continue
        values = {name: cell for name, cell in zip(names, cells) if name}
        stray = [f"Column {column_name(index + 1)} has a value but no column name in row {header}."
                 for index, cell in enumerate(cells) if (index >= len(names) or not names[index]) and _text(cell)]
        records.append((number, values, stray))
    if not records:
        raise ImportFileError(f"The file has column names in row {header} but no actions below them.")
    if len(records) > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} actions: split it into smaller files.")
    return records


# Checking each row against the tracker -----------------------------------------------------


@dataclass
class _Known:
    """What rows refer to, loaded once for the whole file."""

    users: dict[str, User]
    findings: dict[str, list[Finding]]
    measures: dict[str, Any]

    @classmethod
    def load(cls) -> "_Known":
        users = db.session.scalars(sa.select(User).where(User.active.is_(True))).all()
        findings = db.session.scalars(
            sa.select(Finding).join(Finding.inspection)
            .where(Finding.archived_at.is_(None), Inspection.archived_at.is_(None))
            .options(selectinload(Finding.inspection)).order_by(Finding.inspection_id)
        ).all()
        measure = measure_model()
        measures = db.session.scalars(sa.select(measure).where(measure.archived_at.is_(None))).all()
        by_reference = defaultdict(list)
        for finding in findings:
            by_reference[finding.reference.lower()].append(finding)
        return cls({user.email.lower(): user for user in users}, dict(by_reference),
                   {item.name.strip().lower(): item for item in measures})


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _and(items: list) -> str:
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


def _separator_hint(item: str) -> str:
    return ": separate them with ';'" if "," in item else ""


class _Row:
    """One row's cells read into typed values; every problem found is added to `errors`."""

    def __init__(self, cells: dict[str, Any], known: _Known):
        self.cells, self.known, self.errors = cells, known, []

    def label(self, name: str) -> str:
        return name.replace("_", " ").capitalize()

    def text(self, name: str, required: bool = False, longest: int | None = None) -> str:
        value = _text(self.cells.get(name))
        if required and not value:
            self.errors.append(f"{self.label(name)} is blank.")
        elif longest and len(value) > longest:
            self.errors.append(f"{self.label(name)} is {len(value)} characters long: the most is {longest}.")
        return value

    def date(self, name: str, required: bool = False) -> date | None:
        value = self.cells.get(name)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        written = _text(value)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", written)
        british = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", written)
        if not written:
            if required:
                self.errors.append(f"{self.label(name)} is blank.")
            return None
        if not (iso or british):
            self.errors.append(f"{self.label(name)} '{written}' is not a date: {DATE_HINT}.")
            return None
        year, month, day = (int(part) for part in (iso.groups() if iso else reversed(british.groups())))
        try:
            return date(year, month, day)
        except ValueError:
            self.errors.append(f"{self.label(name)} '{written}' is not a real date: {DATE_HINT}.")
            return None

    def choice(self, name: str, choices: dict, allowed: str, default=None):
        written = _text(self.cells.get(name))
        key = re.sub(r"[\s_-]+", " ", written.lower())
        if not key:
            if default is None:
                self.errors.append(f"{self.label(name)} is blank: write {allowed}.")
            return default
        if key not in choices:
            self.errors.append(f"{self.label(name)} '{written}' is not one of {allowed}.")
        return choices.get(key, default)

    def percent(self) -> int:
        value = self.cells.get("percent_complete")
        written = _text(value).removesuffix("%").strip()
        if not written:
            return 0
        try:
            number = float(written)
        except ValueError:
            number = None
        if number is None or not number.is_integer():
            self.errors.append(f"Percent complete '{_text(value)}' is not a whole number from 0 to 100.")
            return 0
        if not 0 <= number <= 100:
            self.errors.append(f"Percent complete {int(number)} is not between 0 and 100.")
        return int(number)

    def user(self, email: str, label: str) -> int | None:
        user = self.known.users.get(email.lower())
        if user is None:
            self.errors.append(f"{label} {email} is not an active user{_separator_hint(email)}.")
        return user.id if user else None

    def findings(self) -> list[int]:
        ids = []
        for item in _split(_text(self.cells.get("findings"))):
            prefixed = re.fullmatch(r"(\d+)\s*:\s*(.+)", item)
            reference = prefixed.group(2) if prefixed else item
            matches = [finding for finding in self.known.findings.get(reference.lower(), [])
                       if not prefixed or finding.inspection_id == int(prefixed.group(1))]
            if not matches:
                self.errors.append(f"Unknown finding reference {item}{_separator_hint(item)}.")
            elif len({finding.inspection_id for finding in matches}) > 1:
                choices = _and([f"{finding.inspection_id}:{finding.reference} ({finding.inspection.title})"
                                for finding in matches])
                self.errors.append(f"Finding reference {item} is in more than one inspection: "
                                   f"write one of {choices}.")
            elif len(matches) > 1:
                self.errors.append(f"Finding reference {item} matches {_and([m.reference for m in matches])}: "
                                   "write it with the same capitals as the tracker.")
            else:
                ids.append(matches[0].id)
        return sorted(set(ids))

    def measures(self) -> list[int]:
        ids = []
        for name in _split(_text(self.cells.get("measures"))):
            measure = self.known.measures.get(name.lower())
            if measure is None:
                self.errors.append(f"Unknown measure {name}{_separator_hint(name)}.")
            else:
                ids.append(measure.id)
        return sorted(set(ids))


def _check_row(number: int, cells: dict[str, Any], stray: list[str], known: _Known) -> ImportRow:
    row = _Row(cells, known)
    reference = row.text("reference", required=True, longest=40)
    title = row.text("title", required=True, longest=200)
    description = row.text("description")
    intended_outcome = row.text("intended_outcome", required=True)
    findings_written = row.text("findings", required=True)
    finding_ids = row.findings() if findings_written else []
    measure_ids = row.measures()
    owner_email = row.text("owner_email", required=True)
    owner_id = row.user(owner_email, "Owner email") if owner_email else None
    contributor_ids = [row.user(email, "Contributor email") for email in _split(row.text("contributor_emails"))]
    partner = row.choice("partner", _PARTNERS, "Council, ICB, Council and ICB or Other")
    priority = row.choice("priority", _PRIORITIES, "high, medium or low", Priority.MEDIUM)
    start_date = row.date("start_date")
    due_date = row.date("due_date", required=True)
    status = row.choice("status", _STATUSES, "not started, in progress, on hold, complete or cancelled",
                        ActionStatus.NOT_STARTED)
    percent = row.percent()
    if start_date and due_date and due_date < start_date:
        row.errors.append(f"Due date {_words(due_date)} is before the start date {_words(start_date)}.")
    if status is ActionStatus.COMPLETE and percent != 100 and 0 <= percent <= 100:
        row.errors.append(f"Status is complete but percent complete is {percent}: a complete action is 100% complete.")
    result = ImportRow(number, reference, title, [*row.errors, *stray])
    if not result.errors:
        result.data = ActionData(
            reference=reference, title=title, description=description, intended_outcome=intended_outcome,
            owner_id=owner_id, partner=partner, priority=priority, start_date=start_date, due_date=due_date,
            status=status, percent_complete=percent, finding_ids=finding_ids, measure_ids=measure_ids,
            contributor_ids=sorted({user_id for user_id in contributor_ids if user_id != owner_id}),
        )
    return result


def _flag_duplicates(rows: list[ImportRow]) -> None:
    numbers = defaultdict(list)
    for row in rows:
        if row.reference:
            numbers[row.reference.lower()].append(row.number)
    for row in rows:
        twins = numbers.get(row.reference.lower(), [])
        if len(twins) > 1:
            row.errors.append(f"Reference {row.reference} appears more than once in the file (rows {_and(twins)}).")
            row.data = None


# Comparing with the plan as it stands ------------------------------------------------------


def _existing(references: list[str]) -> dict[str, list[Action]]:
    wanted = sorted(set(references))
    actions = db.session.scalars(  # lowered by the database on both sides, as create_action's own check does
        sa.select(Action).where(sa.func.lower(Action.reference).in_([sa.func.lower(reference) for reference in wanted]))
        .options(selectinload(Action.findings), selectinload(Action.measures), selectinload(Action.contributors))
    ).all() if wanted else []
    found = defaultdict(list)
    for action in actions:
        found[action.reference.lower()].append(action)
    return found


def _differs(action: Action, data: ActionData) -> bool:
    """Whether update_action would change anything; the due date compares with the current (revised) one."""
    fields = ("reference", "title", "description", "intended_outcome", "owner_id", "partner", "priority",
              "start_date", "status", "percent_complete")
    return (
        any(getattr(action, name) != getattr(data, name) for name in fields)
        or action.current_due_date != data.due_date
        or {finding.id for finding in action.findings} != set(data.finding_ids)
        or {measure.id for measure in action.measures} != set(data.measure_ids)
        or {user.id for user in action.contributors} != set(data.contributor_ids) - {data.owner_id}
    )


def _outcome(matches: list[Action], data: ActionData) -> tuple[str | None, str | None]:
    """(outcome, error) for one valid row, given the actions that already have its reference."""
    if not matches:
        return "create", None
    if len(matches) > 1:
        return None, f"More than one action has the reference {data.reference}: rename one in the tracker first."
    action = matches[0]
    if not _differs(action, data):
        return "unchanged", None
    if action.is_archived:
        return None, f"Action {action.reference} is archived: restore it before importing changes to it."
    return "update", None


# The service -------------------------------------------------------------------------------


def preview_plan(filename: str, stream: BinaryIO) -> ImportPreview:
    """Read a plan and say what importing it would do to each row. Writes nothing."""
    records = _records(_read_table(filename, stream.read()))
    known = _Known.load()
    rows = [_check_row(number, cells, stray, known) for number, cells, stray in records]
    _flag_duplicates(rows)
    existing = _existing([row.reference for row in rows if row.data])
    for row in rows:
        if row.data:
            row.outcome, error = _outcome(existing.get(row.reference.lower(), []), row.data)
            if error:
                row.errors.append(error)
                row.data = None
    return ImportPreview(rows)


def apply_plan(actor: User | None, preview: ImportPreview, source_name: str) -> ImportResult:
    """Write a checked plan in one transaction: every row, or nothing at all."""
    if not preview.valid:
        raise PlanError(preview.refusal)
    result = ImportResult(0, 0, 0)
    try:
        existing = _existing([row.data.reference for row in preview.rows])
        for row in preview.rows:
            outcome = _apply_row(actor, row, existing.get(row.data.reference.lower(), []), source_name)
            setattr(result, outcome, getattr(result, outcome) + 1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _apply_row(actor: User | None, row: ImportRow, matches: list[Action], source_name: str) -> str:
    """Create or update one row's action; the name of the ImportResult count it adds to."""
    outcome, error = _outcome(matches, row.data)
    try:
        if error:
            raise PlanError(error)
        if outcome == "create":
            create_action(actor, row.data, commit=False)
            return "created"
        if outcome == "update":
            update_action(actor, matches[0], row.data, seen_version=None,
                          due_date_reason=f"Changed by importing {source_name}", commit=False)
            return "updated"
        return "unchanged"
    except PlanError as problem:  # the plan changed since the preview: say which row met it
        raise PlanError(f"Row {row.number} {row.reference}: {problem}") from problem


# Templates to fill in ----------------------------------------------------------------------

_EXAMPLE = {
    "reference": "A1", "title": "Publish a clear guide to the local offer",
    "description": "Rewrite the local offer pages with the parent carer forum.",
    "intended_outcome": "Parents find the support available without having to ask.",
    "findings": "AFI1; AFI3", "measures": "", "owner_email": "owner@council.example",
    "contributor_emails": "", "partner": "Council", "priority": "high",
    "start_date": date(2026, 1, 5), "due_date": date(2026, 7, 31), "status": "in progress", "percent_complete": 20,
}


def template_csv() -> bytes:
    """The column names and one example row, with a byte order mark so Excel reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_COLUMN_NAMES)
    writer.writerow([_text(_EXAMPLE[name]) for name in _COLUMN_NAMES])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The column names (bold, frozen) and one example row; a second sheet explains each column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(_COLUMN_NAMES)
    sheet.append([_EXAMPLE[name] for name in _COLUMN_NAMES])
    for index, name in enumerate(_COLUMN_NAMES, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(name) + 4)
        if name.endswith("_date"):
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Columns")
    notes.append(["column", "required", "what to write"])
    for column in COLUMNS:
        notes.append([column.name, "yes" if column.required else "no", column.description])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width, notes.column_dimensions["C"].width = 20, 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
