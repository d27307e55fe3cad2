"""Importing a survey's replies from a file: upload, check how each column will be read, then confirm."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import storage
from tracker.forms import kept_here, remember_kept
from tracker.permissions import can_see_respondents
from tracker.surveys import bp, importer
from tracker.surveys.import_forms import TokenForm, UploadForm, mapping_form
from tracker.surveys.services import load_survey
from tracker.text import counted, plural


def _name(filename: str | None) -> str:
    return storage.clean_filename(filename or "replies.csv")


def _imported(result, preview: importer.SurveyPreview) -> str:
    replies = counted(result.replies, "reply")
    skipped = preview.rows - result.replies
    already = (
        f" {skipped} already in the survey {plural(skipped, 'was', 'were')} left as before."
        if skipped
        else ""
    )
    return f"Imported {replies} from {result.filename}.{already}"


@bp.route("/<int:survey_id>/import", methods=["GET", "POST"])
def import_replies(survey_id: int):
    """Upload a file of replies and see how each column would be read;
    nothing is saved yet. For officers and leaders."""
    survey = load_survey(survey_id)
    form = UploadForm()
    if form.validate_on_submit():
        name, content = _name(form.file.data.filename), form.file.data.read(importer.LIMITS.file_bytes + 1)
        try:
            preview = importer.preview_replies(name, content, survey)
        except importer.SurveyFileError as error:
            form.file.errors.append(str(error))
        else:
            token = (
                remember_kept(storage.keep_pending(content, name.rsplit(".", 1)[-1].lower()))
                if preview.valid
                else ""
            )
            mapping = mapping_form(
                preview, keep_personal=can_see_respondents(current_user), fresh=True, token=token, name=name
            )
            return render_template(
                "surveys/import_preview.html", survey=survey, preview=preview, mapping=mapping
            )
    return render_template("surveys/import.html", survey=survey, form=form)


@bp.route("/<int:survey_id>/import/confirm", methods=["POST"])
def confirm_import(survey_id: int):
    """Import the kept file as the officer or leader chose to read it: every reply, or nothing."""
    survey = load_survey(survey_id)
    kept = TokenForm()
    content = storage.read_pending(kept_here(kept.token.data)) if kept.validate_on_submit() else None
    if content is None:
        flash("That import has expired. Upload the file again.", "info")
        return redirect(url_for("surveys.import_replies", survey_id=survey.id))
    try:
        preview = importer.preview_replies(_name(kept.name.data), content, suggest=False)
    except importer.SurveyFileError as error:  # a kept file is one that was read once, so this is rare
        flash(f"Nothing was imported: {error}", "info")
        return redirect(url_for("surveys.import_replies", survey_id=survey.id))
    mapping = mapping_form(preview, keep_personal=can_see_respondents(current_user))
    if mapping.validate_on_submit():
        try:
            result = importer.import_replies(
                current_user, survey, preview.filename, content, mapping.mapping(), preview=preview
            )
        except importer.SurveyFileError as error:
            mapping.show(error)
        else:
            storage.discard_pending(kept.token.data)
            flash(_imported(result, preview), "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/import_preview.html", survey=survey, preview=preview, mapping=mapping)
