"""Export pages: choose and download a summary or the evidence pack as at a date, and lists as CSV."""

import io

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from tracker.exports import bp
from tracker.exports.forms import ExportForm, action_filters, evidence_filters
from tracker.exports.pdf import PdfFailed
from tracker.exports.services import (
    DETAILS,
    ExportError,
    ExportRequest,
    ListFilters,
    RestrictedRefused,
    check_request,
    export_list,
    export_pack,
    export_summary,
    parse_as_at,
    parse_compare_with,
)
from tracker.forms import row_choices, show_error
from tracker.plan.services import list_inspections, today

LIST_LABELS = [("actions", "Actions"), ("evidence", "Evidence"), ("findings", "Findings"), ("measures", "Measures")]


@bp.route("", methods=["GET", "POST"])
def index():
    """Choose a summary format or the evidence pack, an as-at date, an inspection, how much detail, a date to compare
    with and, for the pack, which evidence; for anyone on the plan."""
    form = ExportForm()
    form.inspection.choices = row_choices(list_inspections(), label=lambda row: row.title, blank="All inspections")
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
            return redirect(_download_url(form.what.data, wanted))
    return render_template("exports/index.html", form=form, lists=LIST_LABELS)


def _download_url(what: str, wanted: ExportRequest) -> str:
    args = {"as_at": wanted.as_at.isoformat()}
    if wanted.inspection_id:
        args["inspection"] = wanted.inspection_id
    if wanted.include_restricted:
        args["restricted"] = 1
    if wanted.detail != "summary":
        args["detail"] = wanted.detail
    if wanted.compare_with:
        args["compare"] = wanted.compare_with.isoformat()
    if what == "zip":
        if not wanted.accepted_only:
            args["evidence"] = "all"
        return url_for("exports.pack", **args)
    return url_for("exports.summary", fmt=what, **args)


@bp.route("/summary.<any(pdf, docx, xlsx):fmt>")
def summary(fmt: str):
    """Download the progress summary as at a date, as PDF, Word or Excel."""
    try:
        export = export_summary(current_user, _wanted(), fmt)
    except ExportError as error:
        return _refused(error)
    except PdfFailed as error:
        return _failed(error)
    return send_file(io.BytesIO(export.content), mimetype=export.mimetype, as_attachment=True, download_name=export.filename)


@bp.route("/pack.zip")
def pack():
    """Download the evidence pack as at a date: streamed, so its size does not matter."""
    try:
        chunks, filename = export_pack(current_user, _wanted(pack=True))
    except ExportError as error:
        return _refused(error)
    except PdfFailed as error:
        return _failed(error)
    return Response(stream_with_context(chunks), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<any(actions, evidence, findings, measures):name>.csv")
def list_csv(name: str):
    """Download a list as CSV with the filters in the address, as the list's own page reads them."""
    filters = ListFilters(action_filters(request.args), evidence_filters(request.args), request.args.get("archived") == "1",
                          request.args.to_dict(flat=False))
    try:
        export = export_list(current_user, name, filters, _restricted())
    except ExportError as error:
        return _refused(error)
    return send_file(io.BytesIO(export.content), mimetype=export.mimetype, as_attachment=True, download_name=export.filename)


def _wanted(pack: bool = False) -> ExportRequest:
    """What the address asks for; a value that cannot be read is refused with a sentence saying why. Only the pack
    reads `evidence`: accepted evidence only unless it says evidence=all."""
    raw = request.args.get("inspection", "")
    if raw and not (raw.isdecimal() and len(raw) < 10):
        raise ExportError("The inspection must be given by its number. Choose one from the list.")
    detail = request.args.get("detail") or "summary"
    if detail not in DETAILS:
        raise ExportError("How much detail must be given as detail=summary or detail=everything.")
    evidence = request.args.get("evidence") or "accepted"
    if pack and evidence not in ("accepted", "all"):
        raise ExportError("To put all evidence in the pack, whatever its status, the address must say evidence=all; "
                          "leave it out for accepted evidence only.")
    return ExportRequest(parse_as_at(request.args.get("as_at")), int(raw) if raw else None, _restricted(), detail=detail,
                         compare_with=parse_compare_with(request.args.get("compare")), accepted_only=pack and evidence == "accepted")


def _restricted() -> bool:
    raw = request.args.get("restricted", "")
    if raw not in ("", "0", "1"):
        raise ExportError("To include restricted evidence, the address must say restricted=1.")
    return raw == "1"


def _failed(error: PdfFailed):
    """Our side failed, not the request: say so, and that trying again is sensible; the log keeps why."""
    current_app.logger.error("Export refused: %s", error)
    message = f"{error} Try again in a few minutes; if it fails again, tell your administrator."
    return render_template("exports/refused.html", message=message), 503


def _refused(error: ExportError):
    if isinstance(error, RestrictedRefused):
        abort(403)
    return render_template("exports/refused.html", message=str(error)), 400
