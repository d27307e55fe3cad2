"""The progress summary as an Excel workbook (openpyxl, written row by row in its write-only mode): the
summary's story, then one sheet per entity with typed cells, a frozen header row, an autofilter, and the
as-at date in a cell and the header of every sheet."""

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.exports import gather
from tracker.exports.summary import Summary
from tracker.readiness.state import PlanAt
from tracker.text import formula_safe

DATE_FORMAT = "d mmmm yyyy"
HEADER_ROW = 3  # row 1 holds the as-at date, row 2 is blank, the table starts on row 3
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")


def summary_xlsx(summary: Summary) -> bytes:
    """The summary's story on the first sheet, then every row of the plan,
    one sheet per kind (always in full)."""
    plan = summary.plan
    workbook = Workbook(write_only=True)
    tables = _tables(summary)
    cover = workbook.create_sheet("Summary")
    readings = next(rows for title, _, rows in tables if title == "Readings")
    below = _cover(cover, summary)
    sheets = {}
    for title, columns, rows in tables:
        sheets[title] = workbook.create_sheet(title)
        _sheet(sheets[title], plan, columns, rows)
    _key_charts(cover, sheets["Readings"], summary, readings, below)
    workbook.properties.title = gather.title_of(plan)
    workbook.properties.subject = gather.as_at_line(plan)
    workbook.properties.creator = plan.produced_by
    workbook.properties.language = "en-GB"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _tables(summary: Summary) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    plan = summary.plan
    sections = [s.section for s in summary.sections]
    findings = [
        (
            r.finding.reference,
            r.finding.title,
            r.finding.kind,
            r.finding.theme,
            r.finding.partner,
            r.label,
            r.why,
            r.then,
            r.change,
            r.finding.wording,
        )
        for r in summary.readiness
    ]
    supports: dict[
        int, list[str]
    ] = {}  # each item's findings: those it is linked to and those its actions answer
    for section in sections:
        for item in section.evidence:
            supports.setdefault(item.id, []).append(section.finding.reference)
    answers: dict[int, list[str]] = {a_id: [] for a_id in plan.actions}
    for section in sections:
        for a_id in section.finding.action_ids:
            answers.setdefault(a_id, []).append(section.finding.reference)
    actions = [
        (
            a.reference,
            a.title,
            ", ".join(answers[a.id]),
            a.owner,
            a.partner,
            a.status,
            a.percent_complete,
            a.original_due_date,
            a.due_date,
            "; ".join(f"{old:%d/%m/%Y} to {new:%d/%m/%Y}: {why}" for old, new, why in a.revisions),
            gather.RAG_LABELS[a.rag],
            a.rag_summary,
            a.overdue,
            a.stale,
            a.latest_update_on,
            a.latest_update,
        )
        for a in plan.actions.values()
    ]
    evidence = [
        (
            e.title,
            gather.EVIDENCE_KINDS[e.kind],
            e.about_date,
            gather.EVIDENCE_STATUS[e.status],
            e.current,
            e.sensitivity.capitalize(),
            ", ".join(supports.get(e.id, ())),
            ", ".join(plan.actions[i].reference for i in e.action_ids if i in plan.actions),
            e.url or "",
            "; ".join(name for _, name, _, _, _ in e.files),
            e.description,
            e.note,
        )
        for e in plan.evidence.values()
    ]
    measures = [
        (
            m.name,
            m.unit,
            "Lower" if m.direction == "lower_is_better" else "Higher",
            m.baseline[1] if m.baseline else None,
            m.baseline[0] if m.baseline else None,
            m.latest,
            m.target[1] if m.target else None,
            m.target[0] if m.target else None,
            gather.MEASURE_STATUS[m.status],
            m.status_reason,
        )
        for m in plan.measures.values()
    ]
    readings = [
        (m.name, day, value, m.unit) for m in plan.measures.values() for day, value in sorted(m.readings)
    ]
    surveys = [
        (v.title, v.period, "; ".join(v.bases), "; ".join(v.headlines), said, did, where)
        for v in summary.voices
        for said, did, where in (v.you_said_we_did or [("", "", "")])
    ]
    exceptions = summary.exceptions
    listed = (
        [("Overdue action", a.reference, a.title, a.owner, a.due_date) for a in exceptions.overdue]
        + [("No recent update", a.reference, a.title, a.owner, a.latest_update_on) for a in exceptions.stale]
        + [
            ("No current accepted evidence", f.reference, f.title, "", None)
            for f in exceptions.without_evidence
        ]
    )
    return [
        (
            "Findings",
            (
                "Reference",
                "Finding",
                "Kind",
                "Theme",
                "Accountable partner",
                "Readiness",
                "Why",
                "Readiness then",
                "Change",
                "Report wording",
            ),
            findings,
        ),
        (
            "Actions",
            (
                "Reference",
                "Action",
                "Findings",
                "Owner",
                "Partner",
                "Status",
                "Percent complete",
                "Original due date",
                "Due date",
                "Revisions",
                "RAG",
                "RAG reason",
                "Overdue",
                "Stale",
                "Latest update on",
                "Latest update",
            ),
            actions,
        ),
        (
            "Evidence",
            (
                "Title",
                "Kind",
                "About date",
                "Status",
                "Current",
                "Sensitivity",
                "Findings",
                "Actions",
                "Link",
                "Files",
                "Description",
                "Note",
            ),
            evidence,
        ),
        (
            "Measures",
            (
                "Measure",
                "Unit",
                "Better when",
                "Baseline",
                "Baseline date",
                "Latest value",
                "Target",
                "Target date",
                "Status",
                "Why",
            ),
            measures,
        ),
        ("Readings", ("Measure", "Period end", "Value", "Unit"), readings),
        (
            "Surveys",
            ("Survey", "Period", "Who replied", "Headline results", "You said", "We did", "Where it stands"),
            surveys,
        ),
        ("Exceptions", ("Exception", "Reference", "Title", "Owner", "Date"), listed),
    ]


def _as_at(sheet, plan: PlanAt) -> None:
    """The as-at date in cells A1 and B1 (the first row written) and in the printed
    header and footer of the sheet."""
    sheet.oddHeader.center.text = gather.as_at_line(plan)
    sheet.oddFooter.left.text = gather.as_at_line(plan)
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.append([_cell(sheet, "As at", BOLD), _cell(sheet, plan.as_at)])
    sheet.append([])


def _cover(sheet, summary: Summary) -> int:
    """Where the partnership stands: the facts, readiness then and now, the change and the key measures,
    printed a page wide with long text wrapped. Returns the first row below them,
    where the key measures' charts go."""
    # printed a page wide, landscape, as many pages long as it needs: no column cut off onto a page of its own
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.page_setup.orientation = "landscape"
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60
    for column in "CDE":
        sheet.column_dimensions[column].width = 28
    _as_at(sheet, summary.plan)
    rows: list[list[Any]] = [[_cell(sheet, summary.title, Font(bold=True, size=14))]]  # cells or plain values
    rows += [[_cell(sheet, label, BOLD), _cell(sheet, value, wrap=True)] for label, value in summary.facts]
    rows += [[], [_cell(sheet, "Readiness", BOLD), _cell(sheet, "Findings", BOLD)]]
    rows += [[label, count] for label, count in summary.counts]
    rows += [[]] + [
        [_cell(sheet, "What has changed" if index == 0 else "", BOLD), _cell(sheet, sentence, wrap=True)]
        for index, sentence in enumerate(summary.change)
    ]
    rows += [
        [],
        [_cell(sheet, name, BOLD) for name in ("Key measure", "Latest", "Baseline", "Target", "Status")],
    ]
    rows += [
        [
            _cell(sheet, value, wrap=True)
            for value in (key.measure.name, key.latest, key.baseline, key.target, key.status)
        ]
        for key in summary.key_measures
    ]
    for row in rows:
        sheet.append(row)
    return HEADER_ROW + len(rows) + 1


def _key_charts(cover, readings_sheet, summary: Summary, readings: list[tuple], first_row: int) -> None:
    """A small line chart of each key measure's readings under the summary, two side by side, drawn from the
    Readings sheet and titled with the measure's name (its figures are in the key
    measures table and that sheet)."""
    rows: dict[str, list[int]] = {}
    for number, (name, *_) in enumerate(readings, start=HEADER_ROW + 1):
        rows.setdefault(name, []).append(number)
    drawn = 0
    for key in summary.key_measures:
        found = rows.get(key.measure.name)
        if not found:
            continue
        chart = LineChart()
        chart.title = key.measure.name
        chart.y_axis.title = key.measure.unit
        chart.legend = None
        chart.height, chart.width = 5.5, 11
        chart.add_data(Reference(readings_sheet, min_col=3, min_row=found[0], max_row=found[-1]))
        chart.set_categories(Reference(readings_sheet, min_col=2, min_row=found[0], max_row=found[-1]))
        cover.add_chart(chart, f"{'AC'[drawn % 2]}{first_row + 14 * (drawn // 2)}")
        drawn += 1


def _sheet(sheet, plan: PlanAt, columns: tuple[str, ...], rows: list[tuple]) -> None:
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(name) + 4, 40))
    last = get_column_letter(len(columns))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _as_at(sheet, plan)
    sheet.append([_cell(sheet, name, BOLD) for name in columns])
    for row in rows:
        sheet.append([_value(sheet, value) for value in row])


def _value(sheet, value):
    """A typed cell: dates as dates, numbers as numbers, and text as text, with a quote in front where a
    spreadsheet would run it (the CSV lists' rule): never a formula, even once someone edits the cell."""
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, date):
        return _cell(sheet, value)
    return value


def _cell(sheet, value, font: Font | None = None, wrap: bool = False) -> Cell:  # what WriteOnlyCell makes
    cell = WriteOnlyCell(sheet, value=formula_safe(value) if isinstance(value, str) else value)
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = WRAPPED
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell
