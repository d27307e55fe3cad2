"""Bringing an existing plan in from a spreadsheet: upload, preview every row, then confirm."""

import io
from pathlib import PurePath

from flask import flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired

from tracker import storage
from tracker.forms import kept_here, remember_kept
from tracker.plan import bp
from tracker.plan.importer import COLUMNS, LIMITS, ImportFileError, apply_plan, preview_plan, template_csv, template_xlsx
from tracker.plan.services import PlanError

TEMPLATES = {
    "csv": (template_csv, "text/csv"),
    "xlsx": (template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet", widget=GovFileInput(), description="An .xlsx or .csv file laid out as the template.",
                     validators=[InputRequired(message="Choose a .csv, .xlsx or .ods file to import.")])
    submit = SubmitField("Preview the import", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    token = HiddenField()
    name = HiddenField()
    submit = SubmitField("Import these actions", widget=GovSubmitInput())


@bp.route("/actions/import", methods=["GET", "POST"])
def import_plan():
    """Upload a plan and see every row with its errors in words; nothing is written yet. For leaders."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = PurePath(upload.filename or "plan").name
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        content = upload.read(LIMITS.file_bytes + 1)  # enough to know it is too large
        try:
            if suffix not in ("csv", "xlsx", "ods"):
                raise ImportFileError("Choose a .csv, .xlsx or .ods file: other files cannot be imported.")
            preview = preview_plan(name, io.BytesIO(content))
        except ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            confirm = ConfirmForm(token=remember_kept(storage.keep_pending(content, suffix)), name=name) if preview.valid else None
            return render_template("plan/import_preview.html", preview=preview, name=name, confirm=confirm)
    return render_template("plan/import.html", form=form, columns=COLUMNS)


@bp.route("/actions/import/confirm", methods=["POST"])
def confirm_import():
    """Write every previewed row in one transaction, or nothing."""
    form = ConfirmForm()
    content = storage.read_pending(kept_here(form.token.data)) if form.validate_on_submit() else None
    if content is None:
        flash("That import has expired. Upload the file again.", "info")
        return redirect(url_for("plan.import_plan"))
    name = PurePath(form.name.data or "plan").name
    try:
        result = apply_plan(current_user, preview_plan(name, io.BytesIO(content)), name)
    except (ImportFileError, PlanError) as error:
        flash(str(error) if str(error).startswith("Nothing was imported") else f"Nothing was imported: {error}", "info")
        return redirect(url_for("plan.import_plan"))
    storage.discard_pending(form.token.data)
    flash(f"Imported {name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.", "success")
    return redirect(url_for("plan.actions"))


@bp.route("/actions/import/template.<kind>")
def import_template(kind: str):
    """The column layout as a file to fill in."""
    if kind not in TEMPLATES:
        return redirect(url_for("plan.import_plan"))
    build, mimetype = TEMPLATES[kind]
    return send_file(io.BytesIO(build()), mimetype=mimetype, as_attachment=True, download_name=f"action-plan-template.{kind}")
