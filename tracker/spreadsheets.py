"""The one reader of uploaded spreadsheets: every import (plan, survey replies, measure readings) reads here.

The API (docs/import.md, "The spreadsheet reader"):

- ``read_table(filename, content, limits, percents=False) -> Table`` reads a .csv, .xlsx or .ods file,
  told apart by its content first and its name second, and refuses anything else with one sentence
  (a ``SpreadsheetError``; ``OverLimit`` when it goes over one of ``Limits``). ``Table.rows[i]`` is the
  file's row ``i + 1`` (a blank row is ``[]``), each row up to its last value, blank cells ``None``
  (``""`` in a CSV); text is cleaned as the forms clean it (tracker/text.py). ``Table.sheet`` names the
  sheet read (the first), ``Table.notes`` says what the reader did that a person should know (formulas
  read as text, the encoding guessed), ``Table.filled`` holds the (row, column) places filled from a
  merged range. ``percents=True`` reads a cell shown as 40% as 40, not 0.4.
- ``find_header_row(rows, expected_names=None) -> int``: the number (from 1) of the row holding the
  column headings, below any title rows: the first row with the most ``expected_names``, or else the
  first that looks like headings (two or more different texts and no numbers or dates, about as wide
  as the row after it). ``Table.header_row(expected_names)`` is the same for a table.
- ``cell_text(value)`` is a cell as text (a date as YYYY-MM-DD, 12.0 as 12); ``heading_key(text)`` is a
  heading compared without capitals, spaces or underscores mattering.

What it reads:

- **CSV**: the encoding is a strict rule, not a guess: a UTF-16 byte order mark (Excel's "Unicode
  text", some survey tools) is UTF-16; otherwise UTF-8, with or without its byte order mark, when the
  bytes are valid UTF-8; otherwise Windows-1252, what Excel for Windows writes for "CSV (Comma
  delimited)". Bytes that are neither are refused with their line. charset-normalizer 3 was measured and
  left out: on short files, which most imports are, it guessed ``café;1`` as cp1006 and a plan row with
  ’ and £ as cp1250, each read wrong, where the rule reads every file Excel and the survey tools write.
  The delimiter is the one of comma, semicolon and tab that splits the first 20 lines (read as CSV,
  so quoted commas do not count) into the same number of cells most often; comma wins a tie.
- **.xlsx**: the first worksheet, streamed from its XML one cell at a time (openpyxl's cell parser,
  its read-only machinery less the sizing of every sheet). Merged ranges (the sheet's ``mergeCells``)
  are filled down and across with the range's value, within the cells present. A formula with no
  saved value (as some survey tools write answers starting with "=") is read as its text, with a note.
- **.ods**: the first table of content.xml, streamed the same way; repeated rows and cells are
  counted, not expanded, while blank; ``number-rows-spanned``/``-columns-spanned`` are filled as merged
  ranges; a formula with no value is read as its text.

Bounded memory: a spreadsheet can claim to be far larger than the data in it: a stray value at
Z1048576 or XFD1, a crafted ``<dimension ref="A1:XFD1048576"/>``, an .ods row repeated a million times,
or a part that unpacks a thousand-fold. Here a sheet is read from the cells actually present: the
declared dimension is ignored, blank cells at the end of a row and blank rows at the end of the sheet
are left out, and the file is refused, with one sentence naming the limit, as soon as it goes over one
of ``Limits`` (rows, columns, cells, cells written, file size, unpacked size, parts, packing ratio).
Rows keep their place: a row number in a message is the row in the file.

Why this parser and not python-calamine (0.9.1, measured on this machine, 2 cores): calamine reads a
sheet into one dense grid, so the 1.6 KB workbook with a stray cell at XFD1048576 asked for a 512 GB
allocation and aborted the whole Python process (a Rust abort, not an exception: a dead worker); it
also reads a formula with no saved value as "" (the lost survey comments). openpyxl's own read-only
mode pads every row to the declared width. The streaming parser here read a 20,000-row, 10-column
survey export in 2.1 s as .xlsx, 1.2 s as .ods and 0.1 s as CSV, with tracemalloc peaks of 14 MB,
13 MB and 27 MB (the CSV's text is held whole); every file in tests/hostile_spreadsheets.py is refused
or read with a peak of at most 6 MB (a 5 KB stray cell at XFD1048576: refused in 0.01 s, 0.2 MB; a
row of 300,000 empty cells: read in 2 s, 3 MB). tests/unit/test_spreadsheets.py and
tests/http/test_import_limits.py hold those bounds.
"""

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, BinaryIO, cast
from xml.etree import ElementTree

from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser  # parse_cell reads one cell as openpyxl does
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from tracker.text import clean_text, counted, plural

MB = 1024 * 1024


class SpreadsheetError(Exception):
    """The file cannot be read; the message is one sentence for the user."""


class OverLimit(SpreadsheetError):
    """The file goes over one of the import limits; the message names the limit."""


class NotAWorkbook(SpreadsheetError):
    """An .xlsx or .ods that cannot be opened: damaged, or another kind of file with the name."""


class NotText(SpreadsheetError):
    """A CSV whose bytes are not text in an encoding the reader knows."""


class NotASpreadsheet(SpreadsheetError):
    """A file of a kind no import reads (a PDF, an old .xls workbook)."""


@dataclass(frozen=True)
class Limits:
    """What one import reads at most. Rows and columns count positions in the file, up to the last value."""

    rows: int
    columns: int = 1000
    cells: int = 1_000_000  # stored cells: each row up to its last value
    written: int = 4_000_000  # cells written in the sheet's XML, blank or not: each costs time to read
    file_bytes: int = 20 * MB
    unpacked_bytes: int = 100 * MB  # an .xlsx's or .ods's parts together, as the archive declares them
    parts: int = 1000
    ratio: int = (
        100  # a part over RATIO_FROM unpacking to more than this many times its packed size is a zip bomb
    )

    def check_size(self, size: int) -> None:
        if size > self.file_bytes:
            raise OverLimit(
                f"The file is larger than {_size(self.file_bytes)}: an import reads at most "
                f"{_size(self.file_bytes)}, so split it into smaller files."
            )

    def check_row(self, number: int, width: int, cells: int) -> None:
        """Refuse a row with a value beyond the last row or column read, or one that takes the cells over."""
        if number > self.rows:
            raise OverLimit(
                f"Row {number:,} has a value: an import reads at most {self.rows:,} rows. Delete "
                "anything below your data, or split the file into smaller ones."
            )
        if width > self.columns:
            raise OverLimit(
                f"Row {number:,} has a value in column {column_name(width)}: an import reads at most "
                f"{self.columns:,} columns ({column_name(self.columns)}). Delete anything to the right "
                "of your data."
            )
        if cells > self.cells:
            raise OverLimit(
                f"The file has more than {self.cells:,} cells up to row {number:,}: an import reads at "
                "most that many, so split it into smaller files."
            )


@dataclass
class Table:
    """A sheet as read: ``rows[i]`` is the file's row i + 1, up to its last value ([] when blank)."""

    kind: str  # "csv", "xlsx" or "ods"
    rows: list[list[Any]]
    sheet: str = ""  # the worksheet's name; "" for a CSV
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None  # a CSV's: "utf-8", "utf-8-sig", "utf-16" or "cp1252"
    delimiter: str | None = None  # a CSV's
    filled: set[tuple[int, int]] = field(
        default_factory=set
    )  # (row, column) from 1, filled from a merged range

    def numbered(self, start: int = 1) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) for each row with a value, from row `start`."""
        for number in range(start, len(self.rows) + 1):
            cells = self.rows[number - 1]
            if any(not _blank(cell) for cell in cells):
                yield number, cells

    def header_row(self, expected_names: Iterable[str] | None = None) -> int:
        return find_header_row(self.rows, expected_names)


RATIO_FROM = 10 * MB
PART_ELEMENTS = 100_000  # styles, the workbook, relationships: a few thousand in any real file
CELL_ELEMENTS = 1000  # a cell's own elements: its value, formula, and runs of formatted text
CHUNK = 64 * 1024
# read_events() of the parsers here, which ask for "start" and "end" only: each event with its element
# (typeshed's type allows the namespace events too, never asked for)
ElementEvents = Iterator[tuple[str, ElementTree.Element]]
Merged = tuple[int, int, int, int]  # a merged range's top, left, bottom and right, from 1
CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"
FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
MERGE_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"
HEADER_SEARCH = 20  # title rows above the headings: a council's sheet has two or three
SNIFF_LINES = 20
DELIMITERS = (",", ";", "\t")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def column_name(number: int) -> str:
    """A column as people see it (A, AB, XFD), or its number where no spreadsheet has letters for it."""
    return get_column_letter(number) if number <= 18_278 else f"number {number:,}"


def _size(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: a date as YYYY-MM-DD (with its time when it has one), a whole number without .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def heading_key(text: Any) -> str:
    """A heading as compared: lower case, runs of spaces and underscores as one space."""
    return re.sub(r"[\s_]+", " ", cell_text(text).lower()).strip()


# The one entry point ------------------------------------------------------------------------------


def read_table(filename: str, content: bytes | BinaryIO, limits: Limits, *, percents: bool = False) -> Table:
    """The first sheet of a .csv, .xlsx or .ods file, within `limits`; a SpreadsheetError says why not."""
    data = content if isinstance(content, bytes) else content.read(limits.file_bytes + 1)
    limits.check_size(len(data))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    kind = _kind(data, suffix)
    if kind == "xlsx":
        table = _read_xlsx(data, limits, percents)
    elif kind == "ods":
        table = _read_ods(data, limits, percents)
    else:
        table = _read_csv(data, limits)
    _clean(table)
    return table


def _kind(content: bytes, suffix: str) -> str:
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        except Exception:  # a damaged archive: named as a workbook it is a damaged one, else not text
            names, mimetype = set(), b""
        if "xl/workbook.xml" in names or (suffix in ("xlsx", "xlsm") and not mimetype):
            return "xlsx"
        if mimetype.strip() == ODS_MIMETYPE or "content.xml" in names or suffix == "ods":
            return "ods"
    if suffix in ("xlsx", "xlsm", "ods"):
        kind = "an OpenDocument spreadsheet" if suffix == "ods" else "an Excel workbook"
        raise NotAWorkbook(
            f"The file is named .{suffix} but is not {kind}: open it in your spreadsheet and save it "
            "as an Excel Workbook (.xlsx) or as CSV."
        )
    if suffix in ("csv", "tsv", "txt"):
        return "csv"
    raise NotASpreadsheet(
        "Choose a .csv, .xlsx or .ods file: other files cannot be imported. An old .xls workbook "
        "can be saved as an Excel Workbook (.xlsx)."
    )


def _clean(table: Table) -> None:
    """Text without the characters the forms drop too (tracker/text.py)."""
    for row in table.rows:
        for index, cell in enumerate(row):
            if isinstance(cell, str):
                row[index] = clean_text(cell)


# Finding the headings -------------------------------------------------------------------------------


def find_header_row(rows: Sequence[Sequence[Any]], expected_names: Iterable[str] | None = None) -> int:
    """The number (from 1) of the row holding the column headings, or 0 when every row is blank.

    With `expected_names`, the first of the first 20 rows holding the most of them (two at least, or
    the one when only one is expected). Otherwise, or when no row holds them, the first row that looks
    like headings: two or more different texts, no numbers or dates, and at least half as wide as the
    next row with a value (a title is one text, perhaps merged across). Failing that, the first row
    with a value.
    """
    numbered = [
        (number, row)
        for number, row in enumerate(rows[: HEADER_SEARCH * 5], start=1)
        if any(not _blank(cell) for cell in row)
    ][:HEADER_SEARCH]
    if not numbered:
        return 0
    expected = {heading_key(name) for name in expected_names or ()}
    if expected:
        counts = [(len(expected & {heading_key(cell) for cell in row}), number) for number, row in numbered]
        most = max(count for count, _ in counts)
        if most >= min(2, len(expected)):
            return next(number for count, number in counts if count == most)
    for position, (number, row) in enumerate(numbered):
        present = [cell for cell in row if not _blank(cell)]
        texts = {cell_text(cell) for cell in present}
        if len(texts) < 2 or any(not isinstance(cell, str) or _number_like(cell) for cell in present):
            continue
        following = numbered[position + 1][1] if position + 1 < len(numbered) else []
        if _width(row) * 2 >= _width(following):
            return number
    return numbered[0][0]


def _width(row: Sequence[Any]) -> int:
    return max((index + 1 for index, cell in enumerate(row) if not _blank(cell)), default=0)


def _number_like(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[-+£]?\d[\d,]*(\.\d+)?%?\s*", text))


# CSV -------------------------------------------------------------------------------------------------


class _Rows:
    """Rows in their places, each up to its last value, counted against the limits as they come."""

    def __init__(self, limits: Limits):
        self.limits, self.cells = limits, 0
        self.rows: list[list[Any]] = []

    def add(self, number: int, values: Iterable[tuple[int, Any]]) -> None:
        """Put the non-blank (column, value) pairs of row `number` (both from 1) in place; blank rows wait."""
        present = [(column, value) for column, value in values if not _blank(value)]
        if not present:
            return
        width = max(column for column, _ in present)
        self.limits.check_row(number, width, self.cells + width)
        row: list[Any] = [None] * width
        for column, value in present:
            row[column - 1] = value
        self.rows.extend([] for _ in range(len(self.rows), number - 1))
        self.rows.append(row)
        self.cells += width


# Files that are not text whatever their name: a workbook or archive (zip), a program, a PDF, an old .xls
BINARY_SIGNATURES = (b"PK\x03\x04", b"MZ", b"%PDF", b"\x7fELF", b"\xd0\xcf\x11\xe0")


def decode(content: bytes) -> tuple[str, str]:
    """CSV bytes as text, and the encoding read: UTF-16 by its mark, UTF-8 (mark or not), else Windows-1252.

    A file is refused as not text when it starts like a binary file or one byte in 20 is NUL (UTF-16 without
    its mark, a program); a stray NUL in a text file is kept here and cleaned from its cell like any
    control character."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text"
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise NotText(
                "The file starts as UTF-16 text but is damaged: save it again as CSV UTF-8 "
                "(Comma delimited) (.csv)."
            ) from None
    if content.startswith(BINARY_SIGNATURES) or content.count(b"\x00") * 20 > len(content):
        raise NotText(
            "The file is not text that can be read: save it from Excel as CSV UTF-8 "
            "(Comma delimited) (.csv) or as an Excel Workbook (.xlsx)."
        )
    try:
        return content.decode("utf-8-sig"), ("utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"  # what Excel for Windows writes for "CSV (Comma delimited)"
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise NotText(
            f"Line {line} has characters that are neither UTF-8 nor Windows-1252 text: save the "
            "file again as CSV UTF-8 (Comma delimited) (.csv)."
        ) from None


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the first lines into the same
    number of cells most often."""
    head = "\n".join(text[: 64 * 1024].splitlines()[:SNIFF_LINES])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [
                len(cells) for cells in csv.reader(io.StringIO(head), delimiter=delimiter) if len(cells) > 1
            ]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(set(widths), key=lambda width: (widths.count(width), width))
        score = (widths.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(text: str, limits: Limits, delimiter: str = ",") -> list[list[str]]:
    """The rows of CSV text; blank cells at the end of a row and blank rows at the end are left out."""
    table = _Rows(limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            table.add(number, ((index, cell) for index, cell in enumerate(cells, start=1)))
    except csv.Error as error:
        raise SpreadsheetError(f"Row {reader.line_num} could not be read as CSV ({error}).") from None
    return [[cell if cell is not None else "" for cell in row] for row in table.rows]


def _read_csv(content: bytes, limits: Limits) -> Table:
    text, encoding = decode(content)
    delimiter = sniff_delimiter(text)
    notes = (
        ["The file was read as Windows-1252 text, as Excel for Windows saves CSV."]
        if encoding == "cp1252"
        else []
    )
    return Table(
        "csv", read_csv(text, limits, delimiter), notes=notes, encoding=encoding, delimiter=delimiter
    )


# Merged ranges ---------------------------------------------------------------------------------------


def _fill_merged(table: Table, ranges: list[Merged], limits: Limits) -> None:
    """Copy each merged range's value (its top-left cell's) into the range,
    within the rows and columns present."""
    rows = table.rows
    last_row, last_column = len(rows), max((len(row) for row in rows), default=0)
    cells = sum(len(row) for row in rows)
    for top, left, bottom, right in ranges:
        if top > last_row or left > len(rows[top - 1]) or _blank(rows[top - 1][left - 1]):
            continue
        value = rows[top - 1][left - 1]
        bottom, right = min(bottom, last_row), min(right, last_column)
        for number in range(top, bottom + 1):
            row = rows[number - 1]
            if len(row) < right:
                cells += right - len(row)
                limits.check_row(number, right, cells)
                row.extend([None] * (right - len(row)))
            for column in range(left, right + 1):
                if (number, column) != (top, left) and _blank(row[column - 1]):
                    row[column - 1] = value
                    table.filled.add((number, column))


# .xlsx -----------------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, limits: Limits, percents: bool) -> Table:
    try:
        with warnings.catch_warnings():  # openpyxl warns about features it drops, which no import reads
            warnings.simplefilter("ignore")
            reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
            try:
                _check_archive(reader.archive, limits)
                return _first_sheet(reader, limits, percents)
            finally:
                reader.archive.close()
    except OverLimit:
        raise
    except Exception:  # a damaged or disguised file fails in many ways inside openpyxl; all mean the same
        raise NotAWorkbook(
            "The file is named .xlsx but is not an Excel workbook: open it in Excel and save it "
            "as an Excel Workbook (.xlsx) or as CSV."
        ) from None


def _shown_value(cell: ReadOnlyCell) -> Any:
    """A cell's value as the person sees it where that differs from what it holds: a date cell shown without
    its day (Mar-26, March 2026) is its month in words, "March 2026", since a plan's "Mar-26" means the month,
    not its 1st."""
    value = cell.value
    if isinstance(value, (date, datetime)) and not _DAY_IN_FORMAT.search(_without_literals(cell)):
        return f"{value:%B %Y}"
    return value


def _without_literals(cell: ReadOnlyCell) -> str:
    """The cell's number format without its quoted text and escaped characters, where a "d" is no day."""
    return re.sub(r'"[^"]*"|\\.', "", getattr(cell, "number_format", None) or "")


_DAY_IN_FORMAT = re.compile(r"d|General", re.IGNORECASE)


def _percent_value(cell: ReadOnlyCell) -> Any:
    value = _shown_value(cell)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and "%" in (getattr(cell, "number_format", None) or ""):
        return round(value * 100, 9)  # a cell showing 40% holds 0.4
    return value


def _first_sheet(reader: ExcelReader, limits: Limits, percents: bool) -> Table:
    """What openpyxl's load_workbook reads, less the sizing of every sheet
    (which keeps each row it passes)."""
    reader.read_manifest()
    strings = reader.package.find(SHARED_STRINGS)
    _check_parts(reader.archive, limits, strings.PartName[1:] if strings is not None else None)
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [
        (sheet.name, rel.target)
        for sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    if not sheets:
        return Table("xlsx", [])
    name, target = sheets[0]
    # all a ReadOnlyCell asks of its sheet: the styles
    sheet: Any = SimpleNamespace(parent=reader.wb, title="")
    parser = WorkSheetParser(
        io.BytesIO(),  # no source of its own: only its parse_cell is used, on the elements read here
        reader.shared_strings,
        data_only=True,
        epoch=reader.wb.epoch,
        # set by the reader's read_workbook, as load_workbook passes them; private, so not in the stubs
        date_formats=reader.wb._date_formats,  # type: ignore[attr-defined]
        timedelta_formats=reader.wb._timedelta_formats,  # type: ignore[attr-defined]
    )
    value: Callable[[ReadOnlyCell], Any] = _percent_value if percents else _shown_value
    rows, formulas = _Rows(limits), [0]
    merges: list[Merged] = []
    with reader.archive.open(target) as source:
        for number, cells in _xlsx_rows(source, parser, limits, merges, formulas):
            rows.add(number, ((cell["column"], value(ReadOnlyCell(sheet, **cell))) for cell in cells))
    table = Table("xlsx", rows.rows, sheet=name)
    _fill_merged(table, merges, limits)
    _note_formulas(table, formulas[0])
    return table


def _note_formulas(table: Table, count: int) -> None:
    if count:
        table.notes.append(
            f"{counted(count, 'formula cell')} had no saved value; "
            f"{plural(count, 'its formula was', 'their formulas were')} read as text."
        )


def _xlsx_rows(
    source, parser: WorkSheetParser, limits: Limits, merges: list[Merged], formulas: list[int]
) -> Iterator[tuple[int, list[dict]]]:
    """Each row's number and its cells with a value, holding one cell's XML at a time,
    whatever the sheet says.

    openpyxl's own parser holds a whole row's elements (a row of a million empty cells is a
    million of them) and every row's attributes; here each element leaves the tree when it ends.
    Merged ranges go into `merges` (top, left, bottom, right);
    formulas read as text are counted in formulas[0].
    """
    pull: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(("start", "end"))
    in_cell, written = 0, 0
    path: list[ElementTree.Element] = []
    cells: list[dict] = []
    for chunk in iter(lambda: source.read(CHUNK), b""):
        pull.feed(chunk)
        for event, element in cast(ElementEvents, pull.read_events()):
            if event == "start":
                path.append(element)
                if element.tag == CELL_TAG and not in_cell:
                    written += 1
                    if written > limits.written:
                        raise OverLimit(
                            f"The first worksheet has more than {limits.written:,} cells written in it, "
                            "most of them blank: an import reads at most that many. Copy your data into "
                            "a new workbook."
                        )
                if in_cell:
                    in_cell += 1
                    if in_cell > CELL_ELEMENTS:
                        raise OverLimit(
                            f"A cell in row {parser.row_counter:,} holds more than {CELL_ELEMENTS:,} "
                            "pieces of formatted text, as no spreadsheet does: it cannot be imported."
                        )
                elif element.tag == CELL_TAG:
                    in_cell = 1
                elif element.tag == ROW_TAG:
                    address = element.get("r")
                    parser.row_counter = int(float(address)) if address else parser.row_counter + 1
                    parser.col_counter, cells = 0, []
                continue
            path.pop()
            if element.tag == CELL_TAG:
                in_cell = 0
                cell = parser.parse_cell(element)
                if cell["value"] is None:
                    formula = element.findtext(FORMULA_TAG)
                    if formula and formula.strip():
                        cell["value"], cell["data_type"] = "=" + formula, "s"
                        formulas[0] += 1
                if cell["value"] is not None:
                    cells.append(cell)
            elif element.tag == ROW_TAG:
                yield parser.row_counter, cells
            elif element.tag == MERGE_TAG:
                if len(merges) >= PART_ELEMENTS:
                    raise OverLimit(
                        f"The first worksheet has more than {PART_ELEMENTS:,} merged ranges: an import "
                        "reads at most that many. Unmerge the cells and try again."
                    )
                try:
                    left, top, right, bottom = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    left = top = right = bottom = None
                if top and left and bottom and right:  # without both corners (A:B, 1:2) it merges nothing
                    merges.append((top, left, bottom, right))
            if path and not in_cell:
                path[-1].remove(element)
    pull.close()


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack too large, before anything unpacks them.

    The sizes are those of the archive's central directory; Python's zipfile never unpacks a part
    beyond its declared size (and fails its checksum if it lies), so they bound what is read.
    """
    parts = archive.infolist()
    if len(parts) > limits.parts:
        raise OverLimit(
            f"The workbook has more than {limits.parts:,} parts: an import reads at most that many. "
            "Save it again as a new workbook."
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked_bytes:
        raise OverLimit(
            f"The workbook unpacks to more than {_size(limits.unpacked_bytes)}: an import reads at most "
            f"{_size(limits.unpacked_bytes)}, so split it into smaller files."
        )
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise OverLimit(
                f"Part {part.filename} of the workbook unpacks to more than {limits.ratio} times its "
                "size, as no spreadsheet does: it cannot be imported."
            )


def _check_parts(archive: zipfile.ZipFile, limits: Limits, strings: str | None) -> None:
    """Count the elements of each part openpyxl reads whole (every XML part but the sheets), before it does.

    Each element openpyxl keeps costs about a hundred bytes, whatever few bytes it took in the file.
    """
    for name in archive.namelist():
        if not name.endswith((".xml", ".rels")) or name.startswith("xl/worksheets/"):
            continue
        most = limits.cells if name == strings else PART_ELEMENTS
        with archive.open(name) as source:
            if _elements(source, most) > most:
                raise OverLimit(
                    f"Part {name} of the workbook has more than {most:,} entries: an import reads at "
                    "most that many, so save the file again from Excel as a new workbook."
                )


def _elements(source, most: int) -> int:
    """How many elements a part has, stopping once past `most`; each leaves the tree as it ends."""
    pull: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(("start", "end"))
    count = 0
    path: list[ElementTree.Element] = []
    for chunk in iter(lambda: source.read(CHUNK), b""):
        pull.feed(chunk)
        for event, element in cast(ElementEvents, pull.read_events()):
            if event == "start":
                path.append(element)
                count += 1
                if count > most:
                    return count
            else:
                path.pop()
                if path:
                    path[-1].remove(element)
    return count


# .ods ------------------------------------------------------------------------------------------------

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODS_TABLE, ODS_ROW = f"{{{TABLE_NS}}}table", f"{{{TABLE_NS}}}table-row"
ODS_CELL, ODS_COVERED = f"{{{TABLE_NS}}}table-cell", f"{{{TABLE_NS}}}covered-table-cell"
ODS_P, ODS_SPACE = f"{{{TEXT_NS}}}p", f"{{{TEXT_NS}}}s"
ODS_TAB, ODS_BREAK = f"{{{TEXT_NS}}}tab", f"{{{TEXT_NS}}}line-break"


def _read_ods(content: bytes, limits: Limits, percents: bool) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_archive(archive, limits)
            with archive.open("content.xml") as source:
                return _ods_table(source, limits, percents)
    except SpreadsheetError:
        raise
    except Exception:  # a damaged archive or XML: the same to the person who sent it
        raise NotAWorkbook(
            "The file is named .ods but is not an OpenDocument spreadsheet that can be read: open "
            "it in your spreadsheet and save it again, or as CSV."
        ) from None


def _ods_text(element) -> str:
    """A cell's text: its paragraphs on their own lines, text:s as its spaces."""

    def text_of(node) -> str:
        parts = [node.text or ""]
        for child in node:
            if child.tag == ODS_SPACE:
                parts.append(" " * min(int(child.get(f"{{{TEXT_NS}}}c", "1") or 1), 1000))
            elif child.tag == ODS_TAB:
                parts.append("\t")
            elif child.tag == ODS_BREAK:
                parts.append("\n")
            else:
                parts.append(text_of(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return "\n".join(text_of(p) for p in element.iter(ODS_P))


def _ods_value(element, percents: bool, formulas: list[int]) -> Any:
    kind = element.get(f"{{{OFFICE_NS}}}value-type")
    value = element.get(f"{{{OFFICE_NS}}}value")
    if kind in ("float", "currency", "percentage") and value is not None:
        number = float(value)
        if kind == "percentage" and percents:
            number = round(number * 100, 9)
        return (
            int(number)
            if number.is_integer() and kind == "float" and "." not in value and "e" not in value.lower()
            else number
        )
    if kind == "date":
        written = element.get(f"{{{OFFICE_NS}}}date-value", "")
        try:
            return (
                datetime.fromisoformat(written)
                if "T" in written
                else datetime.fromisoformat(written + "T00:00")
            )
        except ValueError:
            return _ods_text(element) or written
    if kind == "boolean":
        return element.get(f"{{{OFFICE_NS}}}boolean-value") == "true"
    text = _ods_text(element)
    if not text and kind is None:
        formula = element.get(f"{{{TABLE_NS}}}formula")
        if formula:
            formulas[0] += 1
            return "=" + re.sub(r"^(of|ooow|msoxl):=?", "", formula)
    return text or None


def _ods_table(source, limits: Limits, percents: bool) -> Table:
    """The first table of content.xml, one cell's XML at a time; blank repeats counted, not expanded."""
    pull: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(("start", "end"))
    path: list[ElementTree.Element] = []
    cells: list[tuple[int, Any]] = []
    merges: list[Merged] = []
    rows, formulas = _Rows(limits), [0]
    name: str | None = None
    number, column, written, in_cell, repeat_row = 0, 0, 0, 0, 1
    for chunk in iter(lambda: source.read(CHUNK), b""):
        pull.feed(chunk)
        for event, element in cast(ElementEvents, pull.read_events()):
            if event == "start":
                path.append(element)
                if in_cell:
                    in_cell += 1
                    if in_cell > CELL_ELEMENTS:
                        raise OverLimit(
                            f"A cell in row {number:,} holds more than {CELL_ELEMENTS:,} pieces of "
                            "formatted text, as no spreadsheet does: it cannot be imported."
                        )
                elif element.tag == ODS_TABLE and name is None:
                    name = element.get(f"{{{TABLE_NS}}}name", "")
                elif element.tag == ODS_ROW and name is not None:
                    repeat_row = _repeat(element, "number-rows-repeated")
                    number, column, cells = number + 1, 0, []
                elif element.tag in (ODS_CELL, ODS_COVERED) and name is not None:
                    in_cell, written = 1, written + 1
                    if written > limits.written:
                        raise OverLimit(
                            f"The first sheet has more than {limits.written:,} cells written in it, most "
                            "of them blank: an import reads at most that many. Copy your data into a new "
                            "spreadsheet."
                        )
                continue
            path.pop()
            if element.tag in (ODS_CELL, ODS_COVERED) and in_cell:
                in_cell = 0
                repeat = _repeat(element, "number-columns-repeated")
                value = _ods_value(element, percents, formulas) if element.tag == ODS_CELL else None
                if not _blank(value):
                    limits.check_row(number, column + repeat, rows.cells + column + repeat)
                    cells.extend((column + offset, value) for offset in range(1, repeat + 1))
                    spanned_rows = _repeat(element, "number-rows-spanned")
                    spanned_columns = _repeat(element, "number-columns-spanned")
                    if spanned_rows > 1 or spanned_columns > 1:
                        merges.append(
                            (number, column + 1, number + spanned_rows - 1, column + spanned_columns)
                        )
                column += repeat
            elif element.tag == ODS_ROW and name is not None and not in_cell:
                if cells:
                    limits.check_row(number + repeat_row - 1, 1, 0)
                    for offset in range(repeat_row):
                        rows.add(number + offset, cells)
                number += repeat_row - 1
            elif element.tag == ODS_TABLE and not in_cell:
                pull.close()
                return _ods_done(rows, name or "", merges, formulas, limits)
            if path and not in_cell:
                path[-1].remove(element)
    pull.close()
    return _ods_done(rows, name or "", merges, formulas, limits)


def _ods_done(rows: _Rows, name: str, merges: list[Merged], formulas: list[int], limits: Limits) -> Table:
    table = Table("ods", rows.rows, sheet=name)
    _fill_merged(table, merges, limits)
    _note_formulas(table, formulas[0])
    return table


def _repeat(element, attribute: str) -> int:
    try:
        return max(1, int(element.get(f"{{{TABLE_NS}}}{attribute}", "1")))
    except ValueError:
        return 1
