"""Reading uploaded spreadsheets within limits: every import (plan, survey replies, measure readings) reads here.

A spreadsheet can claim to be far larger than the data in it: a stray value at Z1048576 or XFD1, a
crafted ``<dimension ref="A1:XFD1048576"/>``, or a part that unpacks a thousand-fold. openpyxl's
read-only sheet pads every row to the declared or widest column and yields every missing row, so a
1.6 KB file could take gigabytes. Here the sheet is read from the cells actually present: the
declared dimension is ignored, blank cells at the end of a row and blank rows at the end of the
sheet are left out, and the file is refused, with one sentence naming the limit, as soon as it
goes over one of ``Limits``. Rows keep their place: a row number in a message is the row in the file.
"""

import csv
import io
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser  # parse_cell reads one cell as openpyxl does
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

MB = 1024 * 1024


class SpreadsheetError(Exception):
    """The file cannot be read; the message is one sentence for the user."""


class OverLimit(SpreadsheetError):
    """The file goes over one of the import limits; the message names the limit."""


class NotAWorkbook(SpreadsheetError):
    """An .xlsx that openpyxl cannot open: damaged, or another kind of file with the name."""


@dataclass(frozen=True)
class Limits:
    """What one import reads at most. Rows and columns count positions in the file, up to the last value."""

    rows: int
    columns: int = 1000
    cells: int = 1_000_000  # stored cells: each row up to its last value
    written: int = 4_000_000  # cells written in the sheet's XML, blank or not: each costs time to read
    file_bytes: int = 20 * MB
    unpacked_bytes: int = 100 * MB  # an .xlsx's parts together, as the archive declares them
    parts: int = 1000
    ratio: int = 100  # a part over RATIO_FROM unpacking to more than this many times its packed size is a zip bomb

    def check_size(self, size: int) -> None:
        if size > self.file_bytes:
            raise OverLimit(f"The file is larger than {_size(self.file_bytes)}: an import reads at most "
                            f"{_size(self.file_bytes)}, so split it into smaller files.")

    def check_row(self, number: int, width: int, cells: int) -> None:
        """Refuse a row with a value beyond the last row or column read, or one that takes the cells over."""
        if number > self.rows:
            raise OverLimit(f"Row {number:,} has a value: an import reads at most {self.rows:,} rows. Delete "
                            "anything below your data, or split the file into smaller ones.")
        if width > self.columns:
            raise OverLimit(f"Row {number:,} has a value in column {column_name(width)}: an import reads at most "
                            f"{self.columns:,} columns ({column_name(self.columns)}). Delete anything to the right "
                            "of your data.")
        if cells > self.cells:
            raise OverLimit(f"The file has more than {self.cells:,} cells up to row {number:,}: an import reads at "
                            "most that many, so split it into smaller files.")


RATIO_FROM = 10 * MB
PART_ELEMENTS = 100_000  # styles, the workbook, relationships: a few thousand in any real file
CELL_ELEMENTS = 1000  # a cell's own elements: its value, formula, and runs of formatted text
CHUNK = 64 * 1024
CELL_TAG = f"{{{SHEET_MAIN_NS}}}c"


def column_name(number: int) -> str:
    """A column as people see it (A, AB, XFD), or its number where no spreadsheet has letters for it."""
    return get_column_letter(number) if number <= 18_278 else f"number {number:,}"


def _size(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Table:
    """Rows in their places, each up to its last value, counted against the limits as they come."""

    def __init__(self, limits: Limits):
        self.limits, self.rows, self.cells = limits, [], 0

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


def read_csv(text: str, limits: Limits, delimiter: str = ",") -> list[list[str]]:
    """The rows of CSV text; blank cells at the end of a row and blank rows at the end are left out."""
    table = _Table(limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            table.add(number, ((index, cell) for index, cell in enumerate(cells, start=1)))
    except csv.Error as error:
        raise SpreadsheetError(f"Row {reader.line_num} could not be read as CSV ({error}).") from None
    return [[cell if cell is not None else "" for cell in row] for row in table.rows]


def _cell_value(cell: ReadOnlyCell) -> Any:
    return cell.value


def read_xlsx(content: bytes, limits: Limits, value: Callable[[ReadOnlyCell], Any] = _cell_value) -> list[list[Any]]:
    """The first worksheet's rows, each cell read by `value` (its value unless told otherwise), None where blank."""
    limits.check_size(len(content))
    try:
        with warnings.catch_warnings():  # openpyxl warns about features it drops, which no import reads
            warnings.simplefilter("ignore")
            reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
            try:
                _check_archive(reader.archive, limits)
                return _first_sheet(reader, limits, value)
            finally:
                reader.archive.close()
    except OverLimit:
        raise
    except Exception:  # a damaged or disguised file fails in many ways inside openpyxl; all mean the same
        raise NotAWorkbook("The file is not an Excel workbook.") from None


def _first_sheet(reader: ExcelReader, limits: Limits, value: Callable[[ReadOnlyCell], Any]) -> list[list[Any]]:
    """What openpyxl's load_workbook reads, less the sizing of every sheet (which keeps each row it passes)."""
    reader.read_manifest()
    strings = reader.package.find(SHARED_STRINGS)
    _check_parts(reader.archive, limits, strings.PartName[1:] if strings is not None else None)
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    targets = [rel.target for _, rel in reader.parser.find_sheets()
               if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    if not targets:
        return []
    sheet = SimpleNamespace(parent=reader.wb, title="")  # what a ReadOnlyCell asks of its sheet: the styles
    parser = WorkSheetParser(None, reader.shared_strings, data_only=True, epoch=reader.wb.epoch,
                             date_formats=reader.wb._date_formats, timedelta_formats=reader.wb._timedelta_formats)
    table = _Table(limits)
    with reader.archive.open(targets[0]) as source:
        for number, cells in _rows(source, parser, limits):
            table.add(number, ((cell["column"], value(ReadOnlyCell(sheet, **cell))) for cell in cells))
    return table.rows


def _rows(source, parser: WorkSheetParser, limits: Limits) -> Iterator[tuple[int, list[dict]]]:
    """Each row's number and its cells with a value, holding one cell's XML at a time, whatever the sheet says.

    openpyxl's own parser holds a whole row's elements (a row of a million empty cells is a
    million of them) and every row's attributes; here each element leaves the tree when it ends.
    """
    pull, path, cells, in_cell, written = ElementTree.XMLPullParser(("start", "end")), [], [], 0, 0
    for chunk in iter(lambda: source.read(CHUNK), b""):
        pull.feed(chunk)
        for event, element in pull.read_events():
            if event == "start":
                path.append(element)
                if element.tag == CELL_TAG and not in_cell:
                    written += 1
                    if written > limits.written:
                        raise OverLimit(f"The first worksheet has more than {limits.written:,} cells written in it, "
                                        "most of them blank: an import reads at most that many. Copy your data into "
                                        "a new workbook.")
                if in_cell:
                    in_cell += 1
                    if in_cell > CELL_ELEMENTS:
                        raise OverLimit(f"A cell in row {parser.row_counter:,} holds more than {CELL_ELEMENTS:,} "
                                        "pieces of formatted text, as no spreadsheet does: it cannot be imported.")
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
                if cell["value"] is not None:
                    cells.append(cell)
            elif element.tag == ROW_TAG:
                yield parser.row_counter, cells
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
        raise OverLimit(f"The workbook has more than {limits.parts:,} parts: an import reads at most that many. "
                        "Save it again from Excel as a new workbook.")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked_bytes:
        raise OverLimit(f"The workbook unpacks to more than {_size(limits.unpacked_bytes)}: an import reads at most "
                        f"{_size(limits.unpacked_bytes)}, so split it into smaller files.")
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise OverLimit(f"Part {part.filename} of the workbook unpacks to more than {limits.ratio} times its "
                            "size, as no spreadsheet does: it cannot be imported.")


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
                raise OverLimit(f"Part {name} of the workbook has more than {most:,} entries: an import reads at "
                                "most that many, so save the file again from Excel as a new workbook.")


def _elements(source, most: int) -> int:
    """How many elements a part has, stopping once past `most`; each leaves the tree as it ends."""
    pull, path, count = ElementTree.XMLPullParser(("start", "end")), [], 0
    for chunk in iter(lambda: source.read(CHUNK), b""):
        pull.feed(chunk)
        for event, element in pull.read_events():
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
