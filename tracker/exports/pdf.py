"""The progress summary as a tagged PDF (PDF/UA-1) by WeasyPrint, from templates/exports/summary_pdf.html."""

from flask import render_template
from weasyprint import HTML

from tracker.charts import line_chart
from tracker.exports import gather
from tracker.readiness.state import PlanAt


def _no_remote_resources(url: str, *args, **kwargs):
    """Everything the PDF needs is in its HTML: nothing is fetched, from the internet or the disk."""
    raise ValueError(f"The summary does not load outside resources ({url[:80]}).")


def measure_chart(measure, chart_id: str):
    return line_chart(measure.name, measure.unit, measure.readings, baseline=measure.baseline, target=measure.target,
                      lower_is_better=measure.direction == "lower_is_better", chart_id=chart_id)


def summary_html(plan: PlanAt) -> str:
    sections = gather.sections(plan)
    # each measure's chart once, after the findings: a measure often shows the impact of several findings
    measures = {m.id: m for s in sections for m in s.measures}
    charts = {measure_id: measure_chart(m, f"measure-{measure_id}") for measure_id, m in measures.items()}
    return render_template(
        "exports/summary_pdf.html", plan=plan, title=gather.title_of(plan), as_at_line=gather.as_at_line(plan),
        cover=gather.cover_lines(plan), counts=gather.readiness_counts(plan), sections=sections, charts=charts,
        measures=sorted(measures.values(), key=lambda m: m.name),
        readiness_labels=gather.READINESS_LABELS, rag_labels=gather.RAG_LABELS, evidence_status=gather.EVIDENCE_STATUS,
        measure_words=gather.measure_status_text, kinds=gather.EVIDENCE_KINDS, due=gather.due_text,
        latest_update=gather.latest_update_text, latest_value=gather.latest_value_text, target=gather.target_text,
    )


def summary_pdf(plan: PlanAt) -> bytes:
    """Tagged for screen readers (PDF/UA-1: structure tree, title and language), with bookmarks from the headings."""
    document = HTML(string=summary_html(plan), url_fetcher=_no_remote_resources)
    return document.write_pdf(pdf_variant="pdf/ua-1")
