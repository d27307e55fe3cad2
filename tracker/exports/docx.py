"""The progress summary as an editable Word document (python-docx): real headings, real tables,
and the as-at date in every page's header."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from tracker.dates import format_date
from tracker.exports import gather
from tracker.readiness.state import PlanAt

ACTION_COLUMNS = ("Action", "Owner", "Partner", "Due (and revisions)", "Status", "RAG", "Latest update")
MEASURE_COLUMNS = ("Measure", "Latest value", "Target", "Status")
EVIDENCE_COLUMNS = ("Title", "Kind", "About", "Status", "Current")


def summary_docx(plan: PlanAt) -> bytes:
    document = Document()
    _properties(document, plan)
    _page_furniture(document, plan)
    document.add_heading(gather.title_of(plan), level=0)
    _table(document, ("Detail", "Value"), gather.cover_lines(plan), "About this summary")
    document.add_heading("Readiness overview", level=1)
    _table(document, ("Readiness", "Findings"), [(label, str(count)) for label, count in gather.readiness_counts(plan)],
           "Findings by readiness")
    sections = gather.sections(plan)
    rows = [(s.finding.reference, s.finding.title, s.finding.theme, gather.READINESS_LABELS[s.finding.readiness],
             "; ".join(s.finding.readiness_reasons)) for s in sections]
    if rows:
        _table(document, ("Reference", "Finding", "Theme", "Readiness", "Why"), rows, "Every finding")
    else:
        document.add_paragraph("There are no findings in the plan at this date.")
    for section in sections:
        _finding(document, section)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _properties(document, plan: PlanAt) -> None:
    properties = document.core_properties
    properties.title = gather.title_of(plan)
    properties.subject = gather.as_at_line(plan)
    properties.author = plan.produced_by
    properties.language = "en-GB"
    properties.keywords = "SEND; inspection readiness; " + gather.as_at_line(plan)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)


def _page_furniture(document, plan: PlanAt) -> None:
    """The as-at date at the top of every page, and 'Page N of M' at the foot."""
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = f"{gather.title_of(plan)}. {gather.as_at_line(plan)}"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    for tag, attribute in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "end")):
        element = OxmlElement(tag)
        if attribute:
            element.set(qn("w:fldCharType"), attribute)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        run._r.append(element)


def _finding(document, section: gather.FindingSection) -> None:
    finding = section.finding
    document.add_heading(f"{finding.reference}: {finding.title}", level=1)
    document.add_paragraph(f"{finding.kind} · {finding.theme} · Accountable: {finding.partner}")
    document.add_paragraph(finding.wording, style="Quote")
    reasons = "; ".join(finding.readiness_reasons)
    document.add_paragraph(f"Readiness: {gather.READINESS_LABELS[finding.readiness]}" + (f": {reasons}" if reasons else ""))
    document.add_heading("Actions", level=2)
    rows = [(f"{a.reference}: {a.title}", a.owner, a.partner, gather.due_text(a), f"{a.status}, {a.percent_complete}% complete",
             a.rag_summary or gather.RAG_LABELS[a.rag], gather.latest_update_text(a)) for a in section.actions]
    _table_or(document, ACTION_COLUMNS, rows, f"Actions answering {finding.reference}", "No actions answer this finding.")
    document.add_heading("Measures", level=2)
    rows = [(m.name, gather.latest_value_text(m), gather.target_text(m),
             gather.measure_status_text(m)) for m in section.measures]
    _table_or(document, MEASURE_COLUMNS, rows, f"Measures for {finding.reference}", "No measures show this finding's impact.")
    document.add_heading("Evidence", level=2)
    rows = [(e.title + (" (restricted)" if e.sensitivity == "restricted" else ""), gather.EVIDENCE_KINDS[e.kind],
             format_date(e.about_date), gather.EVIDENCE_STATUS[e.status], "Yes" if e.current else "No") for e in section.evidence_shown]
    _table_or(document, EVIDENCE_COLUMNS, rows, f"Evidence for {finding.reference}", "No evidence supports this finding at this date.")
    if section.evidence_more:
        document.add_paragraph(section.evidence_more)


def _table_or(document, columns, rows, caption: str, empty: str) -> None:
    if rows:
        _table(document, columns, rows, caption)
    else:
        document.add_paragraph(empty)


def _table(document, columns, rows, caption: str) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    marker = OxmlElement("w:tblHeader")  # Word repeats the row on each page and reads it out with each cell
    marker.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(marker)
    for cell, text in zip(header.cells, columns):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = str(text)
    element = OxmlElement("w:tblCaption")  # Word shows it as the table's alternative text
    element.set(qn("w:val"), caption)
    table._tbl.tblPr.append(element)
