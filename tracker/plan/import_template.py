"""The plan import's template, to fill in: every field as a column with one example row, as .csv or .xlsx."""

import csv
import io
from datetime import date

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.plan.import_columns import FIELDS
from tracker.spreadsheets import cell_text

HEADINGS = {field.key: {"progress": "progress_update"}.get(field.key, field.key) for field in FIELDS}
_EXAMPLE = {
    "reference": "A1",
    "title": "Publish a clear guide to the local offer",
    "description": "Rewrite the local offer pages with the parent carer forum.",
    "intended_outcome": "Parents find the support available without having to ask.",
    "findings": "AFI1; AFI3",
    "measures": "",
    "owner": "owner@council.example",
    "contributors": "",
    "partner": "Council",
    "priority": "high",
    "start_date": date(2026, 1, 5),
    "due_date": date(2026, 7, 31),
    "status": "in progress",
    "percent_complete": 20,
    "rag": "Green",
    "progress": "Draft pages reviewed with the parent carer forum in March.",
    "evidence": "Forum minutes, 12 March",
}


def template_csv() -> bytes:
    """The column names and one example row, with a byte order mark so Excel reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS.values())
    writer.writerow([cell_text(_EXAMPLE[key]) for key in HEADINGS])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The column names (bold, frozen) and one example row; a second sheet explains each column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one sheet (its active one)
    sheet.title = "Plan"
    sheet.append(list(HEADINGS.values()))
    sheet.append([_EXAMPLE[key] for key in HEADINGS])
    for index, (key, name) in enumerate(HEADINGS.items(), start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(name) + 4)
        if key.endswith("_date"):
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Columns")
    notes.append(["column", "required", "what to write"])
    for field in FIELDS:
        notes.append([HEADINGS[field.key], "yes" if field.required else "no", field.description])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width, notes.column_dimensions["C"].width = 20, 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
