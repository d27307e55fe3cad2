"""The information requests' export pages: choose the inspection period, then download its requests with their
responses and evidence as a ZIP; or open the ZIP's address (a GET shows what it would hold with a Download
button; only the POST, with the form's token, makes the file)."""

from flask import Response, render_template, request, stream_with_context
from flask_login import current_user

from tracker.dates import format_date
from tracker.exports import bp
from tracker.exports.formats import FORMATS
from tracker.exports.forms import RequestsExportForm
from tracker.exports.requests_pack import check, export_requests
from tracker.exports.services import ExportError, RestrictedRefused
from tracker.exports.throttle import heavy_exports
from tracker.exports.views import offer_page, refused_page, restricted_asked
from tracker.forms import id_arg, row_choices, show_error
from tracker.information_requests.services import current_period, list_periods, load_period


@bp.route("/information-requests", methods=["GET", "POST"])
@heavy_exports
def requests_index():
    """Choose the inspection period and whether to include what names a child (leaders),
    then download the ZIP."""
    form = RequestsExportForm()
    form.period.choices = row_choices(
        [period for period, _ in list_periods(current_user)],
        label=lambda row: f"Notified on {format_date(row.notified_on)}" + (" (open)" if row.is_open else ""),
    )
    if not form.is_submitted():
        chosen = current_period()
        form.period.data = str(chosen.id) if chosen else None
    if form.validate_on_submit():
        period, include = load_period(int(form.period.data)), bool(form.include_restricted.data)
        try:
            check(current_user, period, include)
        except RestrictedRefused as error:
            form.form_errors.append(str(error))
        except ExportError as error:
            show_error(form, error)
        else:
            return _download(period, include)
    return render_template("exports/requests.html", form=form)


@bp.route("/information-requests.zip", methods=["GET", "POST"])
@heavy_exports
def requests_pack():
    """A period's requests as a ZIP (period=ID, the current one when left out; restricted=1 for a leader to
    include what names a child): made when the page's Download button is pressed."""
    try:
        period = load_period(id_arg("period")) if request.args.get("period") else current_period()
        include = restricted_asked()
        period = check(current_user, period, include)
    except ExportError as error:
        return refused_page(error)
    if request.method == "GET":
        rows = [
            ("Inspection period", f"Notified on {format_date(period.notified_on)}"),
            (
                "Requests that name a child, and restricted evidence",
                "Included, and recorded in the audit log" if include else "Left out",
            ),
        ]
        return offer_page("Download the information requests as a ZIP", rows)
    return _download(period, include)


def _download(period, include_restricted: bool):
    try:
        chunks, filename = export_requests(current_user, period, include_restricted)
    except ExportError as error:
        return refused_page(error)
    return Response(
        stream_with_context(chunks),
        mimetype=FORMATS["zip"].mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
