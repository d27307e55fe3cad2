"""The self-evaluation's export pages: choose Word or PDF and an as-at date, or open an export's address (a
GET shows what it would hold with a Download button; only the POST, with the form's token, makes the file)."""

from flask import render_template, request
from flask_login import current_user

from tracker.dates import format_date, today
from tracker.exports import bp
from tracker.exports.formats import FORMATS, SEF_FORMATS, route_formats
from tracker.exports.forms import SefExportForm
from tracker.exports.pdf import PdfFailed
from tracker.exports.sef import export_sef
from tracker.exports.services import ExportError, ExportRequest, RestrictedRefused, check_request, parse_as_at
from tracker.exports.throttle import heavy_exports
from tracker.exports.views import failed_page, offer_page, refused_page, restricted_asked, send_export
from tracker.forms import filled, show_error


@bp.route("/self-evaluation", methods=["GET", "POST"])
@heavy_exports
def sef_index():
    """Choose Word or PDF and the date the self-evaluation is shown as at, then download it;
    for anyone on the plan."""
    form = SefExportForm()
    if not form.is_submitted():
        form.as_at.data = today()
    if form.validate_on_submit():
        try:
            check_request(
                current_user,
                ExportRequest(filled(form.as_at.data), include_restricted=bool(form.include_restricted.data)),
            )
        except RestrictedRefused as error:
            form.form_errors.append(str(error))
        except ExportError as error:
            show_error(form, error)
        else:
            return _download(form.what.data, form.as_at.data, bool(form.include_restricted.data))
    return render_template("exports/sef.html", form=form)


@bp.route(f"/self-evaluation.<any({route_formats(SEF_FORMATS)}):fmt>", methods=["GET", "POST"])
@heavy_exports
def sef(fmt: str):
    """The self-evaluation as at a date (as_at=YYYY-MM-DD) as Word or PDF:
    made when the page's Download button is pressed."""
    try:
        as_at, include_restricted = parse_as_at(request.args.get("as_at")), restricted_asked()
        check_request(current_user, ExportRequest(as_at, include_restricted=include_restricted))
    except ExportError as error:
        return refused_page(error)
    if request.method == "GET":
        rows = [
            ("Format", FORMATS[fmt].name.split(" ", 1)[1].capitalize()),
            ("As at", format_date(as_at)),
            (
                "Restricted evidence",
                "Included, and recorded in the audit log" if include_restricted else "Left out",
            ),
        ]
        return offer_page(f"Download the self-evaluation as {FORMATS[fmt].name}", rows)
    return _download(fmt, as_at, include_restricted)


def _download(fmt: str, as_at, include_restricted: bool):
    try:
        return send_export(export_sef(current_user, as_at, fmt, include_restricted))
    except ExportError as error:
        return refused_page(error)
    except PdfFailed as error:
        return failed_page(error)
