"""Lists as CSV files, safe to open in a spreadsheet: wherever a spreadsheet could see a formula start (= + -
@, their full-width forms, a tab or a carriage return) at a cell's start or after a ; , or tab it might split
the cell at, a single quote goes in front, by the same rule as the Excel workbook
(`tracker.text.formula_safe`)."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from tracker.text import formula_safe

COLUMNS = {
    "actions": (
        "Reference",
        "Action",
        "Findings",
        "Owner",
        "Partner",
        "Priority",
        "Status",
        "Percent complete",
        "Due date",
        "Original due date",
        "RAG",
        "RAG reason",
        "Stale",
        "Latest update on",
    ),
    "evidence": (
        "Title",
        "Kind",
        "About date",
        "Review by",
        "Status",
        "Sensitivity",
        "Findings",
        "Actions",
        "Added by",
        "Link",
    ),
    "findings": (
        "Reference",
        "Finding",
        "Kind",
        "Theme",
        "Inspection",
        "Accountable partner",
        "Lead",
        "Actions",
        "Overdue actions",
        "Report wording",
    ),
    "measures": (
        "Measure",
        "Unit",
        "Better when",
        "Owner",
        "Baseline",
        "Baseline date",
        "Latest value",
        "Latest period end",
        "Target",
        "Target date",
        "Status",
        "Why",
    ),
}


def neutralise(value) -> str:
    """The text of a cell: cleaned, with a leading quote where a spreadsheet would otherwise see a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return formula_safe(str(value))


def to_csv(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads accents and curly quotes right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def action_rows(page_rows) -> list[tuple]:
    """From plan.services.list_actions: one row per action with its RAG on the day."""
    return [
        (
            r.action.reference,
            r.action.title,
            ", ".join(f.reference for f in r.action.findings),
            r.action.owner.name,
            r.action.partner.label,
            r.action.priority.label,
            r.action.status.label,
            r.action.percent_complete,
            r.action.current_due_date,
            r.action.due_date,
            r.rag.colour.label if r.rag.colour else "",
            r.rag.summary,
            r.stale,
            r.last_update_on,
        )
        for r in page_rows
    ]


def evidence_rows(items) -> list[tuple]:
    return [
        (
            item.title,
            item.kind.label,
            item.about_date,
            item.review_by,
            item.status.label,
            item.sensitivity.label,
            ", ".join(f.reference for f in item.findings),
            ", ".join(a.reference for a in item.actions),
            item.uploaded_by.name,
            item.url or "",
        )
        for item in items
    ]


def finding_rows(groups, counts) -> list[tuple]:
    return [
        (
            f.reference,
            f.title,
            f.kind.label,
            f.theme.name,
            f.inspection.title,
            f.accountable_partner.label,
            f.lead.name if f.lead else "",
            counts[f.id].actions if f.id in counts else 0,
            counts[f.id].overdue if f.id in counts else 0,
            f.wording,
        )
        for group in groups
        for f in group.findings
    ]


def measure_rows(rows) -> list[tuple]:
    """From (measure, status) pairs, as the measures page lists them."""
    return [
        (
            m.name,
            m.unit,
            "Lower" if m.direction.value == "lower_is_better" else "Higher",
            m.owner.name,
            m.baseline_value,
            m.baseline_date,
            status.latest.value if status.latest else None,
            status.latest.on if status.latest else None,
            m.target_value,
            m.target_date,
            status.state.label,
            status.reason,
        )
        for m, status in rows
    ]


def filename(name: str, on: date) -> str:
    return f"{name}-{on.isoformat()}.csv"
