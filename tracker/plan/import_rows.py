"""Reading one row of a plan through the chosen mapping: its cells into an action, with every error and
warning in words, and the findings, people and partners it names matched against the tracker
(docs/import.md)."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.dates import format_date, uk_due_date
from tracker.extensions import db
from tracker.plan.import_columns import (
    COMPLETE,
    STATUS_WORDS,
    People,
    name_key,
    partner_key,
    read_rag,
    split_people,
)
from tracker.plan.models import ActionStatus, Finding, Inspection, Partner, Priority
from tracker.plan.rag import Rag
from tracker.plan.services import ActionData, measure_model
from tracker.spreadsheets import cell_text

NOT_STATED = "Not stated in the imported plan."
REFERENCE_LONGEST = 40  # Finding.reference and Action.reference hold this many characters
_PRIORITIES = {priority.value: priority for priority in Priority}
_REFERENCE = r"[A-Za-z]{0,8}\s?\d+(?:\.\d+)*[A-Za-z]?"
_IS_REFERENCE = re.compile(rf"(?:\d+\s*:\s*)?{_REFERENCE}")
_REFERENCE_FIRST = re.compile(rf"({_REFERENCE})\s*[:.)\-–—]\s*(.+)", re.DOTALL)


def text_of(value: Any) -> str:
    return cell_text(value)


def wording_key(text: str) -> str:
    """A finding's wording as compared: no capitals, punctuation or runs of spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _and(items: list) -> str:
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


def _separator_hint(item: str) -> str:
    return ": separate them with ';'" if "," in item else ""


@dataclass
class Choices:
    """What the person chose on the mapping page, beyond the columns."""

    partners: dict[str, str]  # partner_key -> Partner value ("" when asked and not chosen)
    people: dict[str, int | None]  # name_key -> the user chosen among those who share the name
    create_findings: bool


@dataclass
class Known:
    """What rows refer to, loaded once for the whole file."""

    people: People
    findings: dict[str, list[Finding]]  # by reference, lower case
    wordings: list[tuple[str, Finding]]  # (wording_key of its wording or title, finding)
    measures: dict[str, Any]
    partner_words: dict[str, Partner]

    matched: dict[str, dict[int, Finding]] = field(default_factory=dict)  # by wording_key, as found

    def by_wording(self, key: str) -> dict[int, Finding]:
        """The findings whose wording or title is this; failing that, for 20 characters or more, those whose
        wording contains it or, when 20 characters or more, is contained in it (the report's words shortened,
        or with more around them): a short title such as "EHCPs" is not found inside any longer text."""
        if key not in self.matched:
            found = {finding.id: finding for text, finding in self.wordings if text == key}
            if not found and len(key) >= 20:
                found = {
                    finding.id: finding
                    for text, finding in self.wordings
                    if key in text or (len(text) >= 20 and text in key)
                }
            self.matched[key] = found
        return self.matched[key]

    @classmethod
    def load(cls, partner_words: dict[str, Partner]) -> "Known":
        users = db.session.scalars(sa.select(User).where(User.active.is_(True))).all()
        findings = db.session.scalars(
            sa.select(Finding)
            .join(Finding.inspection)
            .where(Finding.archived_at.is_(None), Inspection.archived_at.is_(None))
            .options(selectinload(Finding.inspection))
            .order_by(Finding.inspection_id, Finding.id)
        ).all()
        measure = measure_model()
        measures = db.session.scalars(sa.select(measure).where(measure.archived_at.is_(None))).all()
        by_reference = defaultdict(list)
        for finding in findings:
            by_reference[finding.reference.lower()].append(finding)
        wordings = [
            (wording_key(text), finding) for finding in findings for text in (finding.wording, finding.title)
        ]
        return cls(
            People(users),
            dict(by_reference),
            wordings,
            {item.name.strip().lower(): item for item in measures},
            partner_words,
        )


@dataclass
class Opening:
    """The action's state as the plan gives it: its first progress update,
    and the council's RAG as an override."""

    body: str
    status: ActionStatus
    percent_complete: int
    rag: Rag | None
    has_progress: bool  # the plan wrote a progress update or evidence (not only the import's own words)


@dataclass
class ImportRow:
    number: int  # the row in the file
    reference: str
    title: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outcome: str | None = None  # "create", "update", "unchanged" or "left out"; None when the row has errors
    data: ActionData | None = None
    opening: Opening | None = None
    new_findings: list[str] = field(default_factory=list)  # keys of NewFinding the row answers
    left_out: str = ""  # why the row is not an action (a heading across the table)

    def checked(self) -> tuple[ActionData, Opening]:
        """The action and its opening state, of a row read without errors
        (as every row of a valid plan is)."""
        if self.data is None or self.opening is None:
            raise ValueError(f"Row {self.number} has errors: it cannot be imported.")
        return self.data, self.opening


@dataclass
class NewFinding:
    key: str
    reference: str  # as the plan wrote it before the wording, or "" to be numbered
    wording: str
    partner: Partner | None
    rows: list[int] = field(default_factory=list)


class RowReader:
    """One row's cells (by field) read into typed values; every problem is added to `errors`."""

    def __init__(
        self,
        cells: dict[str, Any],
        labels: dict[str, str],
        known: Known,
        choices: Choices,
        new_findings: dict[str, NewFinding],
    ):
        self.cells, self.labels, self.known, self.choices = cells, labels, known, choices
        self.new_findings = new_findings
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.new: list[str] = []

    def label(self, name: str) -> str:
        return self.labels[name]

    def mapped(self, name: str) -> bool:
        return name in self.cells

    def text(self, name: str, required: bool = False, longest: int | None = None) -> str:
        value = text_of(self.cells.get(name))
        if required and not value:
            self.errors.append(f"{self.label(name)} is blank.")
        elif longest and len(value) > longest:
            self.errors.append(f"{self.label(name)} is {len(value)} characters long: the most is {longest}.")
        return value

    def date(self, name: str) -> tuple[date | None, str | None]:
        """(the day, or None; the warning when the plan gives no date yet)."""
        try:
            return uk_due_date(self.cells.get(name))
        except ValueError as problem:
            self.errors.append(f"{self.label(name)} {problem}.")
            return None, None

    def choice(self, name: str, choices: dict, allowed: str, default=None):
        written = text_of(self.cells.get(name))
        key = re.sub(r"[\s_-]+", " ", written.lower()).strip()
        if not key:
            return default
        if key not in choices:
            self.errors.append(f"{self.label(name)} “{written}” is not one of {allowed}.")
        return choices.get(key, default)

    def percent(self) -> int | None:
        value = self.cells.get("percent_complete")
        written = text_of(value).removesuffix("%").strip()
        if not written:
            return None
        try:
            number = float(written)
        except ValueError:
            number = None
        if number is None or not number.is_integer():
            self.errors.append(
                f"{self.label('percent_complete')} “{text_of(value)}” is not a whole number from 0 to 100."
            )
            return 0
        if not 0 <= number <= 100:
            self.errors.append(f"{self.label('percent_complete')} {int(number)} is not between 0 and 100.")
        return int(number)

    def rag(self) -> Rag | str | None:
        written = text_of(self.cells.get("rag"))
        try:
            colour, warning = read_rag(written)
        except KeyError:
            self.errors.append(
                f"{self.label('rag')} “{written}” is not red, amber, green or blue (complete)."
            )
            return None
        if warning:
            self.warnings.append(warning)
        return colour

    def partner(self) -> Partner | None:
        written = self.text("partner", required=True)
        if not written:
            return None
        key = partner_key(written)
        chosen = self.choices.partners.get(key)
        if chosen is None:
            partner = self.known.partner_words.get(key)
        else:
            partner = Partner(chosen) if chosen in Partner._value2member_map_ else None
        if partner is None:
            self.errors.append(
                f"{self.label('partner')} “{written}” is not matched: choose which partner it means "
                "under “Partners”."
            )
        return partner

    def person(self, written: str, label: str) -> int | None:
        found = self.known.people.find(written)
        if len(found) == 1:
            return found[0].id
        if not found:
            how = "email" if "@" in written else "name"
            self.errors.append(
                f"{label} “{written}” is not an active user{_separator_hint(written)}: check the {how}, "
                "or add them as a user first."
            )
            return None
        chosen = self.choices.people.get(name_key(written))
        if chosen in {user.id for user in found}:
            return chosen
        self.errors.append(
            f"{label} “{written}” could be {_and([f'{u.name} ({u.email})' for u in found])}: choose "
            "who under “People with the same name”."
        )
        return None

    def people(self) -> tuple[int | None, list[int]]:
        """The owner, and the contributors: anyone after the owner in the owner's cell,
        then the contributors' cell."""
        owner_cell = self.text("owner", required=True)
        named = split_people(owner_cell)
        owner = self.person(named[0], self.label("owner")) if named else None
        others = [self.person(person, self.label("owner")) for person in named[1:]]
        if self.mapped("contributors"):
            others += [
                self.person(person, self.label("contributors"))
                for person in split_people(self.text("contributors"))
            ]
        return owner, sorted({user_id for user_id in others if user_id and user_id != owner})

    def findings(self) -> list[int]:
        written = self.text("findings", required=True)
        if not written:
            return []
        items = _split(written)
        if all(_IS_REFERENCE.fullmatch(item) and len(item) <= 24 for item in items):
            return sorted(
                {finding_id for item in items for finding_id in self._by_reference(item, report=True)}
            )
        return self._by_wording(written)

    def _by_reference(self, item: str, report: bool) -> list[int]:
        prefixed = re.fullmatch(r"(\d+)\s*:\s*(.+)", item)
        reference = prefixed.group(2) if prefixed else item
        matches = [
            finding
            for finding in self.known.findings.get(reference.lower(), [])
            if not prefixed or finding.inspection_id == int(prefixed.group(1))
        ]
        if not matches:
            if report:
                self.errors.append(f"Unknown finding reference {item}{_separator_hint(item)}.")
            return []
        if len({finding.inspection_id for finding in matches}) > 1:
            choices = _and(
                [
                    f"{finding.inspection_id}:{finding.reference} ({finding.inspection.title})"
                    for finding in matches
                ]
            )
            self.errors.append(
                f"Finding reference {item} is in more than one inspection: write one of {choices}."
            )
            return []
        if len(matches) > 1:
            self.errors.append(
                f"Finding reference {item} matches {_and([m.reference for m in matches])}: "
                "write it with the same capitals as the tracker."
            )
            return []
        return [matches[0].id]

    def _by_wording(self, written: str) -> list[int]:
        """A finding named by its wording, perhaps after its reference ("AFI1: waiting times");
        a new one if none."""
        first = _REFERENCE_FIRST.fullmatch(written)
        if first and len(first.group(1)) > REFERENCE_LONGEST:
            first = (
                None  # "1.2.3.4...: text" is not a reference a finding could keep: read it all as the wording
            )
        if first:
            found = self._by_reference(first.group(1), report=False)
            if found or self.errors:
                return found
        wording = first.group(2).strip() if first else written
        key = wording_key(wording)
        matches = self.known.by_wording(key)
        if len(matches) == 1:
            return list(matches)
        if matches:
            names = _and([f"{finding.inspection_id}:{finding.reference}" for finding in matches.values()])
            self.errors.append(
                f"{self.label('findings')} “{short_text(written)}” matches more than one finding ({names}): "
                "write the one it answers."
            )
            return []
        self.new_findings.setdefault(key, NewFinding(key, first.group(1) if first else "", wording, None))
        self.new.append(key)
        if not self.choices.create_findings:
            self.errors.append(
                f"No finding matches “{short_text(written)}”: tick “Create these new findings” under "
                "“New findings”, or write the finding's reference."
            )
        return []

    def measures(self) -> list[int]:
        ids = []
        for name in _split(text_of(self.cells.get("measures"))):
            measure = self.known.measures.get(name.lower())
            if measure is None:
                self.errors.append(f"Unknown measure {name}{_separator_hint(name)}.")
            else:
                ids.append(measure.id)
        return sorted(set(ids))


def short_text(text: str, longest: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= longest else text[: longest - 1].rstrip() + "…"


def short_title(text: str, longest: int = 200) -> str:
    """An action's or finding's title from its longer text: the first sentence,
    cut at a word if still too long."""
    text = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= longest:
        return sentence
    return sentence[: longest - 1].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def _status(reader: RowReader, percent: int | None, rag, has_progress: bool) -> tuple[ActionStatus, int]:
    """The status as written, or else as the plan implies it: blue or 100% is complete; more than 0%, or a
    progress update with no percentage, is in progress."""
    written = reader.choice(
        "status", STATUS_WORDS, "not started, in progress, on hold, complete or cancelled"
    )
    if rag == COMPLETE and written is None:
        written = ActionStatus.COMPLETE
    started = percent or (percent is None and has_progress)
    status = written or (
        ActionStatus.COMPLETE
        if percent == 100
        else ActionStatus.IN_PROGRESS
        if started
        else ActionStatus.NOT_STARTED
    )
    if percent is None:
        percent = 100 if status is ActionStatus.COMPLETE else 0
    if status is ActionStatus.COMPLETE and percent != 100 and 0 <= percent <= 100:
        why = (
            "RAG is blue (complete)"
            if rag == COMPLETE and not text_of(reader.cells.get("status"))
            else "Status is complete"
        )
        reader.errors.append(f"{why} but % complete is {percent}: a complete action is 100% complete.")
    return status, percent


def _body(reader: RowReader, source_name: str, due_note: str) -> tuple[str, bool]:
    """The first progress update's text: the plan's progress update, then the evidence it names."""
    progress, evidence = reader.text("progress"), reader.text("evidence")
    parts = [progress] if progress else []
    if evidence:
        parts.append(f"Evidence named in the plan: {evidence}")
    has_progress = bool(parts)
    if not parts:
        parts.append(f"Imported from {source_name}.")
    if due_note:
        parts.append(due_note)
    return "\n\n".join(parts), has_progress


def read_row(
    number: int,
    cells: dict[str, Any],
    labels: dict[str, str],
    known: Known,
    choices: Choices,
    new_findings: dict[str, NewFinding],
    fallback_due: date,
    source_name: str,
) -> ImportRow:
    reader = RowReader(cells, labels, known, choices, new_findings)
    reference = reader.text("reference", required=True, longest=REFERENCE_LONGEST)
    description = reader.text("description")
    title = reader.text("title", longest=200) or (short_title(description) if description else "")
    if not title:
        reader.errors.append("The action is blank: write its title or what will be done.")
    intended_outcome = reader.text("intended_outcome")
    if not intended_outcome:  # with no such column at all, the preview says so once (ImportPreview.notes)
        intended_outcome = NOT_STATED
        if reader.mapped("intended_outcome"):
            reader.warnings.append(f"No intended outcome: “{NOT_STATED}” is recorded until one is written.")
    finding_ids = reader.findings()
    measure_ids = reader.measures()
    owner_id, contributor_ids = reader.people()
    partner = reader.partner()
    priority = reader.choice("priority", _PRIORITIES, "high, medium or low", Priority.MEDIUM)
    start_date, _ = reader.date("start_date") if reader.mapped("start_date") else (None, None)
    due_date, no_date = reader.date("due_date")
    due_note = ""
    if no_date:
        due_date = fallback_due
        reader.warnings.append(
            f"{labels['due_date']}: {no_date}. The action is due {format_date(fallback_due)}, "
            "the plan's last target date, until one is set."
        )
        due_note = f"The plan gave no target date ({text_of(cells.get('due_date')) or 'blank'})."
    percent = reader.percent()
    rag = reader.rag()
    body, has_progress = _body(reader, source_name, due_note)
    status, percent = _status(reader, percent, rag, has_progress)
    if start_date and due_date and due_date < start_date:
        reader.errors.append(
            f"{labels['due_date']} {format_date(due_date)} is before the start date "
            f"{format_date(start_date)}."
        )
    for key in reader.new:
        new_findings[key].rows.append(number)
        new_findings[key].partner = new_findings[key].partner or partner
    row = ImportRow(
        number, reference, title, reader.errors, reader.warnings, new_findings=list(dict.fromkeys(reader.new))
    )
    if not row.errors:
        # each reader records an error where it has no owner, partner or due date to give
        assert owner_id is not None and partner is not None and due_date is not None
        row.data = ActionData(
            reference=reference,
            title=title,
            description=description,
            intended_outcome=intended_outcome,
            owner_id=owner_id,
            partner=partner,
            priority=priority,
            start_date=start_date,
            due_date=due_date,
            status=status,
            percent_complete=percent,
            finding_ids=finding_ids,
            measure_ids=measure_ids,
            contributor_ids=contributor_ids,
        )
        row.opening = Opening(body, status, percent, rag if isinstance(rag, Rag) else None, has_progress)
    return row
