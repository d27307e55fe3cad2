"""Importing an action plan from a spreadsheet: read the file, suggest how to read each column, check every
row with the mapping the person chose, then write all of it or nothing (docs/import.md, "Importing a plan").

``read_plan(filename, content) -> PlanSheet``: the table below its title rows, with a ``PlanColumn`` per
column. ``suggested_mapping(sheet) -> PlanMapping``: the mapping saved for these headings, or else one
suggested from them. ``check_plan(sheet, mapping, source_name) -> ImportPreview``: every row's outcome
(create, update, unchanged, left out or its errors), its warnings, the partner values, people who share a
name, and the new findings. Writes nothing. ``preview_plan(filename, stream, mapping=None)`` does all three.
``apply_plan(actor, preview, source_name)`` writes a valid preview in one transaction, with its opening
progress updates and RAG overrides, and saves the choices.
"""

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.dates import today, uk_due_date
from tracker.extensions import db
from tracker.mapping import headings_signature, load_mapping, save_mapping
from tracker.plan.import_columns import (
    CHOICES,
    COLUMNS_KIND,
    FIELDS,
    LEAVE_OUT,
    PARTNER_WORDS_SIGNATURE,
    PARTNERS_KIND,
    People,
    heading_names,
    name_key,
    partner_key,
    partner_words,
    split_people,
    suggest_columns,
)
from tracker.plan.import_rows import (
    NOT_STATED,
    Choices,
    ImportRow,
    Known,
    NewFinding,
    Opening,
    read_row,
    short_text,
    short_title,
    text_of,
)
from tracker.plan.models import Action, Finding, FindingKind, Inspection, InspectionOutcome, Partner, Theme
from tracker.plan.services import (
    FindingData,
    PlanError,
    add_progress_update,
    create_action,
    create_finding,
    set_rag_override,
    update_action,
)
from tracker.spreadsheets import Limits, SpreadsheetError, column_name, find_header_row, read_table
from tracker.text import counted, plural

MAX_ROWS = 5000
LIMITS = Limits(
    rows=2 * MAX_ROWS
)  # blank rows between actions are allowed; MAX_ROWS actions are checked below
RAG_REASON = "imported"
LABELS = {field.key: field.label.split(" (")[0].split(":")[0] for field in FIELDS}

__all__ = [
    "ImportFileError",
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "PlanMapping",
    "apply_plan",
    "check_plan",
    "preview_plan",
    "read_plan",
    "suggested_mapping",
]


class ImportFileError(Exception):
    """The whole file cannot be used; the message is shown to the user."""


@dataclass
class PlanColumn:
    key: str  # the heading as written; "Column P" when it has none; "... (column P)" when written twice
    letters: str
    header: str
    index: int
    samples: list[str]


@dataclass
class PlanSheet:
    filename: str
    header_row: int
    columns: list[PlanColumn]
    rows: list[tuple[int, list[Any]]]  # (row in the file, cells) for each non-blank row below the headings

    @property
    def signature(self) -> str:
        return headings_signature(column.key for column in self.columns)

    def values(self, key: str) -> list[str]:
        column = next(column for column in self.columns if column.key == key)
        return [text_of(cells[column.index]) if column.index < len(cells) else "" for _, cells in self.rows]


@dataclass
class PlanMapping:
    """The person's choices, JSON-serialisable: each column's field, what each partner value means, who each
    shared name is, and whether (and where) to create the findings the tracker does not have."""

    columns: dict[str, str]
    partners: dict[str, str] = field(default_factory=dict)
    people: dict[str, int | None] = field(default_factory=dict)
    create_findings: bool = False
    inspection_id: int | None = None
    theme_id: int | None = None

    def column_of(self, field_key: str) -> str | None:
        return next((key for key, chosen in self.columns.items() if chosen == field_key), None)


@dataclass
class PartnerValue:
    key: str
    written: str
    rows: int
    partner: str  # the chosen or suggested Partner value; "" for none


@dataclass
class SharedName:
    key: str
    written: str
    people: list[User]
    chosen: int | None


@dataclass
class ImportPreview:
    sheet: PlanSheet
    mapping: PlanMapping
    rows: list[ImportRow]
    problems: dict[str, list[str]] = field(
        default_factory=dict
    )  # column key ("" for the file) -> what is wrong
    partners: list[PartnerValue] = field(default_factory=list)
    shared_names: list[SharedName] = field(default_factory=list)
    new_findings: list[NewFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what applies to every row

    @property
    def digest(self) -> str:
        """Names the choices that made these outcomes: an import goes ahead only with
        the choices the person saw."""
        made = {
            "columns": self.mapping.columns,
            "partners": {value.key: value.partner for value in self.partners},
            "people": {name.key: name.chosen for name in self.shared_names},
            "findings": [self.mapping.create_findings, self.mapping.inspection_id, self.mapping.theme_id]
            if self.new_findings
            else None,
        }
        return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()[:32]

    @property
    def kept(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.left_out]

    @property
    def valid(self) -> bool:
        return bool(self.kept) and not self.errors and not self.problems

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
        """Why this file cannot be imported as chosen, in one sentence; None when it can."""
        if self.problems:
            return f"Nothing was imported: {next(iter(self.problems.values()))[0]}"
        if not self.kept:
            return "Nothing was imported: the file has no actions."
        if self.errors:
            return (
                f"Nothing was imported: {counted(self.errors, 'row')} {plural(self.errors, 'has', 'have')} "
                "errors."
            )
        return None


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


# Reading the file ------------------------------------------------------------------------------------------


def read_plan(filename: str, content: bytes) -> PlanSheet:
    """The plan's first sheet from its row of headings down,
    through the one reader (tracker/spreadsheets.py)."""
    if not content.strip():
        raise ImportFileError("The file is empty.")
    try:
        table = read_table(filename, content, LIMITS, percents=True)  # a cell showing 40% is 40 per cent done
    except SpreadsheetError as error:
        raise ImportFileError(str(error)) from None
    if not any(text_of(cell) for row in table.rows for cell in row):
        raise ImportFileError(
            "The file is empty."
            if table.kind == "csv"
            else "The first worksheet is empty: the plan must be on the first worksheet."
        )
    header = find_header_row(table.rows, heading_names())
    rows = [
        (number, cells)
        for number, cells in table.numbered(header + 1)
        if any(text_of(cell) for cell in cells)
    ]
    if not rows:
        raise ImportFileError(f"The file has column names in row {header} but no actions below them.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} actions: split it into smaller files.")
    return PlanSheet(filename, header, _columns(table.rows[header - 1], rows), rows)


def _columns(headings: list[Any], rows: list[tuple[int, list[Any]]]) -> list[PlanColumn]:
    width = max([len(headings), *(len(cells) for _, cells in rows)])
    # examples from rows of more than one text: a section's heading across the table is no example of a column
    varied = [cells for _, cells in rows if len({text_of(cell) for cell in cells} - {""}) > 1]
    columns = []
    for index in range(width):
        letters = column_name(index + 1)
        values = [text_of(cells[index]) for cells in varied if index < len(cells) and text_of(cells[index])]
        header = text_of(headings[index]) if index < len(headings) else ""
        if header or values or any(index < len(cells) and text_of(cells[index]) for _, cells in rows):
            samples = [
                value if len(value) <= 60 else value[:59].rstrip() + "…" for value in dict.fromkeys(values)
            ]
            columns.append(PlanColumn(header or f"Column {letters}", letters, header, index, samples[:3]))
    seen = Counter(column.key for column in columns)
    for column in columns:
        if seen[column.key] > 1:
            column.key = f"{column.key} (column {column.letters})"
    return columns


# Suggesting the mapping -------------------------------------------------------------------------------------


def suggested_mapping(sheet: PlanSheet) -> PlanMapping:
    """The columns as last chosen for these headings, or else as their headings suggest; the newest inspection
    and the first theme for any new findings."""
    saved = (load_mapping(COLUMNS_KIND, sheet.signature) or {}).get("columns", {})
    suggested = suggest_columns({column.key: column.header for column in sheet.columns})
    columns = {key: saved[key] if saved.get(key) in CHOICES else suggested[key] for key in suggested}
    inspection_id, theme_id = new_findings_place()
    return PlanMapping(columns, inspection_id=inspection_id, theme_id=theme_id)


def new_findings_place() -> tuple[int | None, int | None]:
    """Where new findings go unless the person says otherwise: the newest live inspection, the first theme."""
    inspection = db.session.scalar(
        sa.select(Inspection.id)
        .where(Inspection.archived_at.is_(None))
        .order_by(Inspection.start_date.desc().nulls_last(), Inspection.id.desc())
        .limit(1)
    )
    theme = db.session.scalar(
        sa.select(Theme.id).where(Theme.archived_at.is_(None)).order_by(Theme.position, Theme.name).limit(1)
    )
    return inspection, theme


def mapped_rows(sheet: PlanSheet, mapping: PlanMapping) -> list[tuple[int, dict[str, Any], str]]:
    """(row in the file, its cells by field, why it is left out or "") for every row,
    as the mapping reads it."""
    indexes = {
        mapping.columns[column.key]: column.index
        for column in sheet.columns
        if mapping.columns.get(column.key, LEAVE_OUT) != LEAVE_OUT
    }
    rows = []
    for number, cells in sheet.rows:
        values = {name: cells[index] if index < len(cells) else None for name, index in indexes.items()}
        rows.append((number, values, _left_out(values)))
    return rows


def _kept_values(rows: list[tuple[int, dict[str, Any], str]], field_key: str) -> list[str]:
    return [text_of(values.get(field_key)) for _, values, left_out in rows if not left_out]


def partner_values(
    rows: list[tuple[int, dict[str, Any], str]], mapping: PlanMapping, words: dict[str, Partner]
) -> list[PartnerValue]:
    """The distinct values of the partner column, each with the partner chosen for it or the vocabulary's."""
    found: dict[str, PartnerValue] = {}
    for written in _kept_values(rows, "partner"):
        value_key = partner_key(written)
        if value_key:
            found.setdefault(value_key, PartnerValue(value_key, written, 0, ""))
            found[value_key].rows += 1
    for value in found.values():
        chosen = mapping.partners.get(value.key)
        suggested = words.get(value.key)
        value.partner = chosen if chosen is not None else (suggested.value if suggested else "")
    return list(found.values())


def shared_names(
    rows: list[tuple[int, dict[str, Any], str]], mapping: PlanMapping, people: People
) -> list[SharedName]:
    """Names in the owner and contributor columns that more than one active user has."""
    found: dict[str, SharedName] = {}
    for field_key in ("owner", "contributors"):
        for cell in _kept_values(rows, field_key):
            for written in split_people(cell):
                users = people.find(written)
                if len(users) > 1 and name_key(written) not in found:
                    chosen = mapping.people.get(name_key(written))
                    found[name_key(written)] = SharedName(
                        name_key(written), written, users, chosen if chosen in {u.id for u in users} else None
                    )
    return list(found.values())


def _problems(sheet: PlanSheet, mapping: PlanMapping) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = defaultdict(list)
    for key, chosen in mapping.columns.items():
        if chosen not in CHOICES:
            problems[key].append("Choose one of the options in the list.")
    counts = Counter(chosen for chosen in mapping.columns.values() if chosen != LEAVE_OUT)
    for key, chosen in mapping.columns.items():
        if counts[chosen] > 1 and chosen in CHOICES:
            problems[key].append(
                f"Only one column can be “{CHOICES[chosen]}”: choose “Leave out” for the others."
            )
    missing = [wanted for wanted in FIELDS if wanted.required and wanted.key not in counts]
    if "title" not in counts and "description" not in counts:
        problems[""].append(
            "Choose the column that holds the action: “Action title” or “Action: what will be done”."
        )
    for wanted in missing:
        problems[""].append(f"Choose the column that holds “{wanted.label}”.")
    return dict(problems)


# Checking every row -----------------------------------------------------------------------------------------


def check_plan(sheet: PlanSheet, mapping: PlanMapping, source_name: str | None = None) -> ImportPreview:
    """Say what importing the sheet with these choices would do to each row. Writes nothing."""
    words = partner_words()
    known = Known.load(words)
    rows = mapped_rows(sheet, mapping)
    preview = ImportPreview(
        sheet,
        mapping,
        [],
        _problems(sheet, mapping),
        partner_values(rows, mapping, words),
        shared_names(rows, mapping, known.people),
    )
    if preview.problems:
        return preview
    choices = Choices(
        {value.key: value.partner for value in preview.partners}, mapping.people, mapping.create_findings
    )
    fallback = _fallback_due([values.get("due_date") for _, values, _ in rows])
    if mapping.column_of("intended_outcome") is None:
        preview.notes.append(
            f"No column holds the intended outcome: each action records “{NOT_STATED}” until "
            "someone writes one on its page."
        )
    new_findings: dict[str, NewFinding] = {}
    for number, values, left_out in rows:
        if left_out:
            preview.rows.append(ImportRow(number, "", "", outcome="left out", left_out=left_out))
        else:
            preview.rows.append(
                read_row(
                    number,
                    values,
                    LABELS,
                    known,
                    choices,
                    new_findings,
                    fallback,
                    source_name or sheet.filename,
                )
            )
    preview.new_findings = list(new_findings.values())
    if mapping.create_findings and preview.new_findings:
        _check_new_findings_place(preview)
    _flag_duplicates(preview.rows)
    _outcomes(preview.rows)
    return preview


def _left_out(values: dict[str, Any]) -> str:
    """Why a row is not an action: values only in columns left out, or one text alone or across every column
    it fills (a section's title, perhaps merged across the table); "" for a row to read."""
    texts = {text_of(value) for value in values.values()} - {""}
    if not texts:
        return "It has values only in columns that are left out."
    if len(texts) == 1:
        return f"It holds only “{short_text(texts.pop())}”: read as a heading, not an action."
    return ""


def _fallback_due(written: list[Any]) -> date:
    """The due date for an action the plan gives no date yet: the plan's last target date, or the end of the
    financial year after this one when the plan has none."""
    days = []
    for value in written:
        try:
            day, _ = uk_due_date(value)
        except ValueError:
            day = None
        if day:
            days.append(day)
    now = today()
    return max(days) if days else date(now.year + (2 if now.month > 3 else 1), 3, 31)


def _check_new_findings_place(preview: ImportPreview) -> None:
    mapping = preview.mapping
    inspection = db.session.get(Inspection, mapping.inspection_id) if mapping.inspection_id else None
    theme = db.session.get(Theme, mapping.theme_id) if mapping.theme_id else None
    if inspection is None or inspection.is_archived:
        preview.problems.setdefault("findings", []).append(
            "Choose the inspection the new findings belong to."
        )
    if theme is None or theme.is_archived:
        preview.problems.setdefault("findings", []).append("Choose the theme for the new findings.")


def _flag_duplicates(rows: list[ImportRow]) -> None:
    numbers = defaultdict(list)
    for row in rows:
        if row.reference and not row.left_out:
            numbers[row.reference.lower()].append(row.number)
    for row in rows:
        twins = numbers.get(row.reference.lower(), []) if not row.left_out else []
        if len(twins) > 1:
            row.errors.append(
                f"Reference {row.reference} appears more than once in the file "
                f"(rows {', '.join(map(str, twins[:-1]))} and {twins[-1]})."
            )
            row.data = None


def _existing(references: list[str]) -> dict[str, list[Action]]:
    wanted = sorted(set(references))
    actions = (
        db.session.scalars(  # lowered by the database on both sides, as create_action's own check does
            sa.select(Action)
            .where(sa.func.lower(Action.reference).in_([sa.func.lower(reference) for reference in wanted]))
            .options(
                selectinload(Action.findings),
                selectinload(Action.measures),
                selectinload(Action.contributors),
                selectinload(Action.updates),
            )
        ).all()
        if wanted
        else []
    )
    found = defaultdict(list)
    for action in actions:
        found[action.reference.lower()].append(action)
    return found


def _outcomes(rows: list[ImportRow]) -> None:
    existing = _existing([row.reference for row in rows if row.data])
    for row in rows:
        if row.data:
            row.outcome, error = _outcome(existing.get(row.reference.lower(), []), row)
            if error:
                row.errors.append(error)
                row.data = row.opening = None


def _differs(action: Action, row: ImportRow) -> bool:
    """Whether importing the row would change anything: the action's fields, its links,
    or its opening state."""
    data, opening = row.checked()
    fields = (
        "reference",
        "title",
        "description",
        "intended_outcome",
        "owner_id",
        "partner",
        "priority",
        "start_date",
        "status",
        "percent_complete",
    )
    return (
        any(getattr(action, name) != getattr(data, name) for name in fields)
        or action.current_due_date != data.due_date
        or {finding.id for finding in action.findings} != set(data.finding_ids)
        or bool(row.new_findings)
        or {measure.id for measure in action.measures} != set(data.measure_ids)
        or {user.id for user in action.contributors} != set(data.contributor_ids) - {data.owner_id}
        or _new_update(action, opening)
        or _new_override(action, opening)
    )


def _new_update(action: Action, opening: Opening) -> bool:
    latest = action.updates[0] if action.updates else None
    return opening.has_progress and (latest is None or latest.body != opening.body)


def _new_override(action: Action, opening: Opening) -> bool:
    return opening.rag is not None and action.rag_override != opening.rag.value


def _outcome(matches: list[Action], row: ImportRow) -> tuple[str | None, str | None]:
    """(outcome, error) for one valid row, given the actions that already have its reference."""
    if not matches:
        return "create", None
    if len(matches) > 1:
        return (
            None,
            f"More than one action has the reference {row.reference}: rename one in the tracker first.",
        )
    action = matches[0]
    if not _differs(action, row):
        return "unchanged", None
    if action.is_archived:
        return None, f"Action {action.reference} is archived: restore it before importing changes to it."
    return "update", None


def preview_plan(filename: str, stream: BinaryIO, mapping: PlanMapping | None = None) -> ImportPreview:
    """Read a plan and say what importing it would do to each row,
    as suggested or as chosen. Writes nothing."""
    sheet = read_plan(filename, stream.read(LIMITS.file_bytes + 1))
    return check_plan(sheet, mapping or suggested_mapping(sheet), filename)


# Writing ----------------------------------------------------------------------------------------------------


def apply_plan(actor: User | None, preview: ImportPreview, source_name: str) -> ImportResult:
    """Write a checked plan in one transaction: every row, its opening state, and the choices for next time;
    or nothing at all."""
    if not preview.valid:
        raise PlanError(preview.refusal or "Nothing was imported.")
    result = ImportResult(0, 0, 0)
    try:
        created = _create_findings(actor, preview)
        existing = _existing([row.checked()[0].reference for row in preview.kept])
        for row in preview.kept:
            read, _ = row.checked()
            data = replace(
                read, finding_ids=sorted({*read.finding_ids, *(created[key] for key in row.new_findings)})
            )
            outcome = _apply_row(
                actor, replace(row, data=data), existing.get(row.reference.lower(), []), source_name
            )
            setattr(result, outcome, getattr(result, outcome) + 1)
        _save_choices(actor, preview)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise PlanError(
            "Someone else changed the plan at the same moment: nothing was imported. Upload the file again."
        ) from None
    except Exception:
        db.session.rollback()
        raise
    return result


def _create_findings(actor: User | None, preview: ImportPreview) -> dict[str, int]:
    """The new findings the person asked for, numbered after the inspection's own: key -> finding id."""
    if not preview.new_findings:
        return {}
    inspection = db.session.get(Inspection, preview.mapping.inspection_id)
    theme_id = preview.mapping.theme_id
    if inspection is None or theme_id is None:  # a valid preview has both (_check_new_findings_place)
        raise PlanError("Choose the inspection and the theme the new findings belong to.")
    priority = inspection.outcome is InspectionOutcome.SYSTEMIC
    kind = FindingKind.AREA_FOR_PRIORITY_ACTION if priority else FindingKind.AREA_FOR_IMPROVEMENT
    prefix = "APA" if priority else "AFI"
    taken = {
        reference.lower()
        for reference in db.session.scalars(
            sa.select(Finding.reference).where(Finding.inspection_id == inspection.id)
        )
    }
    created, number = {}, 0
    for new in preview.new_findings:
        reference = new.reference if new.reference and new.reference.lower() not in taken else ""
        while not reference:
            number += 1
            reference = f"{prefix}{number}" if f"{prefix}{number}".lower() not in taken else ""
        taken.add(reference.lower())
        finding = create_finding(
            actor,
            FindingData(
                inspection_id=inspection.id,
                theme_id=theme_id,
                kind=kind,
                reference=reference,
                title=short_title(new.wording),
                wording=new.wording,
                accountable_partner=new.partner or Partner.COUNCIL,
            ),
            commit=False,
        )
        created[new.key] = finding.id
    return created


def _apply_row(actor: User | None, row: ImportRow, matches: list[Action], source_name: str) -> str:
    """Create or update one row's action with its opening state;
    the name of the ImportResult count it adds to."""
    outcome, error = _outcome(matches, row)
    try:
        if error:
            raise PlanError(error)
        if outcome == "unchanged":
            return "unchanged"
        data, opening = row.checked()
        if outcome == "create":
            action = create_action(actor, data, commit=False)
        else:
            action = matches[0]
            update_action(
                actor,
                action,
                data,
                seen_version=None,
                due_date_reason=f"Changed by importing {source_name}",
                commit=False,
            )
        _open(actor, action, opening, created=outcome == "create")
        return "created" if outcome == "create" else "updated"
    except PlanError as problem:  # the plan changed since the preview: say which row met it
        raise PlanError(f"Row {row.number} {row.reference}: {problem}") from problem


def _open(actor: User | None, action: Action, opening: Opening, created: bool) -> None:
    """The council's state as the action's progress update, dated today, and its RAG as an override."""
    if created or _new_update(action, opening):
        add_progress_update(
            actor,
            action,
            today(),
            opening.body,
            opening.percent_complete,
            opening.status,
            author=actor or action.owner,
            commit=False,
        )
    if _new_override(action, opening):
        set_rag_override(actor, action, opening.rag, RAG_REASON, commit=False)


def _save_choices(actor: User | None, preview: ImportPreview) -> None:
    """Remember the columns for these headings, and what each partner value meant, for next time."""
    save_mapping(actor, COLUMNS_KIND, preview.sheet.signature, {"columns": preview.mapping.columns})
    chosen = {value.key: value.partner for value in preview.partners if value.partner}
    learned, words = load_mapping(PARTNERS_KIND, PARTNER_WORDS_SIGNATURE) or {}, partner_words()
    taught = {key: value for key, value in chosen.items() if words.get(key) != Partner(value)}
    if taught:
        save_mapping(actor, PARTNERS_KIND, PARTNER_WORDS_SIGNATURE, {**learned, **taught})
