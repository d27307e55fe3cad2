"""Measure pages: the list, a measure's page, defining measures, and adding,
correcting and importing readings."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.charts import value_text
from tracker.dates import format_date, today
from tracker.forms import filled, id_arg, once, row_choices, show_error
from tracker.measures import bp
from tracker.measures.forms import CorrectionForm, ImportForm, MeasureForm, ReadingForm
from tracker.measures.models import Direction, Frequency, Measure, MeasureReading
from tracker.measures.services import (
    MAX_IMPORT_BYTES,
    DuplicateReading,
    ImportProblems,
    MeasureData,
    MeasureError,
    MilestoneData,
    add_reading,
    correct_reading,
    create_measure,
    evidence_choices,
    import_readings,
    linked_evidence,
    list_measures,
    load_measure,
    load_reading,
    measure_chart,
    possible_owners,
    update_measure,
)
from tracker.measures.status import status_of
from tracker.permissions import can_record_readings, require
from tracker.plan.forms import ArchiveForm
from tracker.plan.services import findings_by_theme, set_archived
from tracker.text import counted


@bp.route("")
def index():
    """Every measure with its latest value, target, status and why, and owner; for anyone on the plan."""
    archived = request.args.get("archived") == "1"
    on = today()
    page = list_measures(archived, page=id_arg("page") or 1)
    rows = [(measure, status_of(measure, on)) for measure in page.items]
    return render_template("measures/index.html", rows=rows, page=page, archived=archived)


@bp.route("/<int:measure_id>")
def detail(measure_id: int):
    """One measure: its status and why, the chart and its figures, readings and corrections,
    findings and actions."""
    measure = load_measure(measure_id)
    return render_template(
        "measures/detail.html",
        measure=measure,
        status=status_of(measure, today()),
        chart=measure_chart(measure),
        evidence=linked_evidence(current_user, measure),
        archive_form=ArchiveForm(),
    )


def _measure_form(form: MeasureForm, measure: Measure | None = None) -> MeasureForm:
    form.owner_id.choices = row_choices(possible_owners(), blank="Choose an owner")
    # live findings, and any archived one the measure already evidences, so that saving keeps that link
    findings = [f for group in findings_by_theme() for f in group.findings]
    findings += [f for f in (measure.findings if measure else []) if f.is_archived]
    form.finding_ids.choices = row_choices(
        findings, label=lambda f: f"{f.reference}: {f.title}{' (archived)' if f.is_archived else ''}"
    )
    return form


def _initial(measure: Measure) -> dict:
    return {
        "name": measure.name,
        "description": measure.description,
        "unit": measure.unit,
        "direction": measure.direction.value,
        "baseline_value": measure.baseline_value,
        "baseline_date": measure.baseline_date,
        "target_value": measure.target_value,
        "target_date": measure.target_date,
        "frequency": measure.frequency.value,
        "source": measure.source,
        "owner_id": str(measure.owner_id),
        "finding_ids": [str(finding.id) for finding in measure.findings],
        "milestones": [{"due_on": s.due_on, "value": s.value, "label": s.label} for s in measure.milestones],
    }


def _id(value: str) -> int:
    """A chosen row's id; anything else is 0, which matches no row, so the service explains it."""
    return int(value) if value.isdecimal() and len(value) < 10 else 0


def _measure_data(form: MeasureForm) -> MeasureData:
    return MeasureData(
        name=form.name.data,
        description=form.description.data or "",
        unit=form.unit.data,
        direction=Direction(form.direction.data),
        frequency=Frequency(form.frequency.data),
        owner_id=_id(filled(form.owner_id.data)),
        target_value=form.target_value.data,
        target_date=form.target_date.data,
        baseline_value=form.baseline_value.data,
        baseline_date=form.baseline_date.data,
        source=form.source.data or "",
        finding_ids=[_id(value) for value in form.finding_ids.data or []],
        milestones=[
            MilestoneData(row.form.due_on.data, row.form.value.data, row.form.label.data or "")
            for row in form.milestones
            if not row.form.is_blank
        ],
    )


def _show_error(form: MeasureForm, error: MeasureError) -> None:
    """Beside the field it names; a milestone's problem beside that milestone's field."""
    if error.row is None or error.field is None:  # a milestone's problem names its row and field
        show_error(form, error)
        return
    row = form.milestones.entries[error.row].form
    getattr(row, error.field).errors.append(str(error))
    form.milestones.errors = [entry.errors for entry in form.milestones.entries]


@bp.route("/new", methods=["GET", "POST"])
@once(Measure, lambda measure: url_for("measures.detail", measure_id=measure.id))
def create():
    """Define a measure: unit, direction, baseline, target, milestones, owner and findings; for leaders."""
    form = _measure_form(MeasureForm())
    if form.validate_on_submit():
        try:
            measure = create_measure(current_user, _measure_data(form))
        except MeasureError as error:
            _show_error(form, error)
        else:
            flash(f"Measure {measure.name} saved.", "success")
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=None)


@bp.route("/<int:measure_id>/edit", methods=["GET", "POST"])
def edit(measure_id: int):
    """Change a measure's definition, or archive or restore it (the page's second button); for leaders."""
    measure = load_measure(measure_id)
    if "archive" in request.form:
        return _archive(measure, request.form["archive"] != "0")
    form = _measure_form(MeasureForm(data=_initial(measure)), measure)
    if form.validate_on_submit():
        try:
            update_measure(current_user, measure, _measure_data(form))
        except MeasureError as error:
            _show_error(form, error)
        else:
            flash(f"Measure {measure.name} saved.", "success")
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/form.html", form=form, measure=measure)


def _archive(measure: Measure, archived: bool):
    if ArchiveForm().validate_on_submit():
        set_archived(current_user, measure, archived)
        flash(f"Measure {measure.name} {'archived' if measure.is_archived else 'restored'}.", "success")
    return redirect(url_for("measures.detail", measure_id=measure.id))


@bp.route("/<int:measure_id>/readings/new", methods=["GET", "POST"], endpoint="add_reading")
@once(MeasureReading, lambda reading: url_for("measures.detail", measure_id=reading.measure_id))
def add_reading_page(measure_id: int):
    """Add the figure for one period; for the measure's owner and leaders."""
    measure = load_measure(measure_id)
    require(can_record_readings(current_user, measure))
    form = ReadingForm()
    form.evidence_id.choices = row_choices(
        evidence_choices(current_user),
        blank="No evidence",
        label=lambda item: f"{item.title} ({format_date(item.about_date)})",
    )
    duplicate = None
    if form.validate_on_submit():
        try:
            add_reading(
                current_user,
                measure,
                filled(form.period_end.data),
                filled(form.value.data),
                form.note.data or "",
                _id(form.evidence_id.data) if form.evidence_id.data else None,
            )
        except MeasureError as error:
            duplicate = error.reading if isinstance(error, DuplicateReading) else None
            show_error(form, error)
        else:
            flash(f"Reading for the period ending {format_date(form.period_end.data)} added.", "success")
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/reading_form.html", form=form, measure=measure, duplicate=duplicate)


@bp.route(
    "/<int:measure_id>/readings/<int:reading_id>/edit", methods=["GET", "POST"], endpoint="correct_reading"
)
def correct_reading_page(measure_id: int, reading_id: int):
    """Correct a reading with a reason; the earlier value stays on the measure's
    page. For the owner and leaders."""
    measure = load_measure(measure_id)
    require(can_record_readings(current_user, measure))
    reading = load_reading(measure, reading_id)
    form = CorrectionForm(data={"value": reading.value, "note": reading.note})
    if form.validate_on_submit():
        try:
            correct_reading(
                current_user, reading, filled(form.value.data), form.note.data or "", form.reason.data or ""
            )
        except MeasureError as error:
            show_error(form, error)
        else:
            flash(f"Reading for the period ending {format_date(reading.period_end)} corrected.", "success")
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/correction_form.html", form=form, measure=measure, reading=reading)


@bp.route("/<int:measure_id>/readings/import", methods=["GET", "POST"], endpoint="import_readings")
def import_readings_page(measure_id: int):
    """Add many readings from a CSV file, all or nothing; for the owner and leaders."""
    measure = load_measure(measure_id)
    require(can_record_readings(current_user, measure))
    form, problems = ImportForm(), []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = import_readings(
                current_user, measure, upload.filename or "", upload.read(MAX_IMPORT_BYTES + 1)
            )
        except MeasureError as error:
            found = error.problems if isinstance(error, ImportProblems) else []
            form.file.errors.append(found[0] if len(found) == 1 else str(error))
            problems = found if len(found) > 1 else []
        else:
            flash(
                f"Imported {upload.filename}: {counted(result.added, 'reading')} "
                f"added, {result.unchanged} already there.",
                "success",
            )
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/import.html", form=form, measure=measure, problems=problems)


@bp.app_template_filter("measure_value")
def measure_value(value: float, unit: str) -> str:
    """A figure with its unit as the status sentences say it: 40 weeks, 82%."""
    return value_text(value, unit)
