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
from tracker.exports import summary as summary_module
from tracker.exports.summary import DetailedSection, Summary
from tracker.readiness.state import PlanAt

ACTION_COLUMNS = ("Action", "Owner", "Partner", "Due (and revisions)", "Status", "RAG", "Latest update")
BRIEF_COLUMNS = ("Action", "Title", "Where it stands")
MEASURE_COLUMNS = ("Measure", "Latest value", "Target", "Status")
KEY_MEASURE_COLUMNS = ("Measure", "Latest", "Baseline", "Target", "Status")
EVIDENCE_COLUMNS = ("Title", "What it is", "What it says")


def summary_docx(summary: Summary) -> bytes:
    """The same story as the PDF (tracker/exports/summary.py): where we stand first, then each finding."""
    plan = summary.plan
    document = Document()
    _properties(document, plan)
    _page_furniture(document, plan)
    styled_heading(document, summary.title, level=0)
    _table(document, ("Detail", "Value"), summary.facts, "About this summary")
    _up_front(document, summary)
    document.add_page_break()
    styled_heading(document, "The findings, most serious first", level=1)
    for section in summary.sections:
        _finding(document, section, summary.everything)
    if summary.everything and summary.measures:
        styled_heading(document, "Measures: figures", level=1)
        for measure in summary.measures:
            chart = summary_module.measure_chart(measure)
            styled_heading(document, measure.name, level=2)
            document.add_paragraph(chart.description)
            _table_or(
                document,
                ("Date", "Figure", "Value"),
                chart.rows,
                f"Figures of {measure.name}",
                "No figures yet.",
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _up_front(document, summary: Summary) -> None:
    styled_heading(document, "Readiness of every finding", level=1)
    document.add_paragraph(
        ", ".join(f"{count} {label.lower()}" for label, count in summary.counts)
        + " findings, most serious first."
    )
    columns = ("Reference", "Finding", "Readiness", "Why") + (("Then",) if summary.comparison else ())
    rows = [
        (r.finding.reference, r.finding.title, r.label, r.why)
        + ((f"{r.then} ({r.change})" if r.change else r.then,) if summary.comparison else ())
        for r in summary.readiness
    ]
    _table_or(
        document,
        columns,
        rows,
        "Readiness of every finding",
        "There are no findings in the plan at this date.",
    )
    styled_heading(document, "What has changed", level=1)
    for sentence in summary.change:
        document.add_paragraph(sentence)
    styled_heading(document, "Key measures", level=1)
    rows = [(k.measure.name, k.latest, k.baseline, k.target, k.status) for k in summary.key_measures]
    _table_or(
        document,
        KEY_MEASURE_COLUMNS,
        rows,
        "Key measures",
        "No measures show the plan's impact at this date.",
    )
    for key in summary.key_measures:
        document.add_paragraph(
            key.chart.description
        )  # the chart in words, as the PDF's alternative text says it
    if summary.more_measures:
        document.add_paragraph(summary_module.more_measures_text(summary))
    styled_heading(document, "What families and professionals said", level=1)
    document.add_paragraph(
        "Replies are counted as they stand on the day this summary was produced."
        if summary.voices
        else "No survey had opened by this date."
    )
    for voice in summary.voices:
        styled_heading(document, voice.title, level=2)
        document.add_paragraph((f"{voice.period}. " if voice.period else "") + "; ".join(voice.bases) + ".")
        for line in voice.headlines:
            styled_paragraph(document, line, "ListBullet")
        if voice.you_said_we_did:
            _table(
                document,
                ("You said", "We did", "Where it stands"),
                voice.you_said_we_did,
                f"You said, we did: {voice.title}",
            )
    _exceptions(document, summary.exceptions)


def _exceptions(document, exceptions) -> None:
    styled_heading(document, "Exceptions", level=1)
    if exceptions.none:
        document.add_paragraph(
            "No action is overdue or without an update, and every finding has current accepted evidence."
        )
    shown = summary_module.EXCEPTIONS_SHOWN
    lists: tuple[tuple[str, tuple[str, ...], list[tuple[str, ...]]], ...] = (
        (
            f"Overdue actions ({len(exceptions.overdue)})",
            ("Action", "Title", "Owner", "Due"),
            [(a.reference, a.title, a.owner, format_date(a.due_date)) for a in exceptions.overdue],
        ),
        (
            f"Actions with no recent update ({len(exceptions.stale)})",
            ("Action", "Title", "Owner", "Last update"),
            [
                (
                    a.reference,
                    a.title,
                    a.owner,
                    format_date(a.latest_update_on) if a.latest_update_on else "None yet",
                )
                for a in exceptions.stale
            ],
        ),
        (
            f"Findings without current accepted evidence ({len(exceptions.without_evidence)})",
            ("Reference", "Finding", "Readiness"),
            [
                (f.reference, f.title, gather.READINESS_LABELS[f.readiness])
                for f in exceptions.without_evidence
            ],
        ),
    )
    wheres = ("each under its findings", "each under its findings", "in the readiness table above")
    for (caption, columns, rows), where in zip(lists, wheres):
        if rows:
            styled_heading(document, caption, level=2)
            _table(document, columns, rows[:shown], caption)
            if len(rows) > shown:
                document.add_paragraph(f"And {len(rows) - shown} more, {where}.")


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
    page_furniture_text(document, f"{gather.title_of(plan)}. {gather.as_at_line(plan)}")


def page_furniture_text(document, header_text: str) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = header_text
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


def _finding(document, detailed: DetailedSection, everything: bool) -> None:
    finding = detailed.finding
    styled_heading(document, f"{finding.reference}: {finding.title}", level=2)
    document.add_paragraph(f"{finding.kind} · {finding.theme} · Accountable: {finding.partner}")
    styled_paragraph(document, finding.wording, "Quote")
    reasons = "; ".join(finding.readiness_reasons)
    document.add_paragraph(
        f"Readiness: {gather.READINESS_LABELS[finding.readiness]}" + (f": {reasons}" if reasons else "")
    )
    styled_heading(document, "Actions", level=3)
    rows: list[tuple[str, ...]] = [
        (
            f"{a.reference}: {a.title}",
            a.owner,
            a.partner,
            gather.due_text(a),
            f"{a.status}, {a.percent_complete}% complete",
            a.rag_summary or gather.RAG_LABELS[a.rag],
            gather.latest_update_text(a),
        )
        for a in detailed.full
    ]
    if rows:
        _table(document, ACTION_COLUMNS, rows, f"Actions answering {finding.reference}, in full")
    if detailed.brief:
        _table(
            document,
            BRIEF_COLUMNS,
            [(a.reference, a.title, summary_module.brief_line(a)) for a in detailed.brief],
            f"Other actions answering {finding.reference}, a line each",
        )
    if not (detailed.full or detailed.brief):
        document.add_paragraph("No actions answer this finding.")
    if detailed.section.measures:
        styled_heading(document, "Measures", level=3)
        rows = [
            (m.name, gather.latest_value_text(m), gather.target_text(m), gather.measure_status_text(m))
            for m in detailed.section.measures
        ]
        _table(document, MEASURE_COLUMNS, rows, f"Measures for {finding.reference}")
    styled_heading(document, "Evidence" if everything else "Accepted evidence", level=3)
    rows = [
        (e.title, summary_module.evidence_line(e), summary_module.evidence_text(e)) for e in detailed.evidence
    ]
    _table_or(
        document,
        EVIDENCE_COLUMNS,
        rows,
        f"Evidence for {finding.reference}",
        "No evidence supports this finding at this date."
        if everything
        else "No accepted evidence supports this finding at this date.",
    )
    if detailed.evidence_more:
        document.add_paragraph(detailed.evidence_more)


def styled_heading(document, text: str, level: int):
    """A heading in Word's own heading style (Title for level 0), named by its id: python-docx's add_heading
    looks the style up by name through every style in the document, a millisecond each time."""
    return styled_paragraph(document, text, "Title" if level == 0 else f"Heading{level}")


def styled_paragraph(document, text: str, style_id: str):
    paragraph = document.add_paragraph(text)
    paragraph._p.style = style_id
    return paragraph


def _table_or(document, columns, rows, caption: str, empty: str) -> None:
    if rows:
        _table(document, columns, rows, caption)
    else:
        document.add_paragraph(empty)


def _table(document, columns, rows, caption: str) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table._tbl.tblStyle_val = "TableGrid"  # by its id: finding a style by name reads every style, each time
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
