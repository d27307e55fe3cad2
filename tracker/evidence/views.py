"""Evidence pages: lists, adding and reviewing evidence, versions and downloads."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker import storage
from tracker.dates import today
from tracker.evidence import bp
from tracker.evidence.forms import ButtonForm, EvidenceForm, ReviewForm, VersionForm, read_evidence_filters
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import (
    EvidenceData,
    EvidenceError,
    Upload,
    add_version,
    create_evidence,
    evidence_form_choices,
    findings_without_current_evidence,
    is_expired,
    list_evidence,
    load_evidence,
    resubmit_evidence,
    review_evidence,
    update_evidence,
)
from tracker.evidence.services import (
    review_queue as evidence_review_queue,
)
from tracker.forms import filled, id_arg, offered, once, row_choices, show_error
from tracker.permissions import can_edit_evidence, can_view_evidence, require
from tracker.plan.queries import live_finding_choices
from tracker.plan.services import set_archived
from tracker.storage import StorageError, StorageFull


@bp.route("")
def index():
    """All evidence this person may see, with filters kept in the address;
    restricted items only for leaders and uploaders."""
    return _list_page("evidence/index.html", "Evidence")


@bp.route("/mine")
def mine():
    """The evidence the signed-in person added, with its review status."""
    return _list_page("evidence/index.html", "My evidence", uploader_id=current_user.id)


def _list_page(template: str, heading: str, uploader_id: int | None = None):
    form, filters = read_evidence_filters(request.args, uploader_id)
    form.finding.choices = row_choices(
        live_finding_choices(), label=lambda f: f"{f.reference}: {f.title}", blank="Any finding"
    )
    return render_template(
        template,
        filter_form=form,
        page=list_evidence(current_user, filters),
        heading=heading,
        today=today(),
        mine=uploader_id is not None,
    )


@bp.route("/review")
def review_queue():
    """Leaders' queue: submitted evidence waiting for a decision, oldest first."""
    return render_template(
        "evidence/review_queue.html", items=evidence_review_queue(current_user), today=today()
    )


@bp.route("/gaps")
def gaps():
    """Findings with no current accepted evidence: what an inspector would ask about first."""
    return render_template("evidence/gaps.html", findings=findings_without_current_evidence(current_user))


def _evidence_form(form: EvidenceForm, item=None) -> EvidenceForm:
    choices = evidence_form_choices(item)
    form.finding_ids.choices = row_choices(choices["findings"], label=lambda f: f"{f.reference}: {f.title}")
    form.action_ids.choices = row_choices(choices["actions"], label=lambda a: f"{a.reference}: {a.title}")
    return form


def _evidence_data(form: EvidenceForm, kind: EvidenceKind) -> EvidenceData:
    return EvidenceData(
        kind=kind,
        title=form.title.data or "",
        description=form.description.data or "",
        about_date=filled(form.about_date.data),
        review_by=form.review_by.data,
        sensitivity=Sensitivity(form.sensitivity.data),
        source=form.source.data or "",
        url=form.url.data,
        note=form.note.data,
        finding_ids=[int(v) for v in form.finding_ids.data or []],
        action_ids=[int(v) for v in form.action_ids.data or []],
    )


@bp.route("/new", methods=["GET", "POST"])
@once(EvidenceItem, lambda item: url_for("evidence.detail", evidence_id=item.id))
def create():
    """Add a document, a link or a note, and say which findings and actions it supports."""
    kind = offered(EvidenceKind, request.args.get("kind", ""))
    if kind is None:
        links = {name: request.args[name] for name in ("finding", "action") if id_arg(name)}
        return render_template("evidence/choose_kind.html", args=links)
    form = _evidence_form(
        EvidenceForm(
            finding_ids=[request.args["finding"]] if id_arg("finding") else None,
            action_ids=[request.args["action"]] if id_arg("action") else None,
        )
    )
    if form.validate_on_submit():
        upload = (
            Upload(form.file.data.stream, form.file.data.filename or "")
            if kind is EvidenceKind.DOCUMENT and form.file.data
            else None
        )
        try:
            item = create_evidence(current_user, _evidence_data(form, kind), upload)
        except EvidenceError as error:
            show_error(form, error)
        except StorageFull as error:
            form.file.errors.append(str(error))
            return render_template("evidence/form.html", form=form, kind=kind, item=None), 507
        else:
            flash(f"“{item.title}” added. A leader will review it.", "success")
            return redirect(url_for("evidence.detail", evidence_id=item.id))
    return render_template("evidence/form.html", form=form, kind=kind, item=None)


@bp.route("/<int:evidence_id>")
def detail(evidence_id: int):
    """One item: what it is, what it supports, its versions and its review;
    hidden entirely from those who may not see it."""
    item = load_evidence(evidence_id)
    require(can_view_evidence(current_user, item), hide=True)
    return render_template(
        "evidence/detail.html",
        item=item,
        expired=is_expired(item),
        review_form=ReviewForm(),
        button_form=ButtonForm(),
        today=today(),
    )


@bp.route("/<int:evidence_id>/files/<int:file_id>")
def download(evidence_id: int, file_id: int):
    """A stored version, always as a download, with the type that was sniffed from its content."""
    item = load_evidence(evidence_id)
    require(can_view_evidence(current_user, item), hide=True)
    revision = next((f for f in item.files if f.id == file_id), None)
    if revision is None:
        abort(404)
    try:
        stream = storage.open_stored(revision.storage_key)
    except StorageError as error:
        flash(str(error), "info")
        return redirect(url_for("evidence.detail", evidence_id=item.id))
    response = send_file(
        stream,
        mimetype=revision.content_type,
        as_attachment=True,
        download_name=revision.filename,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:evidence_id>/edit", methods=["GET", "POST"])
def edit(evidence_id: int):
    """Change the details of evidence; for leaders and the person who added it."""
    item = load_evidence(evidence_id)
    require(can_edit_evidence(current_user, item), hide=not can_view_evidence(current_user, item))
    form = _evidence_form(EvidenceForm(obj=item), item)
    if not form.is_submitted():
        form.sensitivity.data = item.sensitivity.value
        form.finding_ids.data = [str(f.id) for f in item.findings]
        form.action_ids.data = [str(a.id) for a in item.actions]
    if form.validate_on_submit():
        try:
            update_evidence(current_user, item, _evidence_data(form, item.kind))
        except EvidenceError as error:
            show_error(form, error)
        else:
            flash(f"“{item.title}” saved.", "success")
            return redirect(url_for("evidence.detail", evidence_id=item.id))
    return render_template("evidence/form.html", form=form, kind=item.kind, item=item)


@bp.route("/<int:evidence_id>/versions/new", methods=["GET", "POST"], endpoint="add_version")
@once(EvidenceFile, lambda revision: url_for("evidence.detail", evidence_id=revision.evidence_id))
def add_version_page(evidence_id: int):
    """Upload a new version of a document; every earlier version is kept."""
    item = load_evidence(evidence_id)
    require(can_edit_evidence(current_user, item), hide=not can_view_evidence(current_user, item))
    form = VersionForm()
    if form.validate_on_submit():
        try:
            revision = add_version(
                current_user, item, Upload(form.file.data.stream, form.file.data.filename or "")
            )
        except EvidenceError as error:
            form.file.errors.append(str(error))
        except StorageFull as error:
            form.file.errors.append(str(error))
            return render_template("evidence/version_form.html", form=form, item=item), 507
        else:
            flash(
                f"Version {revision.version} of “{item.title}” uploaded. A leader will review it.", "success"
            )
            return redirect(url_for("evidence.detail", evidence_id=item.id))
    return render_template("evidence/version_form.html", form=form, item=item)


@bp.route("/<int:evidence_id>/review", methods=["POST"])
def review(evidence_id: int):
    """A leader accepts the evidence or returns it with a comment."""
    item = load_evidence(evidence_id)
    require(can_view_evidence(current_user, item), hide=True)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review_evidence(current_user, item, form.decision.data == "accept", form.comment.data or "")
        except EvidenceError as error:
            show_error(form, error)
        else:
            accepted = item.status is EvidenceStatus.ACCEPTED
            flash(
                f"“{item.title}” {'accepted' if accepted else 'returned to ' + item.uploaded_by.name}.",
                "success",
            )
            return redirect(url_for("evidence.review_queue"))
    return render_template(
        "evidence/detail.html",
        item=item,
        expired=is_expired(item),
        review_form=form,
        button_form=ButtonForm(),
        form=form,
        today=today(),
    )


@bp.route("/<int:evidence_id>/resubmit", methods=["POST"])
def resubmit(evidence_id: int):
    """Send returned evidence back for review, after changing it."""
    item = load_evidence(evidence_id)
    require(can_edit_evidence(current_user, item), hide=not can_view_evidence(current_user, item))
    try:
        resubmit_evidence(current_user, item)
    except EvidenceError as error:
        flash(str(error), "info")
    else:
        flash(f"“{item.title}” resubmitted for review.", "success")
    return redirect(url_for("evidence.detail", evidence_id=item.id))


@bp.route("/<int:evidence_id>/archive", methods=["POST"])
def archive(evidence_id: int):
    """Archive evidence (or restore it); nothing is deleted and every version is kept."""
    item = load_evidence(evidence_id)
    require(can_edit_evidence(current_user, item), hide=not can_view_evidence(current_user, item))
    set_archived(current_user, item, request.form.get("archive", "1") != "0")
    flash(f"“{item.title}” {'archived' if item.is_archived else 'restored'}.", "success")
    return redirect(url_for("evidence.detail", evidence_id=item.id))
