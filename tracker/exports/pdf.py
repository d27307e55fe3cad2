"""The progress summary as a tagged PDF (PDF/UA-1) by WeasyPrint, from templates/exports/summary_pdf.html."""

import subprocess
import sys
from pathlib import Path

from flask import render_template

from tracker.charts import line_chart
from tracker.exports import gather
from tracker.readiness.state import PlanAt


RENDERER = Path(__file__).with_name("pdf_process.py")


class PdfFailed(RuntimeError):
    """The PDF could not be made (the renderer stopped or was stopped); the message says how, in one line."""


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
    """Tagged for screen readers (PDF/UA-1: structure tree, title and language), with bookmarks from the headings.

    The HTML is made here; WeasyPrint lays it out in a process of its own (pdf_process.py), so the memory
    that takes is given back when it ends instead of staying with this worker.
    """
    return render_pdf(summary_html(plan))


def render_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of `html`, made by a child Python (`-I`: isolated, it imports nothing of ours)."""
    done = subprocess.run([sys.executable, "-I", str(RENDERER)], input=html.encode("utf-8"), capture_output=True,
                          check=False)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF-"):
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PdfFailed(f"The PDF could not be made (renderer exit code {done.returncode}"
                        + (f": {said[-1][:200]}" if said else "") + ").")
    return done.stdout
