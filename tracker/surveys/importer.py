"""Importing survey replies from the files people actually have; writes every reply or nothing.

How each column is suggested (the rules in suggestions.py, scales.py; docs/survey-import.md) goes by
the shape of its answers: comments are sentences given once each, a scale is a single choice, a
column of reply numbers is ignored, and dates are read day first unless the dates show otherwise.

Files: ``.csv`` or ``.xlsx`` exported from Microsoft Forms ("Open in Excel"), SurveyMonkey
("all responses", two header rows), SmartSurvey, or any spreadsheet with one row of headings.
CSV may be UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark, or
Windows-1252; it may be separated by commas, semicolons or tabs.

The API
-------
``SurveyFileError``
    The file, or the mapping chosen for it, cannot be imported. ``str(error)`` is one line fit
    for the user (and for the CLI's ``Error: ...``); ``error.problems`` lists every ``Problem``
    with its ``message``, the ``column`` key it is about (or None) and the group answer
    ``value`` it is about (or None; ``""`` for the group column as a whole).

``preview_replies(filename, content, survey=None) -> SurveyPreview``
    Reads the file and writes nothing. The preview gives the detected ``source_format`` (a key
    of ``FORMATS``), the ``columns`` (``PreviewColumn``: ``key``, ``letters``, ``header``,
    ``question`` text, suggested ``role``, ``samples``, ``answered``, ``personal``: the personal data its
    heading asks for, by ``suggestions.personal_heading``; ``column.roles(keep_personal)``: the ways it may be
    read), the suggested ``group_column`` and its distinct ``group_values`` (``GroupValue``: value, replies,
    suggested audience), ``audience`` (the suggested "every reply is from", when no column varies by audience:
    the file's one audience, else the survey's only audience, else the one the file's name gives), ``rows``
    (the number of replies), ``errors`` (rows that cannot be read however the columns are mapped; a file with
    errors cannot be imported) and ``mapping`` (the suggested mapping). ``preview.values_of(key)`` gives the
    distinct answers of any column. Given a survey, a file already imported into it is refused.

The mapping (JSON-serialisable; the CLI's ``--mapping FILE.json`` is the same)::

    {"columns": {"<column key>": "<role>", ...},
     "audiences": {"<answer in the group column>": "<audience>", ...},
     "audience": "<audience>"}   # instead of a group column: every reply is from this audience

    A column key is its heading in row 1 (SurveyMonkey: the question; a column split from a
    SurveyMonkey question is "question | label from row 2"; a repeated heading gets
    " (column F)"). Roles are the keys of ``ROLES``: "ignore", the question kinds
    "single_choice", "multiple_choice", "yes_no", "rating", "free_text", and "group" (one column,
    or else "audience": who replied), "respondent" (identifies a person, stored only as a one-way id
    keyed with a secret: ``respondent_key``), "team", "submitted_at", "respondent_name" and "respondent_email"
    (personal data, stored only when chosen, and only a leader or the command line may choose them), each at
    most once. A column left out is ignored. IP addresses are never stored. A column whose heading asks for
    personal data (a name, email, phone, address, postcode, date of birth, NHS or pupil number) is never a
    question, comments or a team (``refusal``). Audiences are "parents_carers", "sencos",
    "children_young_people", "practitioners"; answers match ignoring capitals and spaces at either end. A
    "format" key is allowed and ignored.

``import_replies(actor, survey, filename, content, mapping, *, commit=True) -> SurveyImport``
    Checks every row against the mapping, then in one transaction creates the survey's missing
    groups and questions (matched to earlier imports by ``source_column``), one ``SurveyReply``
    per row, a ``SurveyAnswer`` per chosen option (one per selected option for multiple
    choice), a ``SurveyComment`` per free-text answer, the ``SurveyImport`` and an audit event.
    Any problem raises ``SurveyFileError`` and nothing is kept. The same file (same SHA-256)
    twice into one survey is refused. Replies whose ID (Microsoft Forms "ID", SurveyMonkey
    "Respondent ID", SmartSurvey "UserID", or "UserNo" when the export has no UserID) is already in the
    survey are skipped, so a later
    export with more replies adds only the new ones; ``preview.rows - result.replies`` were skipped.
    ``commit=False`` leaves the commit (and any rollback) to the caller, as the demo loader does.
"""

import base64
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.dates import day_first_order, parse_date_time
from tracker.extensions import db
from tracker.permissions import can_see_respondents
from tracker.spreadsheets import Limits, SpreadsheetError, column_name, read_table
from tracker.surveys.models import (
    Audience,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyGroup,
    SurveyImport,
    SurveyQuestion,
    SurveyReply,
)
from tracker.surveys.scales import is_scale
from tracker.surveys.suggestions import (
    PERSONAL_KINDS,
    audiences_named,
    is_free_text,
    is_identifier,
    names_teams,
    personal_heading,
    suggest_audience,
)
from tracker.text import counted, plural

MAX_ROWS = 20_000
KEYED = "k1:"  # a respondent id keyed with the secret (respondent_key); a bare 64-character SHA-256 is not
LIMITS = Limits(
    rows=2 * MAX_ROWS
)  # blank rows between replies are allowed; MAX_ROWS replies are checked below
SHOWN_PROBLEMS = 3
LONDON = ZoneInfo("Europe/London")

KINDS = {
    "single_choice": "Question: single choice",
    "multiple_choice": "Question: multiple choice",
    "yes_no": "Question: yes or no",
    "rating": "Question: rating (a whole number)",
    "free_text": "Question: free text (comments)",
}
ROLES = {
    "ignore": "Do not import",
    **KINDS,
    "group": "Who replied (the respondent group)",
    "respondent": "Identifies the respondent (kept only as a one-way hash)",
    "team": "Team the reply is about",
    "submitted_at": "Date and time submitted",
    "respondent_name": "Respondent's name (personal data)",
    "respondent_email": "Respondent's email (personal data)",
}
ONCE = ("group", "respondent", "team", "submitted_at", "respondent_name", "respondent_email")
AUDIENCES = {audience.value: audience.label for audience in Audience}
_KIND_NAMES = {
    "single_choice": "a single choice",
    "yes_no": "yes or no",
    "rating": "a rating",
    "free_text": "free text",
}


@dataclass(frozen=True)
class Format:
    label: str
    layouts: tuple[
        frozenset[str], ...
    ]  # sets of headings, in lower case: a file with every heading of one is this tool's
    header_rows: int
    reply_ids: tuple[str, ...]  # the headings of the tool's reply id, the one to prefer first
    submitted_at: str | None
    metadata: frozenset[str]


FORMATS = {
    "microsoft_forms": Format(
        "Microsoft Forms",
        (frozenset({"id", "start time", "completion time"}),),
        1,
        ("id",),
        "completion time",
        frozenset(
            {
                "id",
                "start time",
                "completion time",
                "email",
                "name",
                "last modified time",
                "total points",
                "quiz feedback",
            }
        ),
    ),
    "surveymonkey": Format(
        "SurveyMonkey",
        (frozenset({"respondent id", "collector id"}),),
        2,
        ("respondent id",),
        "end date",
        frozenset(
            {
                "respondent id",
                "collector id",
                "start date",
                "end date",
                "ip address",
                "email address",
                "first name",
                "last name",
                "custom data 1",
                "custom data",
            }
        ),
    ),
    # SmartSurvey's export starts UserID, UserNo, Name, Email, IP Address, Unique ID, Started, Ended, but each
    # of these can be left out when exporting: UserNo (the reply's number in the survey) alone
    # is SmartSurvey's too
    "smartsurvey": Format(
        "SmartSurvey",
        (frozenset({"userid", "userno"}), frozenset({"userno"}), frozenset({"userid", "started", "ended"})),
        1,
        ("userid", "userno"),
        "ended",
        frozenset(
            {
                "userid",
                "userno",
                "name",
                "email",
                "ip address",
                "unique id",
                "started",
                "ended",
                "status",
                "completed",
                "invite custom field",
                "custom field",
            }
        ),
    ),
    "spreadsheet": Format("A spreadsheet with one row of headings", (), 1, (), None, frozenset()),
}
_GENERIC_REPLY_IDS = {"response id", "reply id", "submission id", "respondent id", "id"}
_GENERIC_SUBMITTED = {
    "timestamp",
    "submitted",
    "submitted at",
    "submission date",
    "date submitted",
    "completed",
    "completion time",
    "completed at",
    "end date",
    "ended",
}
_YES, _NO = {"yes", "y", "true"}, {"no", "n", "false"}
_SM_SINGLE, _SM_OPEN, _SM_OTHER = "response", "open-ended response", "other (please specify)"
_GROUP_HEADINGS = ("are you", "i am", "role", "who are you", "respondent type", "capacity", "describes you")
_RESPONDENT_HEADINGS = re.compile(
    r"\b(school|setting|respondent (id|identifier|key)|unique (id|identifier))\b"
)
_NUMBERING = re.compile(r"^\s*(q\s*)?\d{1,3}\s*[.:)]\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    message: str
    column: str | None = None
    value: str | None = None
    audience: bool = False  # about "Every reply is from ...": the mapping's one audience for the whole file


class SurveyFileError(Exception):
    """The file or its mapping cannot be imported; the message is shown to the user, and nothing was kept."""

    def __init__(self, problems: list[Problem] | str):
        self.problems = [Problem(problems)] if isinstance(problems, str) else list(problems)
        shown = " ".join(" ".join(problem.message.split()) for problem in self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        super().__init__(shown + (f" ({counted(more, 'more problem')}.)" if more > 0 else ""))


@dataclass
class _Column:
    key: str
    header: str
    question: str
    letters: str
    indexes: list[int]
    labels: list[str] = field(default_factory=list)  # SurveyMonkey: the option under each index
    subheading: str = ""  # SurveyMonkey's second row: "Response", "Open-Ended Response" or a label
    metadata: str | None = None  # "reply_id", "submitted_at" or "other" for a tool's own columns
    personal: str | None = (
        None  # what suggestions.personal_heading says it holds: "name", "email", "phone", "ip", ...
    )

    def values(self, cells: list[Any]) -> list[str]:
        """The non-blank answers in a row: one at most, except for an option per column (SurveyMonkey)."""
        found = [
            (_text(cells[index]) if index < len(cells) else "", label)
            for index, label in zip(self.indexes, self.labels or [""] * len(self.indexes))
        ]
        return [text if not label or text not in ("1", "x", "X") else label for text, label in found if text]

    def raw(self, cells: list[Any]) -> Any:
        index = self.indexes[0]
        return cells[index] if index < len(cells) else None


@dataclass
class _Table:
    source_format: str
    columns: list[_Column]
    rows: list[tuple[int, list[Any]]]  # (the spreadsheet's row number, cells) for each non-blank row
    errors: list[Problem]
    _orders: dict[str, bool] = field(default_factory=dict)

    @property
    def format(self) -> Format:
        return FORMATS[self.source_format]

    def column(self, key: str) -> _Column | None:
        return next((column for column in self.columns if column.key == key), None)

    def day_first(self, column: _Column) -> bool:
        """Whether this column's dates are written day first,
        told from the dates themselves (tracker.dates)."""
        if column.key not in self._orders:
            self._orders[column.key] = day_first_order(_text(column.raw(cells)) for _, cells in self.rows)
        return self._orders[column.key]


@dataclass
class PreviewColumn:
    key: str
    letters: str
    header: str
    question: str
    role: str
    answered: int
    samples: list[str]
    personal: str | None

    def roles(self, keep_personal: bool) -> dict[str, str]:
        """The ways this column may be read (see refusal): an IP address only as 'Do not import'; personal
        data never as a question, comments or a team; respondents' names and emails only by
        whoever may keep them."""
        if self.personal == "ip":
            return {"ignore": "Do not import: IP addresses are never stored"}
        return {
            role: label
            for role, label in ROLES.items()
            if refusal(self.header, self.personal, role, keep_personal) is None
        }


@dataclass
class GroupValue:
    value: str
    replies: int
    audience: str | None


@dataclass
class SurveyPreview:
    filename: str
    sha256: str
    source_format: str
    columns: list[PreviewColumn]
    rows: int
    group_column: str | None
    group_values: list[GroupValue]
    errors: list[str]
    mapping: dict
    _table: _Table = field(repr=False)
    audience: str | None = None  # the suggested "Every reply is from ...", when no column says who replied

    @property
    def format_label(self) -> str:
        return FORMATS[self.source_format].label

    @property
    def valid(self) -> bool:
        return not self.errors

    def values_of(self, key: str | None) -> list[GroupValue]:
        """The distinct answers of a column in the order they first appear, with a suggested audience each."""
        column = self._table.column(key) if key else None
        if column is None:
            return []
        counts = Counter(_clean(value) for _, cells in self._table.rows for value in column.values(cells)[:1])
        return [GroupValue(value, count, suggest_audience(value)) for value, count in counts.items()]


# Reading the file into rows of cells -------------------------------------------------------------


@dataclass
class _Sheet:
    """The rows from the headings down; `first` is the headings' row in the file, `merged` the columns of a
    heading filled across from a merged cell (blank in the file: SurveyMonkey's question over its options)."""

    rows: list[list[Any]]
    first: int
    merged: set[int]


def _expected_headings() -> set[str]:
    names = set(_GENERIC_REPLY_IDS) | set(_GENERIC_SUBMITTED)
    for spec in FORMATS.values():
        names |= (
            set().union(*spec.layouts) | set(spec.metadata) | set(spec.reply_ids) | {spec.submitted_at or ""}
        )
    return names - {""}


def _read_table(filename: str, content: bytes) -> _Sheet:
    """The first sheet through the one reader (tracker/spreadsheets.py), from its row of headings down."""
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SurveyFileError("The file is empty.")
    try:
        table = read_table(filename, content, LIMITS)
    except SpreadsheetError as error:
        raise SurveyFileError(str(error)) from None
    if len(table.rows) > MAX_ROWS + 2:
        raise SurveyFileError(f"The file has more than {MAX_ROWS:,} replies: split it into smaller files.")
    first = table.header_row(_expected_headings())
    if not first:
        raise SurveyFileError("The file is empty.")
    rows = table.rows[first - 1 :]
    return _Sheet(rows, first, {column - 1 for row, column in table.filled if row == first})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _short(value: str, longest: int = 60) -> str:
    return value if len(value) <= longest else value[: longest - 1].rstrip() + "…"


def _clean(value: str) -> str:
    return " ".join(value.split())


def _heading(value: Any) -> str:
    return _clean(_text(value)).lower()


# Reading the headings into columns ----------------------------------------------------------------


def _detect(rows: list[list[Any]]) -> str:
    headings = {_heading(cell) for cell in rows[0]}
    for key, spec in FORMATS.items():
        if any(layout <= headings for layout in spec.layouts):
            return key
    return "spreadsheet"


def _width(row: list[Any]) -> int:
    return max((index + 1 for index, cell in enumerate(row) if _text(cell)), default=0)


def _columns(rows: list[list[Any]], source_format: str) -> list[_Column]:
    spec = FORMATS[source_format]
    if source_format == "surveymonkey":
        columns = _surveymonkey_columns(rows[0], rows[1] if len(rows) > 1 else [], rows[2:])
    else:
        columns = [
            _Column(_text(cell), _text(cell), _question(_text(cell)), column_name(index + 1), [index])
            for index, cell in enumerate(rows[0][: _width(rows[0])])
            if _text(cell)
        ]
    seen = Counter(column.key for column in columns)
    for column in columns:
        if seen[column.key] > 1:
            column.key = f"{column.key} (column {column.letters})"
        name = _heading(column.header)
        asked = (
            column.question.removesuffix(f" – {column.subheading}") if column.subheading else column.question
        )
        column.personal = personal_heading(asked, column.subheading)
        if name in spec.reply_ids or (not spec.reply_ids and name in _GENERIC_REPLY_IDS):
            column.metadata = "reply_id"
        elif name == spec.submitted_at or (spec.submitted_at is None and name in _GENERIC_SUBMITTED):
            column.metadata = "submitted_at"
        elif name in spec.metadata:
            column.metadata = "other"
    preferred = {name: rank for rank, name in enumerate(spec.reply_ids)}
    columns_by_preference = sorted(columns, key=lambda column: preferred.get(_heading(column.header), 0))
    _keep_one(columns_by_preference, "reply_id")
    _keep_one(columns, "submitted_at")
    return columns


def _keep_one(columns: list[_Column], metadata: str) -> None:
    for column in [column for column in columns if column.metadata == metadata][1:]:
        column.metadata = "other"


def _question(header: str) -> str:
    """The question as people read it: without the '3. ' that some tools put before it."""
    return _NUMBERING.sub("", header, count=1).strip() or header


def _surveymonkey_columns(first: list[Any], second: list[Any], data: list[list[Any]]) -> list[_Column]:
    """Group SurveyMonkey's columns under the question written over the first of them."""
    width = max(_width(first), _width(second))
    groups: list[tuple[str, list[int]]] = []
    for index in range(width):
        heading = _text(first[index]) if index < len(first) else ""
        if heading or not groups:
            groups.append((heading, [index]))
        else:
            groups[-1][1].append(index)
    columns = []
    for heading, indexes in groups:
        labels = [_text(second[index]) if index < len(second) else "" for index in indexes]
        columns += _surveymonkey_question(heading, indexes, labels, data)
    return columns


def _surveymonkey_question(
    heading: str, indexes: list[int], labels: list[str], data: list[list[Any]]
) -> list[_Column]:
    question = _question(heading)

    def single(index: int, label: str, own: bool) -> _Column:
        key, text = (heading, question) if own else (f"{heading} | {label}", f"{question} – {label}")
        return _Column(
            key, text if not own else heading, text, column_name(index + 1), [index], subheading=label
        )

    def is_option(index: int, label: str) -> bool:
        cells = {_text(row[index]) for row in data if index < len(row)} - {""}
        return bool(label) and label.lower() not in (_SM_SINGLE, _SM_OPEN) and cells <= {label, "1", "x", "X"}

    if len(indexes) == 1:
        return [single(indexes[0], labels[0], own=True)]
    options = [(index, label) for index, label in zip(indexes, labels) if is_option(index, label)]
    own = next(
        (index for index, label in zip(indexes, labels) if label.lower() in (_SM_SINGLE, _SM_OPEN)), None
    )
    columns = []
    if len(options) > 1 and own is None:  # "tick all that apply": one column per option
        letters = f"{column_name(options[0][0] + 1)} to {column_name(options[-1][0] + 1)}"
        columns.append(
            _Column(
                heading, heading, question, letters, [i for i, _ in options], [label for _, label in options]
            )
        )
        options_taken = {index for index, _ in options}
    else:
        options_taken = set()
    for index, label in zip(indexes, labels):
        if index not in options_taken:
            columns.append(single(index, label or column_name(index + 1), own=index == own))
    return columns


# Suggesting how to read each column ------------------------------------------------------------------


def _answers(table: _Table, column: _Column) -> list[list[str]]:
    return [column.values(cells) for _, cells in table.rows]


def _suggest_kind(column: _Column, answers: list[list[str]]) -> str:
    """A question's kind from its answers' shape: comments are sentences given once each,
    wherever they are."""
    values = [value for row in answers for value in row]
    if not values:
        return "ignore"
    if len(column.indexes) > 1:
        return "multiple_choice"
    if column.subheading.lower() in (_SM_OPEN, _SM_OTHER):  # SurveyMonkey's own word for a comment box
        return "free_text"
    distinct = {value.lower() for value in values}
    if distinct <= _YES | _NO:
        return "yes_no"
    if all(re.fullmatch(r"\d{1,2}", value) for value in distinct) and len(distinct) <= 11:
        return "rating"
    if is_scale(values):
        return "single_choice"
    if is_free_text(values):
        return "free_text"
    if is_identifier(values):
        return "ignore"  # a reply's number is not an answer, and never a comment
    parts = {
        part.strip().lower() for value in values if ";" in value for part in value.split(";") if part.strip()
    }
    if parts and len(parts) <= 20 and all(len(part) <= 80 for part in parts):
        return "multiple_choice"
    if len(distinct) <= 12 and len(values) >= 2 * len(distinct) and all(len(value) <= 80 for value in values):
        return "single_choice"
    return "free_text" if len(distinct) * 2 > len(values) else "single_choice"


def _group_audiences(column: _Column, answers: list[list[str]]) -> tuple[float, set[str]]:
    """How strongly a column reads as "who replied", and the audiences its answers name."""
    distinct = {value for row in answers for value in row[:1]}
    if not distinct or len(distinct) > 10 or len(column.indexes) > 1 or is_scale(distinct):
        return 0, set()
    named = {value: suggest_audience(value) for value in distinct}
    share = sum(1 for audience in named.values() if audience) / len(distinct)
    heading = 0.25 if any(words in _heading(column.header) for words in _GROUP_HEADINGS) else 0
    return (
        (share + heading, {audience for audience in named.values() if audience})
        if share >= 0.5
        else (0, set())
    )


SAMPLE = (
    2000  # a column's kind is judged from its first answers, so that 20,000 replies cost no more than 2,000
)


def _suggest(table: _Table, answered: dict[str, list[list[str]]]) -> tuple[dict[str, str], str | None]:
    """A role for every column, and the one audience of every reply when no column varies by audience.

    `answered` holds each column's non-blank answers; a column's kind and whether it names teams are
    judged from its first SAMPLE, who replied from every answer.
    """
    roles: dict[str, str] = {}
    answers = {key: rows[:SAMPLE] for key, rows in answered.items()}
    for column in table.columns:
        if column.metadata or column.personal:
            roles[column.key] = "submitted_at" if column.metadata == "submitted_at" else "ignore"
    open_columns = [column for column in table.columns if column.key not in roles]
    scored = sorted(
        (
            (*_group_audiences(column, answered[column.key]), -i, column)
            for i, column in enumerate(open_columns)
        ),
        key=lambda item: (item[0], item[2]),
        reverse=True,
    )
    every = None
    if scored and scored[0][0] > 0:
        score, audiences, _, column = scored[0]
        named_all = all(suggest_audience(value) for value in {row[0] for row in answered[column.key]})
        if len(audiences) > 1 or not named_all:  # an answer that names no audience must be matched by hand
            roles[column.key] = "group"
        else:
            # every answer names one audience: the file is from that audience alone,
            # and the column says no more
            roles[column.key], every = "ignore", audiences.pop()
    for column in table.columns:
        if column.key not in roles:
            roles[column.key] = _suggest_kind(column, answers[column.key])
    for column in table.columns:
        kind, values = roles[column.key], [value for row in answers[column.key] for value in row]
        if (
            kind in ("single_choice", "free_text")
            and "team" not in roles.values()
            and names_teams(column.question, values)
        ):
            roles[column.key] = "team"
        elif (
            kind in ("single_choice", "free_text")
            and _RESPONDENT_HEADINGS.search(_heading(column.header))
            and "respondent" not in roles.values()
        ):
            roles[column.key] = "respondent"
    return roles, every


def _suggest_every(every: str | None, survey: Survey | None, filename: str) -> str | None:
    """Who every reply is from, when no column says: the file's own answer, else the survey's one audience,
    else the one audience the file's name gives of those the survey asked."""
    if every:
        return every
    asked = [group.audience.value for group in survey.groups] if survey is not None else list(AUDIENCES)
    if len(asked) == 1:
        return asked[0]
    named = audiences_named(filename.rsplit(".", 1)[0]) & set(asked)
    return named.pop() if len(named) == 1 else None


# The preview ---------------------------------------------------------------------------------------------


def _table(filename: str, content: bytes) -> _Table:
    sheet = _read_table(filename, content)
    rows, first = sheet.rows, sheet.first
    source_format = _detect(rows)
    if source_format == "surveymonkey" and sheet.merged:  # a question merged over its options: as in the CSV
        rows[0] = [None if index in sheet.merged else cell for index, cell in enumerate(rows[0])]
    header_rows = FORMATS[source_format].header_rows
    if len(rows) < header_rows:
        raise SurveyFileError("The file has no replies: SurveyMonkey files have two rows of headings.")
    columns = _columns(rows, source_format)
    if not columns:
        raise SurveyFileError(f"Row {first} must hold the column headings, and it is blank.")
    width = max(index for column in columns for index in column.indexes) + 1
    data, errors = [], []
    for number, cells in enumerate(rows[header_rows:], start=first + header_rows):
        if not any(_text(cell) for cell in cells):
            continue
        data.append((number, cells))
        used = _width(cells)
        if used > width:
            errors.append(
                Problem(
                    f"Row {number} has {used} cells but the headings cover only {width} columns "
                    f"(up to column {column_name(width)}): check for a comma in an answer "
                    "that is not inside quotes."
                )
            )
    covered = {index for column in columns for index in column.indexes}
    for index in sorted(set(range(width)) - covered):
        answered = next((row for row, cells in data if index < len(cells) and _text(cells[index])), None)
        if answered is not None:
            errors.append(
                Problem(
                    f"Column {column_name(index + 1)} has answers (the first in row {answered}) "
                    f"but no heading in row {first}."
                )
            )
    if not data:
        raise SurveyFileError("The file has headings but no replies below them.")
    if len(data) > MAX_ROWS:
        raise SurveyFileError(f"The file has more than {MAX_ROWS:,} replies: split it into smaller files.")
    table = _Table(source_format, columns, data, errors)
    table.errors += _duplicate_ids(table)
    return table


def _duplicate_ids(table: _Table) -> list[Problem]:
    column = next((column for column in table.columns if column.metadata == "reply_id"), None)
    if column is None:
        return []
    first_row: dict[str, int] = {}
    problems = []
    for number, cells in table.rows:
        value = _text(column.raw(cells))
        if value and value in first_row:
            problems.append(
                Problem(
                    f"Row {number} has the same {column.header} as row {first_row[value]} "
                    f"({value}): each reply must be in the file once."
                )
            )
        first_row.setdefault(value, number)
    return problems


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _refuse_repeat(survey: Survey, sha256: str, filename: str) -> None:
    earlier = db.session.scalar(
        sa.select(SurveyImport).where(SurveyImport.survey_id == survey.id, SurveyImport.sha256 == sha256)
    )
    if earlier is not None:
        moment = earlier.imported_at.astimezone(LONDON)
        when = f"{moment.day} {moment:%B %Y}"
        raise SurveyFileError(
            f"This file was already imported into this survey on {when} (as {earlier.filename}): "
            f"nothing was imported from {filename}, so no reply is counted twice."
        )


def preview_replies(
    filename: str, content: bytes, survey: Survey | None = None, *, suggest: bool = True
) -> SurveyPreview:
    """Read a file of replies and suggest how to read each column. Writes nothing.

    ``suggest=False`` leaves every column's role as "ignore" and suggests no audience: for reading the
    file again when the person's own choices are about to be applied (the confirm page).
    """
    if survey is not None:
        _refuse_repeat(survey, _sha256(content), filename)
    table = _table(filename, content)
    answers = {column.key: [row for row in _answers(table, column) if row] for column in table.columns}
    roles, every = (
        _suggest(table, answers) if suggest else ({column.key: "ignore" for column in table.columns}, None)
    )
    group = next((key for key, role in roles.items() if role == "group"), None)
    every = None if group or not suggest else _suggest_every(every, survey, filename)
    columns = []
    for column in table.columns:
        samples = list(dict.fromkeys(value for row in answers[column.key][:50] for value in row))[:3]
        columns.append(
            PreviewColumn(
                column.key,
                column.letters,
                column.header,
                column.question,
                roles[column.key],
                len(answers[column.key]),
                [] if column.personal else [_short(s) for s in samples],
                column.personal,
            )
        )
    preview = SurveyPreview(
        filename,
        _sha256(content),
        table.source_format,
        columns,
        len(table.rows),
        group,
        [],
        [problem.message for problem in table.errors],
        {},
        table,
        every,
    )
    preview.group_values = preview.values_of(group)
    preview.mapping = {
        "format": table.source_format,
        "columns": roles,
        "audiences": {item.value: item.audience for item in preview.group_values if item.audience},
    }
    if every:
        preview.mapping["audience"] = every
    return preview


# Checking the mapping and every row against it ---------------------------------------------------------


@dataclass
class _Reply:
    number: int
    source_row: str
    audience: str
    respondent_key: str | None = None
    team: str = ""
    submitted_at: datetime | None = None
    name: str | None = None
    email: str | None = None
    answers: list[tuple[str, str]] = field(default_factory=list)  # (column key, value)
    comments: list[tuple[str, str]] = field(default_factory=list)


KEPT_BY_LEADERS = (
    "respondent_name",
    "respondent_email",
)  # kept only when a leader chooses it: can_see_respondents
_PERSONAL_ROLES = {"name": "respondent_name", "email": "respondent_email"}


def refusal(header: str, personal: str | None, role: str, keep_personal: bool = True) -> str | None:
    """Why a column cannot be read this way, or None: the one rule for the page's choices and for any mapping.

    A column whose heading asks for personal data (suggestions.personal_heading) is never a question,
    comments or a team, which everyone who can see the survey reads: it is left out, kept as a one-way
    id ("respondent"), or, a name or an email, kept as the respondent's. Only someone who may keep
    respondents' names and emails (`keep_personal`: a leader, or the command line) can choose those.
    """
    if personal == "ip" and role != "ignore":
        return f"IP addresses are never stored: choose “Do not import” for {header}."
    if role in KEPT_BY_LEADERS and not keep_personal:
        return (
            "Only a leader can choose to keep respondents' names and email addresses: choose another way "
            f"to read {header}."
        )
    allowed = {"ignore", "respondent", *([_PERSONAL_ROLES[personal]] if personal in _PERSONAL_ROLES else [])}
    if personal and role not in allowed:
        kept = (
            {"name": "Respondent's name", "email": "Respondent's email"}.get(personal)
            if keep_personal
            else None
        )
        choices = (
            "“Do not import” or “Identifies the respondent” (kept only as a one-way id)"
            if not kept
            else f"“Do not import”, “Identifies the respondent” (kept only as a one-way id) or “{kept}”"
        )
        return (
            f"{header} holds personal data ({PERSONAL_KINDS[personal]}): read as “{ROLES[role]}” it would "
            f"be shown to everyone who can see the survey. Choose {choices}. If the column holds no "
            "personal data, rename its heading in the file and upload it again."
        )
    return None


def _check_mapping(
    table: _Table, mapping: Any, keep_personal: bool = True
) -> tuple[dict[str, str], dict[str, str], list[Problem]]:
    """The mapping's roles for every column and its audiences by answer (the whole file's under ""),
    or the problems with its shape."""
    if (
        not isinstance(mapping, dict)
        or not isinstance(mapping.get("columns", {}), dict)
        or not isinstance(mapping.get("audiences", {}), dict)
    ):
        return {}, {}, [Problem('The mapping must be a JSON object: {"columns": {...}, "audiences": {...}}.')]
    every = mapping.get("audience") or ""
    problems = []
    roles = {column.key: "ignore" for column in table.columns}
    for key, role in mapping.get("columns", {}).items():
        column = table.column(key)
        if column is None:
            problems.append(Problem(f"The mapping names a column the file does not have: “{key}”."))
        elif role not in ROLES:
            problems.append(
                Problem(f"“{role}” is not a way to read a column: use one of {', '.join(ROLES)}.", key)
            )
        elif refused := refusal(column.header, column.personal, role, keep_personal):
            problems.append(Problem(refused, key))
        else:
            roles[key] = role
    for role in ONCE:
        chosen = [key for key, value in roles.items() if value == role]
        for key in chosen[1:]:
            problems.append(
                Problem(
                    f"Only one column can be “{ROLES[role]}”: {chosen[0]} and {key} are both chosen.", key
                )
            )
    if every and every not in AUDIENCES:
        problems.append(
            Problem(f"“{every}” is not an audience: use one of {', '.join(AUDIENCES)}.", audience=True)
        )
    elif every and "group" in roles.values():
        problems.append(
            Problem(
                "Choose either a column that says who replied or “Every reply is from …”, not both.",
                audience=True,
            )
        )
    elif not every and "group" not in roles.values():
        problems.append(
            Problem(
                "Choose the column that says who replied (the respondent group), or who every reply is from.",
                value="",
            )
        )
    if not any(role in KINDS for role in roles.values()):
        problems.append(Problem("Choose at least one column to import as a question."))
    audiences = {}
    for value, audience in mapping.get("audiences", {}).items():
        if audience not in AUDIENCES:
            problems.append(
                Problem(
                    f"“{audience}” is not an audience: use one of {', '.join(AUDIENCES)}.", value=str(value)
                )
            )
        else:
            audiences[_clean(str(value)).lower()] = audience
    if every in AUDIENCES:
        audiences[""] = every  # no answer is blank in a group column: "" stands for the whole file
    return roles, audiences, problems


def _datetime(value: Any, day_first: bool) -> datetime | None:
    """A timestamp in UK local time unless it says otherwise; None when it is not one."""
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(12))
    else:
        moment = parse_date_time(_text(value), day_first=day_first)
        if moment is None:
            return None
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


def _answer(kind: str, values: list[str]) -> tuple[list[str], str | None]:
    """The values to store for one answer, or why the answer does not fit the kind."""
    if kind == "multiple_choice":
        parts = values if len(values) > 1 else [part.strip() for part in values[0].split(";")]
        return list(dict.fromkeys(part for part in parts if part)), None
    if len(values) > 1:
        return [], f"has {len(values)} answers ({'; '.join(values)}) but is read as {_KIND_NAMES[kind]}"
    value = values[0]
    if kind == "yes_no":
        if value.lower() in _YES | _NO:
            return ["Yes" if value.lower() in _YES else "No"], None
        return [], f"“{value}” is not yes or no"
    if kind == "rating":
        number = value[:-2] if value.endswith(".0") else value
        return (
            ([number], None) if re.fullmatch(r"-?\d+", number) else ([], f"“{value}” is not a whole number")
        )
    return [value], None


def _read_row(
    table: _Table,
    number: int,
    cells: list[Any],
    roles: dict[str, str],
    audiences: dict[str, str],
    digest: str,
) -> tuple[_Reply | None, list[Problem]]:
    reply, problems, group = _Reply(number, f"{digest[:16]}:{number}", audiences.get("", "")), [], None
    for column in table.columns:
        role, values = roles[column.key], column.values(cells)
        if role == "ignore" or not values and role != "group":
            continue
        if role == "group":
            group = _clean(values[0]) if values else ""
            audience = audiences.get(group.lower())
            if not group:
                problems.append(
                    Problem(f"Row {number}: {column.header} is blank, so the reply has no group.", column.key)
                )
            elif audience is None:
                problems.append(
                    Problem(f"Row {number}: the group “{group}” is not matched to an audience.", value=group)
                )
            reply.audience = audience or ""
        elif role in KINDS:
            stored, error = _answer(role, values)
            if error:
                problems.append(Problem(f"Row {number}: {column.question} {error}.", column.key))
            target = reply.comments if role == "free_text" else reply.answers
            target += [(column.key, value) for value in stored]
        else:
            problems += _read_detail(table, reply, column, role, values[0], cells)
    return (None if problems else reply), problems


def _read_detail(
    table: _Table, reply: _Reply, column: _Column, role: str, value: str, cells: list
) -> list[Problem]:
    """Who replied, when, and about which team; personal data only for the roles that ask for it."""
    longest = {"team": 120, "respondent_name": 200, "respondent_email": 254}.get(role)
    if longest and len(value) > longest:
        return [
            Problem(
                f"Row {reply.number}: {column.header} is {len(value)} characters long: the most "
                f"is {longest}.",
                column.key,
            )
        ]
    anonymous = value.lower() == "anonymous"  # Microsoft Forms writes this where it recorded no one
    if role == "respondent" and not anonymous:
        reply.respondent_key = respondent_key(value)
    elif role == "team":
        reply.team = value
    elif role == "respondent_name" and not anonymous:
        reply.name = value
    elif role == "respondent_email" and not anonymous:
        reply.email = value
    elif role == "submitted_at":
        day_first = table.day_first(column)
        reply.submitted_at = _datetime(column.raw(cells), day_first)
        if reply.submitted_at is None:
            order = "DD/MM/YYYY" if day_first else "MM/DD/YYYY"
            return [
                Problem(
                    f"Row {reply.number}: {column.header} “{value}” is not a date and time: use "
                    f"{order} HH:MM or YYYY-MM-DD HH:MM.",
                    column.key,
                )
            ]
    return []


def respondent_key(value: str) -> str:
    """The one-way id of whoever a reply names: keyed with a secret,
    so that guessing the value cannot confirm it.

    The message is the unkeyed SHA-256 that earlier versions stored, so that the data migration
    (15a1000000f6) keys those rows to the same ids without the values, which were never kept.
    """
    return keyed_respondent(hashlib.sha256(_clean(value).casefold().encode()).hexdigest())


def keyed_respondent(digest: str, secret: bytes | None = None) -> str:
    """``k1:`` and the HMAC-SHA256 of a respondent's SHA-256, in base64url: 46 characters,
    never a bare hash."""
    mac = hmac.new(
        secret if secret is not None else respondent_secret(), digest.encode(), hashlib.sha256
    ).digest()
    return KEYED + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def respondent_secret(config: Mapping[str, Any] | None = None) -> bytes:
    """TRACKER_RESPONDENT_KEY, or else a key derived from SECRET_KEY for this use alone."""
    config = current_app.config if config is None else config
    own = config.get("TRACKER_RESPONDENT_KEY") or ""
    if own:
        return own.encode()
    return hmac.new(
        str(config["SECRET_KEY"]).encode(), b"tracker: survey respondent ids", hashlib.sha256
    ).digest()


def _group_problems(problems: list[Problem]) -> list[Problem]:
    """One problem per unmatched group answer, naming its first row and how many more share it."""
    merged, seen = [], Counter(problem.value for problem in problems if problem.value)
    for problem in problems:
        if problem.value and seen[problem.value] > 1:
            more = seen.pop(problem.value) - 1
            rows = f"{counted(more, 'more row')} {plural(more, 'gives', 'give')}"
            merged.append(Problem(f"{problem.message} ({rows} the same answer.)", value=problem.value))
        elif not problem.value or problem.value in seen:
            merged.append(problem)
    return merged


def _replies(
    table: _Table, mapping: Any, digest: str, keep_personal: bool = True
) -> tuple[list[_Reply], dict[str, str]]:
    roles, audiences, problems = _check_mapping(table, mapping, keep_personal)
    problems = table.errors + problems
    if problems:
        raise SurveyFileError(problems)
    replies, problems = [], []
    id_column = next((column for column in table.columns if column.metadata == "reply_id"), None)
    for number, cells in table.rows:
        reply, found = _read_row(table, number, cells, roles, audiences, digest)
        problems += found
        if reply is not None:
            reply_id = _text(id_column.raw(cells)) if id_column else ""
            if reply_id:
                reply.source_row = _source_row(table.source_format, reply_id)
            replies.append(reply)
    if problems:
        raise SurveyFileError(_group_problems(problems))
    return replies, roles


def _source_row(source_format: str, reply_id: str) -> str:
    key = f"{source_format}:{reply_id}"
    return key if len(key) <= 64 else f"{source_format}:#{hashlib.sha256(reply_id.encode()).hexdigest()[:40]}"


# Writing ---------------------------------------------------------------------------------------------------


def _existing_questions(survey: Survey, table: _Table, roles: dict[str, str]) -> dict[str, SurveyQuestion]:
    """The survey's questions from earlier imports, by column key;
    a question read as another kind is refused."""
    existing = {
        question.source_column: question
        for question in db.session.scalars(
            sa.select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
        )
    }
    found, problems = {}, []
    for column in table.columns:
        question, kind = existing.get(column.key[:500]), roles[column.key]
        if question is None or kind not in KINDS:
            continue
        if question.kind.value != kind:
            problems.append(
                Problem(
                    f"{column.question} was imported before as “{KINDS[question.kind.value]}”: "
                    "choose that again so that its answers add up.",
                    column.key,
                )
            )
        found[column.key] = question
    if problems:
        raise SurveyFileError(problems)
    return found


def _questions(
    survey: Survey, table: _Table, roles: dict[str, str], existing: dict[str, SurveyQuestion]
) -> tuple[dict[str, SurveyQuestion], list[str]]:
    position = db.session.scalar(
        sa.select(sa.func.max(SurveyQuestion.position)).where(SurveyQuestion.survey_id == survey.id)
    )
    position = -1 if position is None else position
    questions, created = dict(existing), []
    for column in table.columns:
        if roles[column.key] in KINDS and column.key not in questions:
            position += 1
            questions[column.key] = SurveyQuestion(
                survey_id=survey.id,
                position=position,
                text=column.question,
                kind=QuestionKind(roles[column.key]),
                source_column=column.key[:500],
            )
            db.session.add(questions[column.key])
            created.append(column.question)
    return questions, created


def _groups(survey: Survey, audiences: list[str]) -> dict[str, SurveyGroup]:
    groups = {
        group.audience.value: group
        for group in db.session.scalars(sa.select(SurveyGroup).where(SurveyGroup.survey_id == survey.id))
    }
    position = max((group.position for group in groups.values()), default=-1)
    for audience in audiences:
        if audience not in groups:
            position += 1
            groups[audience] = SurveyGroup(
                survey_id=survey.id, audience=Audience(audience), position=position
            )
            db.session.add(groups[audience])
    return groups


def import_replies(
    actor: Any,
    survey: Survey,
    filename: str,
    content: bytes,
    mapping: dict,
    *,
    commit: bool = True,
    preview: SurveyPreview | None = None,
) -> SurveyImport:
    """Import every reply in the file as the mapping reads it, in one transaction, or nothing at all.

    Given the preview of this same content (the confirm page has just made one), its reading of the
    file is used rather than reading the file a second time. Respondents' names and emails are kept only
    for a leader (can_see_respondents) or the command line (no actor).
    """
    digest = _sha256(content)
    _refuse_repeat(survey, digest, filename)
    table = preview._table if preview is not None and preview.sha256 == digest else _table(filename, content)
    replies, roles = _replies(
        table, mapping, digest, keep_personal=actor is None or can_see_respondents(actor)
    )
    existing = _existing_questions(survey, table, roles)
    known = set(
        db.session.scalars(sa.select(SurveyReply.source_row).where(SurveyReply.survey_id == survey.id))
    )
    new = [reply for reply in replies if reply.source_row not in known]
    if not new:
        raise SurveyFileError(f"Every reply in {filename} is already in this survey: nothing was imported.")
    try:
        record = _write(actor, survey, table, filename, digest, mapping, roles, existing, new)
        if commit:
            db.session.commit()
    except IntegrityError:
        if commit:
            db.session.rollback()
        raise SurveyFileError(
            f"{filename} was imported into this survey by someone else a moment ago: "
            "nothing was imported, so no reply is counted twice."
        ) from None
    except Exception:
        if commit:
            db.session.rollback()
        raise
    return record


def _write(
    actor: Any,
    survey: Survey,
    table: _Table,
    filename: str,
    digest: str,
    mapping: dict,
    roles: dict[str, str],
    existing: dict[str, SurveyQuestion],
    replies: list[_Reply],
) -> SurveyImport:
    questions, created = _questions(survey, table, roles, existing)
    groups = _groups(survey, list(dict.fromkeys(reply.audience for reply in replies)))
    record = SurveyImport(
        survey_id=survey.id,
        filename=filename[:255],
        sha256=digest,
        source_format=table.source_format,
        replies=len(replies),
        imported_by_id=getattr(actor, "id", None),
        mapping={
            "format": table.source_format,
            "columns": roles,
            "audiences": dict(mapping.get("audiences", {})),
            **({"audience": mapping["audience"]} if mapping.get("audience") else {}),
        },
    )
    db.session.add(record)
    db.session.flush()
    # written in bulk (one INSERT for many rows), not as ORM objects: 20,000 replies would otherwise hold
    # 100,000 tracked objects, hundreds of MB, for the length of the request
    ids = db.session.scalars(
        sa.insert(SurveyReply).returning(SurveyReply.id, sort_by_parameter_order=True),
        [
            {
                "survey_id": survey.id,
                "group_id": groups[reply.audience].id,
                "respondent_key": reply.respondent_key,
                "team": reply.team,
                "source_row": reply.source_row,
                "submitted_at": reply.submitted_at,
                "respondent_name": reply.name,
                "respondent_email": reply.email,
                "import_id": record.id,
            }
            for reply in replies
        ],
    ).all()
    answers = [
        {"reply_id": reply_id, "question_id": questions[key].id, "value": value}
        for reply, reply_id in zip(replies, ids)
        for key, value in reply.answers
    ]
    if answers:
        db.session.execute(sa.insert(SurveyAnswer), answers)
    comments = [
        {
            "survey_id": survey.id,
            "group_id": groups[reply.audience].id,
            "reply_id": reply_id,
            "question_id": questions[key].id,
            "text": text,
        }
        for reply, reply_id in zip(replies, ids)
        for key, text in reply.comments
    ]
    if comments:
        db.session.execute(sa.insert(SurveyComment), comments)
    audit.record(
        actor,
        "survey.replies_imported",
        survey,
        after={
            "file": filename,
            "sha256": digest,
            "format": table.source_format,
            "import_id": record.id,
            "replies": len(replies),
            "comments": sum(len(reply.comments) for reply in replies),
            "questions_created": created,
            "groups": sorted({reply.audience for reply in replies}),
            "personal_data": sorted(
                role for role in roles.values() if role in ("respondent_name", "respondent_email")
            ),
        },
    )
    return record
