"""Export pages: choose and download a summary or the evidence pack as at a date, and lists as CSV.

Every export is made by a POST carrying the form's CSRF token: a GET of an export's address (a bookmark, or a
link on another site) shows what it would hold with a Download button, and makes and records nothing."""

import dataclasses
import io

from flask import Response, abort, current_app, render_template, request, send_file, stream_with_context
from flask_login import current_user

from tracker.dates import today
from tracker.evidence.forms import read_evidence_filters
from tracker.exports import bp
from tracker.exports.formats import FORMATS, SUMMARY_FORMATS, route_formats
from tracker.exports.forms import ExportForm
from tracker.exports.pdf import PdfFailed
from tracker.exports.services import (
    DETAILS,
    Export,
    ExportError,
    ExportRequest,
    ListFilters,
    RestrictedRefused,
    check_request,
    describe_list,
    describe_request,
    export_list,
    export_pack,
    export_summary,
    parse_as_at,
    parse_compare_with,
)
from tracker.exports.throttle import heavy_exports
from tracker.forms import row_choices, show_error
from tracker.plan.forms import read_action_filters
from tracker.plan.services import list_inspections

LIST_LABELS = [
    ("actions", "Actions"),
    ("evidence", "Evidence"),
    ("findings", "Findings"),
    ("measures", "Measures"),
]
HEADINGS = {
    **{key: f"Download the progress summary as {FORMATS[key].name}" for key in SUMMARY_FORMATS},
    "zip": "Download the evidence pack",
}


@bp.route("", methods=["GET", "POST"])
@heavy_exports
def index():
    """Choose a summary format or the evidence pack, an as-at date, an inspection, how much detail, a date to
    compare with and, for the pack, which evidence, then download it from the form; for anyone on the plan."""
    form = ExportForm()
    form.inspection.choices = row_choices(
        list_inspections(), label=lambda row: row.title, blank="All inspections"
    )
    if not form.is_submitted():
        form.as_at.data = today()
    if form.validate_on_submit():
        wanted = form.export_request()
        try:
            check_request(current_user, wanted)
        except RestrictedRefused as error:
            form.form_errors.append(str(error))
        except ExportError as error:
            show_error(form, error)
        else:
            return _download(form.what.data, wanted)
    return render_template("exports/index.html", form=form, lists=LIST_LABELS)


@bp.route(f"/summary.<any({route_formats(SUMMARY_FORMATS)}):fmt>", methods=["GET", "POST"])
@heavy_exports
def summary(fmt: str):
    """The progress summary as at a date, as PDF, Word or Excel:
    made when the page's Download button is pressed."""
    return _offer_or_download(fmt)


@bp.route("/pack.zip", methods=["GET", "POST"])
@heavy_exports
def pack():
    """The evidence pack as at a date, streamed, so its size does not matter:
    made when Download is pressed."""
    return _offer_or_download("zip")


@bp.route("/<any(actions, evidence, findings, measures):name>.csv", methods=["GET", "POST"])
def list_csv(name: str):
    """A list as CSV with the filters in the address, as the list's own page reads them:
    made when its button is pressed."""
    actions, evidence = read_action_filters(request.args)[1], read_evidence_filters(request.args)[1]
    filters = ListFilters(
        dataclasses.replace(actions, page=1),
        dataclasses.replace(evidence, page=1),  # every row, not a page
        request.args.get("archived") == "1",
        request.args.to_dict(flat=False),
    )
    try:
        include_restricted = restricted_asked()
        check_request(current_user, ExportRequest(today(), include_restricted=include_restricted))
        if request.method == "GET":
            return offer_page(
                f"Download the {name} list as CSV", describe_list(name, filters, include_restricted)
            )
        export = export_list(current_user, name, filters, include_restricted)
    except ExportError as error:
        return refused_page(error)
    return send_export(export)


def _offer_or_download(what: str):
    """A GET (a link, a bookmark, another site) only shows what the address asks for, with a Download button;
    only the button's POST, which carries the form's CSRF token, makes the file and records it."""
    try:
        wanted = _wanted(pack=what == "zip")
        check_request(current_user, wanted)
    except ExportError as error:
        return refused_page(error)
    if request.method == "GET":
        return offer_page(HEADINGS[what], describe_request(what, wanted))
    return _download(what, wanted)


def offer_page(heading: str, rows: list[tuple[str, str]]):
    return render_template(
        "exports/download.html",
        heading=heading,
        rows=[{"key": {"text": key}, "value": {"text": value}} for key, value in rows],
    )


def _download(what: str, wanted: ExportRequest):
    """Make the summary or the pack and send it; a request that cannot be met gets a page saying why."""
    try:
        if what == "zip":
            chunks, filename = export_pack(current_user, wanted)
            return Response(
                stream_with_context(chunks),
                mimetype=FORMATS["zip"].mimetype,
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return send_export(export_summary(current_user, wanted, what))
    except ExportError as error:
        return refused_page(error)
    except PdfFailed as error:
        return failed_page(error)


def send_export(export: Export):
    return send_file(
        io.BytesIO(export.content),
        mimetype=export.mimetype,
        as_attachment=True,
        download_name=export.filename,
    )


def _wanted(pack: bool = False) -> ExportRequest:
    """What the address asks for; a value that cannot be read is refused with a sentence saying why. Only the
    pack reads `evidence`: accepted evidence only unless it says evidence=all."""
    raw = request.args.get("inspection", "")
    if raw and not (raw.isdecimal() and len(raw) < 10):
        raise ExportError("The inspection must be given by its number. Choose one from the list.")
    detail = request.args.get("detail") or "summary"
    if detail not in DETAILS:
        raise ExportError("How much detail must be given as detail=summary or detail=everything.")
    evidence = request.args.get("evidence") or "accepted"
    if pack and evidence not in ("accepted", "all"):
        raise ExportError(
            "To put all evidence in the pack, whatever its status, the address must say evidence=all; "
            "leave it out for accepted evidence only."
        )
    return ExportRequest(
        parse_as_at(request.args.get("as_at")),
        int(raw) if raw else None,
        restricted_asked(),
        detail=detail,
        compare_with=parse_compare_with(request.args.get("compare")),
        accepted_only=pack and evidence == "accepted",
    )


def restricted_asked() -> bool:
    raw = request.args.get("restricted", "")
    if raw not in ("", "0", "1"):
        raise ExportError("To include restricted evidence, the address must say restricted=1.")
    return raw == "1"


def failed_page(error: PdfFailed):
    """Our side failed, not the request: say so, and that trying again is sensible; the log keeps why."""
    current_app.logger.error("Export refused: %s", error)
    message = f"{error} Try again in a few minutes; if it fails again, tell your administrator."
    return render_template("exports/refused.html", message=message), 503


def refused_page(error: ExportError):
    if isinstance(error, RestrictedRefused):
        abort(403)
    return render_template("exports/refused.html", message=str(error)), 400
