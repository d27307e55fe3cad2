"""PDF documents by Typst: a template in `tracker/exports/typst/` (or another folder of templates) and the
data it shows, compiled in a short-lived child process with a time and a memory limit (`pdf_process.py`).

What people typed goes to Typst only as JSON data (`sys.inputs.data`), never into the template's markup,
so a title like `#read("x")` or `*bold*` prints exactly as typed. Typst reads no file outside the
template's folder, and no font but those in `TRACKER_PDF_FONT_DIRS` and its own; a character no font has
prints as a blank box, never an error.
"""

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from flask import current_app, has_app_context

from tracker.charts import LineChart
from tracker.dates import format_date
from tracker.exports import gather
from tracker.exports import summary as summary_module
from tracker.exports.summary import Summary

TEMPLATES = Path(__file__).with_name("typst")
RENDERER = Path(__file__).with_name("pdf_process.py")
# Noto Sans and its scripts (Bengali, Urdu, Arabic, Gurmukhi, Polish's accents...) and Noto Color Emoji,
# installed by `make install` from Debian's fonts-noto-core and fonts-noto-color-emoji
DEFAULT_FONT_DIRS = ("/usr/share/fonts/truetype/noto",)
DEFAULT_TIMEOUT_SECONDS = 120
DEFAULT_MEMORY_MB = 2048
# Typst lays a document out on this many threads: one keeps a county's summary at about 194 MB, not 205,
# for 0.1 s more, and leaves the other cores to the web workers (bench/results.md)
DEFAULT_THREADS = 1


class PdfFailed(RuntimeError):
    """The PDF could not be made (the renderer stopped or was stopped); the message says how, in one line."""


def _setting(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def render_document(
    template: Path, data: dict, fmt: str = "pdf", produced_at: datetime | None = None
) -> bytes:
    """The document `template` makes of `data`: a tagged PDF (PDF/UA-1),
    or with fmt="png" a picture of its first page."""
    job = {
        "root": str(template.parent),
        "template": str(template),
        "format": fmt,
        "data": json.dumps(data, ensure_ascii=False, default=str),
        "fonts": [str(folder) for folder in _setting("TRACKER_PDF_FONT_DIRS", DEFAULT_FONT_DIRS)],
        "memory_mb": int(_setting("TRACKER_PDF_MEMORY_MB", DEFAULT_MEMORY_MB)),
        "threads": max(1, int(_setting("TRACKER_PDF_THREADS", DEFAULT_THREADS))),
        "timestamp": int(produced_at.timestamp()) if produced_at else None,
    }
    timeout = float(_setting("TRACKER_PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(RENDERER)],
            input=json.dumps(job).encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise PdfFailed(
            f"The PDF could not be made (the renderer took longer than {timeout:g} seconds)."
        ) from None
    signature = b"%PDF-" if fmt == "pdf" else b"\x89PNG"
    if done.returncode != 0 or not done.stdout.startswith(signature):
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PdfFailed(
            f"The PDF could not be made (renderer exit code {done.returncode}"
            + (f": {said[-1][:200]}" if said else "")
            + ")."
        )
    return done.stdout


# The progress summary ----------------------------------------------------------------------------


def summary_pdf(summary: Summary) -> bytes:
    """The progress summary as a tagged PDF (PDF/UA-1): title, language, a bookmark per finding, tables with
    header cells, charts with their words as alternative text and their figures in tables."""
    return render_document(
        TEMPLATES / "summary.typ", summary_data(summary), produced_at=summary.plan.produced_at
    )


def summary_picture(summary: Summary) -> bytes:
    """The summary's first page as a PNG: the picture in docs/exports.md, made by `flask export picture`."""
    return render_document(TEMPLATES / "summary.typ", summary_data(summary), fmt="png")


def summary_data(summary: Summary) -> dict:
    """Everything the template prints, as strings: it formats nothing and decides nothing."""
    plan = summary.plan
    return {
        "title": summary.title,
        "author": plan.produced_by,
        "as_at_line": gather.as_at_line(plan),
        "facts": summary.facts,
        "counts": summary.counts,
        "has_comparison": summary.comparison is not None,
        "readiness": [
            {
                "reference": r.finding.reference,
                "title": r.finding.title,
                "label": r.label,
                "colour": r.finding.readiness,
                "why": r.why,
                "then_label": r.then,
                "change": r.change,
            }
            for r in summary.readiness
        ],
        "change": summary.change,
        "key_measures": [
            {
                "name": k.measure.name,
                "latest": k.latest,
                "baseline": k.baseline,
                "target": k.target,
                "status": k.status,
                "chart": chart_data(k.chart),
            }
            for k in summary.key_measures
        ],
        "more_measures": summary_module.more_measures_text(summary),
        "voices": [
            {
                "title": v.title,
                "period": v.period,
                "bases": v.bases,
                "headlines": v.headlines,
                "you_said_we_did": v.you_said_we_did,
            }
            for v in summary.voices
        ],
        "exceptions": exceptions_data(summary.exceptions),
        "sections": [section_data(s, summary.everything) for s in summary.sections],
        "measures_heading": "Measures: charts and figures"
        if summary.everything
        else "Key measures: the figures",
        "measures": [
            measure_data(m, summary.everything)
            for m in (summary.measures if summary.everything else [k.measure for k in summary.key_measures])
        ],
    }


def chart_data(chart: LineChart) -> dict:
    """The chart's geometry (tracker/charts.py) as numbers, and its words for the alternative text."""
    return {
        "empty": chart.empty,
        "width": chart.width,
        "height": chart.height,
        "description": chart.description,
        "plot": [chart.plot.left, chart.plot.top, chart.plot.right, chart.plot.bottom],
        "x_ticks": [[tick.position, tick.label] for tick in chart.x_ticks],
        "y_ticks": [[tick.position, tick.label] for tick in chart.y_ticks],
        "line": [[mark.x, mark.y] for mark in chart.readings],
        "baseline": [chart.baseline.x, chart.baseline.y] if chart.baseline else None,
        "target": [chart.target.x, chart.target.y] if chart.target else None,
        "path": [[float(x), float(y)] for x, y in (point.split(",") for point in chart.path.split())],
    }


def measure_data(measure, everything: bool) -> dict:
    chart = summary_module.measure_chart(measure)
    return {
        "name": measure.name,
        "latest": gather.latest_value_text(measure),
        "target": gather.target_text(measure),
        "status": gather.measure_status_text(measure),
        "chart": chart_data(chart) if everything else None,
        "rows": [list(row) for row in chart.rows],
    }


def exceptions_data(exceptions) -> dict:
    shown = summary_module.EXCEPTIONS_SHOWN

    def more(items: list, where: str) -> str:
        return f"And {len(items) - shown} more, {where}." if len(items) > shown else ""

    return {
        "nothing": exceptions.none,
        "overdue_count": len(exceptions.overdue),
        "stale_count": len(exceptions.stale),
        "without_count": len(exceptions.without_evidence),
        "overdue": [
            {"reference": a.reference, "title": a.title, "owner": a.owner, "due": format_date(a.due_date)}
            for a in exceptions.overdue[:shown]
        ],
        "overdue_more": more(exceptions.overdue, "each under its findings"),
        "stale": [
            {
                "reference": a.reference,
                "title": a.title,
                "owner": a.owner,
                "last_update": format_date(a.latest_update_on) if a.latest_update_on else "None yet",
            }
            for a in exceptions.stale[:shown]
        ],
        "stale_more": more(exceptions.stale, "each under its findings"),
        "without": [
            {
                "reference": f.reference,
                "title": f.title,
                "label": gather.READINESS_LABELS[f.readiness],
                "colour": f.readiness,
            }
            for f in exceptions.without_evidence[:shown]
        ],
        "without_more": more(exceptions.without_evidence, "in the readiness table above"),
    }


def section_data(detailed, everything: bool) -> dict:
    finding = detailed.finding
    return {
        "heading": f"{finding.reference}: {finding.title}",
        "meta": f"{finding.kind} · {finding.theme} · Accountable: {finding.partner}",
        "wording": finding.wording,
        "label": gather.READINESS_LABELS[finding.readiness],
        "colour": finding.readiness,
        "why": "; ".join(finding.readiness_reasons),
        "full": [
            {
                "reference": a.reference,
                "title": a.title,
                "owner": a.owner,
                "partner": a.partner,
                "dates": gather.due_text(a),
                "status": f"{a.status}, {a.percent_complete}% complete",
                "rag": a.rag_summary or gather.RAG_LABELS[a.rag],
                "rag_colour": a.rag or "",
                "update": gather.latest_update_text(a),
            }
            for a in detailed.full
        ],
        "brief": [
            {"reference": a.reference, "title": a.title, "line": summary_module.brief_line(a)}
            for a in detailed.brief
        ],
        "measures": [
            [m.name, gather.latest_value_text(m), gather.target_text(m), gather.measure_status_text(m)]
            for m in detailed.section.measures
        ],
        "evidence_heading": "Evidence" if everything else "Accepted evidence",
        "no_evidence": (
            "No evidence supports this finding at this date."
            if everything
            else "No accepted evidence supports this finding at this date."
        ),
        "evidence": [
            {
                "title": e.title,
                "line": summary_module.evidence_line(e),
                "text": summary_module.evidence_text(e),
            }
            for e in detailed.evidence
        ],
        "evidence_more": detailed.evidence_more,
    }
