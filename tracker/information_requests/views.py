"""Information request pages: the period's requests and "My requests" by due time, a period with its
timetable, opening and closing it, logging and changing a request, answering it,
and attaching or uploading its evidence."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.dates import LONDON
from tracker.evidence.models import EvidenceItem, Sensitivity
from tracker.evidence.services import Upload
from tracker.forms import filled, id_arg, once, row_choices, show_error
from tracker.information_requests import bp
from tracker.information_requests.forms import (
    AttachForm,
    ButtonForm,
    PeriodForm,
    RequestForm,
    RespondForm,
    UploadForm,
)
from tracker.information_requests.models import (
    InformationRequest,
    InspectionPeriod,
    RequestCategory,
    RequestStatus,
)
from tracker.information_requests.rules import timetable
from tracker.information_requests.services import (
    RequestConflict,
    RequestData,
    RequestError,
    UploadDetails,
    attach_evidence,
    close_period,
    current_period,
    detach_evidence,
    evidence_choices,
    inspection_choices,
    list_periods,
    list_requests,
    load_period,
    load_request,
    log_request,
    open_period,
    open_period_now,
    owner_choices,
    request_page,
    respond,
    update_request,
    upload_for_request,
)
from tracker.models import utcnow
from tracker.permissions import can_update_request, can_view_request, require
from tracker.plan.services import seen_version
from tracker.storage import StorageFull
from tracker.text import counted


@bp.route("")
def index():
    """The current period's requests by due time, overdue ones flagged; for anyone on the plan."""
    period = current_period()
    return render_template(
        "requests/index.html",
        period=period,
        mine=False,
        now=utcnow(),
        page=list_requests(current_user, period, id_arg("page") or 1),
    )


@bp.route("/mine")
def mine():
    """The current period's requests this leader or officer owns, by due time."""
    period = current_period()
    return render_template(
        "requests/index.html",
        period=period,
        mine=True,
        now=utcnow(),
        page=list_requests(current_user, period, id_arg("page") or 1, owner_id=current_user.id),
    )


@bp.route("/periods")
def periods():
    """Every inspection period, newest first, with how many requests each holds."""
    return render_template("requests/periods.html", periods=list_periods(current_user))


@bp.route("/periods/<int:period_id>")
def period(period_id: int):
    """A period: its working-day timetable from the notification date, its requests,
    and closing it (leaders)."""
    row = load_period(period_id)
    return render_template(
        "requests/period.html",
        period=row,
        stages=timetable(row.notified_on),
        form=ButtonForm(),
        page=list_requests(current_user, row, id_arg("page") or 1),
        now=utcnow(),
    )


@bp.route("/periods/new", methods=["GET", "POST"], endpoint="open_period")
@once(InspectionPeriod, lambda row: url_for("requests.period", period_id=row.id))
def open_period_page():
    """A leader opens the inspection period from the day the inspectors notified them."""
    form = PeriodForm()
    form.inspection.choices = row_choices(
        inspection_choices(), label=lambda row: row.title, blank="Link the one that fits, if any"
    )
    if form.validate_on_submit():
        try:
            row = open_period(
                current_user,
                form.notified_on.data,
                int(form.inspection.data) if form.inspection.data else None,
            )
        except RequestError as error:
            show_error(form, error)
        else:
            flash("The inspection period is open. Its timetable is below.", "success")
            return redirect(url_for("requests.period", period_id=row.id))
    return render_template("requests/period_form.html", form=form, already=open_period_now())


@bp.route("/periods/<int:period_id>/close", methods=["POST"], endpoint="close_period")
def close_period_page(period_id: int):
    """A leader closes the period; its requests are kept as they stand."""
    row = load_period(period_id)
    if ButtonForm().validate_on_submit():
        try:
            close_period(current_user, row)
        except RequestError as error:
            flash(str(error), "info")
        else:
            flash("The inspection period is closed. Its requests are kept as they stand.", "success")
    return redirect(url_for("requests.period", period_id=row.id))


def _request_form(form: RequestForm, keep: int | None = None) -> RequestForm:
    form.owner_id.choices = row_choices(
        owner_choices(keep), label=lambda person: person.name, blank="Choose the owner"
    )
    return form


def _data(form: RequestForm) -> RequestData:
    owner = form.owner_id.data
    return RequestData(
        form.wording.data or "",
        RequestCategory(form.category.data),
        int(owner) if owner and owner.isdecimal() and len(owner) < 10 else None,
        form.due_at(),
        bool(form.names_child.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@once(InformationRequest, lambda row: url_for("requests.detail", request_id=row.id))
def create():
    """A leader logs an inspectors' request in the open period: wording, category, owner and due time."""
    form = _request_form(RequestForm())
    if form.validate_on_submit():
        try:
            row = log_request(current_user, _data(form))
        except RequestError as error:
            show_error(form, error)
        else:
            flash(f"{row.reference} logged, owned by {row.owner.name}.", "success")
            return redirect(url_for("requests.detail", request_id=row.id))
    return render_template("requests/form.html", form=form, row=None, period=open_period_now())


def _load(request_id: int, updating: bool = False) -> InformationRequest:
    row = load_request(request_id)
    require(can_view_request(current_user, row), hide=True)
    if updating:
        require(can_update_request(current_user, row))
    return row


@bp.route("/<int:request_id>")
def detail(request_id: int):
    """A request: its wording, owner, due time, status, response and the evidence sent;
    hidden from those who may not see it."""
    row = _load(request_id)
    return render_template(
        "requests/detail.html",
        page=request_page(current_user, row),
        row=row,
        now=utcnow(),
        button_form=ButtonForm(),
    )


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
def edit(request_id: int):
    """A leader changes the request's wording, category, owner, due time or whether it names a child."""
    row = _load(request_id, updating=True)
    form = _request_form(RequestForm(obj=row), keep=row.owner_id)
    if not form.is_submitted():
        local = row.due_at.astimezone(LONDON)
        form.category.data, form.owner_id.data = row.category.value, str(row.owner_id)
        form.due_on.data, form.due_time.data, form.version.data = (
            local.date(),
            f"{local:%H:%M}",
            str(row.version),
        )
    if form.validate_on_submit():
        try:
            update_request(current_user, row, _data(form), seen_version(form.version.data))
        except RequestConflict as error:
            form.form_errors.append(str(error))
            form.version.data = str(row.version)
        except RequestError as error:
            show_error(form, error)
        else:
            flash(f"{row.reference} saved.", "success")
            return redirect(url_for("requests.detail", request_id=row.id))
    return render_template("requests/form.html", form=form, row=row, period=row.period)


@bp.route("/<int:request_id>/respond", methods=["GET", "POST"], endpoint="respond")
def respond_page(request_id: int):
    """The owner or a leader changes the status and writes the response note."""
    row = _load(request_id, updating=True)
    form = RespondForm(obj=row)
    if not form.is_submitted():
        form.status.data, form.version.data = row.status.value, str(row.version)
    if form.validate_on_submit():
        try:
            respond(
                current_user,
                row,
                RequestStatus(form.status.data),
                form.response.data or "",
                seen_version(form.version.data),
            )
        except RequestConflict as error:
            form.form_errors.append(str(error))
            form.version.data = str(row.version)
        except RequestError as error:
            show_error(form, error)
        else:
            flash(f"{row.reference} is {row.status.label.lower()}.", "success")
            return redirect(url_for("requests.detail", request_id=row.id))
    return render_template("requests/respond.html", form=form, row=row)


@bp.route("/<int:request_id>/evidence", methods=["GET", "POST"])
def attach(request_id: int):
    """Attach evidence already in the tracker that this person may see."""
    row = _load(request_id, updating=True)
    form = AttachForm()
    form.evidence_ids.choices = row_choices(
        evidence_choices(current_user, row), label=lambda item: item.title
    )
    if form.validate_on_submit():
        try:
            chosen = attach_evidence(
                current_user,
                row,
                [int(v) if v.isdecimal() and len(v) < 10 else 0 for v in form.evidence_ids.data or []],
            )
        except RequestError as error:
            show_error(form, error)
        else:
            flash(
                f"{counted(len(chosen), 'evidence item')} attached to {row.reference}.",
                "success",
            )
            return redirect(url_for("requests.detail", request_id=row.id))
    return render_template("requests/attach.html", form=form, row=row)


@bp.route("/<int:request_id>/upload", methods=["GET", "POST"])
@once(EvidenceItem, lambda item: url_for("evidence.detail", evidence_id=item.id))
def upload(request_id: int):
    """Upload a file for the request: stored as evidence, attached to the request, in one step."""
    row = _load(request_id, updating=True)
    form = UploadForm()
    if not form.is_submitted() and row.names_child:
        form.sensitivity.data = Sensitivity.RESTRICTED.value
    if form.validate_on_submit():
        details = UploadDetails(
            form.title.data or "",
            filled(form.about_date.data),
            Sensitivity(form.sensitivity.data),
            form.description.data or "",
        )
        try:
            item = upload_for_request(
                current_user, row, details, Upload(form.file.data.stream, form.file.data.filename or "")
            )
        except RequestError as error:
            show_error(form, error)
        except StorageFull as error:
            form.file.errors.append(str(error))
            return render_template("requests/upload.html", form=form, row=row), 507
        else:
            flash(f"\u201c{item.title}\u201d uploaded and attached to {row.reference}.", "success")
            return redirect(url_for("requests.detail", request_id=row.id))
    return render_template("requests/upload.html", form=form, row=row)


@bp.route("/<int:request_id>/evidence/<int:evidence_id>/remove", methods=["POST"])
def detach(request_id: int, evidence_id: int):
    """Take evidence off the request; the evidence itself is kept."""
    row = _load(request_id, updating=True)
    if ButtonForm().validate_on_submit():
        try:
            item = detach_evidence(current_user, row, evidence_id)
        except RequestError as error:
            flash(str(error), "info")
        else:
            flash(
                f"\u201c{item.title}\u201d taken off {row.reference}. The evidence itself is kept.", "success"
            )
    return redirect(url_for("requests.detail", request_id=row.id))
