"""Bringing an existing plan in from a spreadsheet: upload, choose how to read it and see every row's outcome,
then import."""

import io
from pathlib import PurePath

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker import storage
from tracker.forms import kept_here, remember_kept
from tracker.plan import bp
from tracker.plan.import_columns import FIELDS
from tracker.plan.import_forms import TokenForm, UploadForm, mapping_form, posted_mapping
from tracker.plan.import_template import HEADINGS, template_csv, template_xlsx
from tracker.plan.importer import LIMITS, ImportFileError, apply_plan, check_plan, preview_plan, read_plan
from tracker.plan.services import PlanError

TEMPLATES = {
    "csv": (template_csv, "text/csv"),
    "xlsx": (template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
CHANGED = "Your choices changed what the rows hold: check them below, then select “Import these actions”."


def _name(filename: str | None) -> str:
    return PurePath(filename or "plan").name


@bp.route("/actions/import", methods=["GET", "POST"])
def import_plan():
    """Upload a plan and see how each column would be read and what each row would become;
    nothing is written. For leaders."""
    form = UploadForm()
    if form.validate_on_submit():
        name = _name(form.file.data.filename)
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        content = form.file.data.read(LIMITS.file_bytes + 1)  # enough to know it is too large
        try:
            if suffix not in ("csv", "xlsx", "ods"):
                raise ImportFileError("Choose a .csv, .xlsx or .ods file: other files cannot be imported.")
            preview = preview_plan(name, io.BytesIO(content))
        except ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            token = remember_kept(storage.keep_pending(content, suffix))
            mapping = mapping_form(preview, fresh=True, token=token, name=name, shown=preview.digest)
            mapping.show(preview)
            return render_template("plan/import_preview.html", preview=preview, name=name, mapping=mapping)
    return render_template("plan/import.html", form=form, fields=FIELDS, headings=HEADINGS)


@bp.route("/actions/import/confirm", methods=["POST"])
def confirm_import():
    """Check the rows again with the choices made, or import them:
    every row in one transaction, or nothing."""
    kept = TokenForm()
    content = storage.read_pending(kept_here(kept.token.data)) if kept.validate_on_submit() else None
    if content is None:
        flash("That import has expired. Upload the file again.", "info")
        return redirect(url_for("plan.import_plan"))
    name = _name(kept.name.data)
    try:
        sheet = read_plan(name, content)
    except ImportFileError as error:  # a kept file is one that was read once, so this is rare
        flash(f"Nothing was imported: {error}", "info")
        return redirect(url_for("plan.import_plan"))
    preview = check_plan(sheet, posted_mapping(sheet, request.form), name)
    mapping = mapping_form(preview)
    if mapping.validate_on_submit() and mapping.submit.data and preview.valid:
        if kept.shown.data == preview.digest:
            try:
                result = apply_plan(current_user, preview, name)
            except PlanError as error:
                mapping.form_errors.append(str(error))
            else:
                storage.discard_pending(kept.token.data)
                flash(
                    f"Imported {name}: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged.",
                    "success",
                )
                return redirect(url_for("plan.actions"))
        else:
            flash(CHANGED, "info")
    mapping.shown.data = preview.digest
    mapping.show(preview)
    return render_template("plan/import_preview.html", preview=preview, name=name, mapping=mapping)


@bp.route("/actions/import/template.<kind>")
def import_template(kind: str):
    """The column layout as a file to fill in."""
    if kind not in TEMPLATES:
        return redirect(url_for("plan.import_plan"))
    build, mimetype = TEMPLATES[kind]
    return send_file(
        io.BytesIO(build()),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"action-plan-template.{kind}",
    )
