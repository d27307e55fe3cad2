"""Pages for inspections, findings and themes."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import audit
from tracker.extensions import db
from tracker.forms import id_arg, once, row_choices, show_error
from tracker.plan import bp, hooks
from tracker.plan.forms import ArchiveForm, FindingForm, InspectionForm, ThemeForm
from tracker.plan.models import (
    Finding,
    FindingKind,
    Inspection,
    InspectionOutcome,
    InspectionType,
    Partner,
    Theme,
)
from tracker.plan.outcomes import EXAMPLE_REPORT_DAY, PRIORITY_ACTION_PLAN_WORKING_DAYS, SOURCE, lifecycle
from tracker.plan.queries import findings_page
from tracker.plan.services import (
    EditConflict,
    FindingData,
    InspectionData,
    PlanError,
    active_users,
    create_finding,
    create_inspection,
    create_theme,
    finding_counts,
    last_updates,
    list_inspections,
    list_themes,
    load_finding,
    rag_of,
    seen_version,
    set_archived,
    today,
    update_finding,
    update_inspection,
    update_theme,
)

# Findings ------------------------------------------------------------------------------------


@bp.route("/findings")
def findings():
    """Findings grouped by theme and kind, with their readiness and counts of actions,
    overdue actions and evidence."""
    archived = request.args.get("archived") == "1"
    page = findings_page(archived, theme_id=id_arg("theme"), page=id_arg("page") or 1)
    statuses = (
        [] if archived else hooks.statuses_per_finding(current_user, page.finding_ids)
    )  # the live plan's alone
    return render_template(
        "plan/findings.html",
        page=page,
        counts=finding_counts(page.finding_ids),
        archived=archived,
        extra_counts=hooks.count_per_finding(current_user, page.finding_ids),
        statuses=statuses,
        themes=list_themes(),
    )


@bp.route("/findings/<int:finding_id>")
def finding(finding_id: int):
    """One finding: its wording, its actions with their RAG, and what other domains add (readiness,
    evidence, measures)."""
    record = load_finding(finding_id)
    live = [action for action in record.actions if not action.is_archived]
    latest = last_updates(live)
    actions = [(action, rag_of(action, latest.get(action.id))) for action in live]
    return render_template(
        "plan/finding.html",
        finding=record,
        actions=actions,
        today=today(),
        statuses=hooks.statuses_per_finding(current_user, [record.id]),
        sections=hooks.sections(hooks.finding_sections, current_user, record),
        archive_form=ArchiveForm(),
    )


def _finding_form(form: FindingForm) -> FindingForm:
    form.inspection_id.choices = row_choices(
        list_inspections(), label=lambda row: row.title, blank="Choose an inspection"
    )
    form.theme_id.choices = row_choices(list_themes(), blank="Choose a theme")
    form.lead_id.choices = row_choices(active_users(), blank="No lead yet")
    return form


def _finding_data(form: FindingForm) -> FindingData:
    return FindingData(
        inspection_id=int(form.inspection_id.data),
        theme_id=int(form.theme_id.data),
        kind=FindingKind(form.kind.data),
        reference=form.reference.data,
        title=form.title.data.strip(),
        wording=form.wording.data.strip(),
        accountable_partner=Partner(form.accountable_partner.data),
        lead_id=int(form.lead_id.data) if form.lead_id.data else None,
    )


@bp.route("/findings/new", methods=["GET", "POST"], endpoint="create_finding")
@once(Finding, lambda finding: url_for("plan.finding", finding_id=finding.id))
def create_finding_page():
    """Record a finding in the report's own words; for leaders."""
    form = _finding_form(FindingForm(inspection_id=request.args.get("inspection", "")))
    if form.validate_on_submit():
        try:
            record = create_finding(current_user, _finding_data(form))
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"Finding {record.reference} recorded.", "success")
            return redirect(url_for("plan.finding", finding_id=record.id))
    return render_template("plan/finding_form.html", form=form, finding=None)


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
def edit_finding(finding_id: int):
    """Change a finding; a save over someone else's newer save is refused, keeping this input."""
    record = load_finding(finding_id)
    form = _finding_form(FindingForm(obj=record))
    if not form.is_submitted():
        form.version.data = record.version
        form.kind.data, form.accountable_partner.data = record.kind.value, record.accountable_partner.value
    conflict = None
    if form.validate_on_submit():
        try:
            update_finding(current_user, record, _finding_data(form), seen_version(form.version.data))
        except EditConflict as error:
            conflict = error
            form.form_errors.append(str(error))
            form.version.data = record.version
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"Finding {record.reference} saved.", "success")
            return redirect(url_for("plan.finding", finding_id=record.id))
    return render_template("plan/finding_form.html", form=form, finding=record, conflict=conflict)


@bp.route("/findings/<int:finding_id>/archive", methods=["POST"])
def archive_finding(finding_id: int):
    """Archive a finding (or restore it); nothing is deleted."""
    record = load_finding(finding_id)
    set_archived(current_user, record, request.form.get("archive", "1") != "0")
    flash(f"Finding {record.reference} {'archived' if record.is_archived else 'restored'}.", "success")
    return redirect(url_for("plan.finding", finding_id=record.id))


@bp.route("/findings/<int:finding_id>/history")
def finding_history(finding_id: int):
    """Who changed which field of a finding, from what, to what, and when."""
    record = load_finding(finding_id)
    return render_template(
        "plan/history.html",
        record=record,
        named=f"finding {record.reference}",  # in running text, the reference as it is
        back=url_for("plan.finding", finding_id=record.id),
        events=audit.history(record),
    )


# Inspections ---------------------------------------------------------------------------------


@bp.route("/inspections")
def inspections():
    """Every inspection and self-evaluation the plan answers."""
    archived = request.args.get("archived") == "1"
    return render_template("plan/inspections.html", inspections=list_inspections(archived), archived=archived)


def _inspection_data(form: InspectionForm) -> InspectionData:
    return InspectionData(
        title=form.title.data.strip(),
        local_area=form.local_area.data.strip(),
        inspectorates=form.inspectorates.data.strip(),
        type=InspectionType(form.type.data),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        published_on=form.published_on.data,
        outcome=InspectionOutcome(form.outcome.data) if form.outcome.data else None,
        report_summary=(form.report_summary.data or "").strip(),
        plan_due_on=form.plan_due_on.data,
        report_reference=(form.report_reference.data or "").strip(),
    )


@bp.route("/inspections/cycle")
def inspection_cycle():
    """What each outcome sets in motion and how its dates are worked out, with an example report date."""
    return render_template(
        "plan/inspection_cycle.html",
        example=EXAMPLE_REPORT_DAY,
        cycles=[lifecycle(outcome, EXAMPLE_REPORT_DAY) for outcome in InspectionOutcome],
        working_days=PRIORITY_ACTION_PLAN_WORKING_DAYS,
        source=SOURCE,
    )


@bp.route("/inspections/new", methods=["GET", "POST"], endpoint="create_inspection")
@once(Inspection, lambda _inspection: url_for("plan.inspections"))
def create_inspection_page():
    """Record an inspection; for leaders."""
    form = InspectionForm()
    if form.validate_on_submit():
        try:
            record = create_inspection(current_user, _inspection_data(form))
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"{record.title} recorded. Now add its findings.", "success")
            return redirect(url_for("plan.create_finding", inspection=record.id))
    return render_template("plan/inspection_form.html", form=form, inspection=None)


@bp.route("/inspections/<int:inspection_id>/edit", methods=["GET", "POST"])
def edit_inspection(inspection_id: int):
    """Change an inspection's details; for leaders."""
    record = db.get_or_404(Inspection, inspection_id)
    form = InspectionForm(obj=record)
    if not form.is_submitted():
        form.type.data, form.outcome.data = record.type.value, record.outcome.value if record.outcome else ""
    if form.validate_on_submit():
        try:
            update_inspection(current_user, record, _inspection_data(form))
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"{record.title} saved.", "success")
            return redirect(url_for("plan.inspections"))
    return render_template(
        "plan/inspection_form.html", form=form, inspection=record, archive_form=ArchiveForm()
    )


@bp.route("/inspections/<int:inspection_id>/archive", methods=["POST"])
def archive_inspection(inspection_id: int):
    """Archive an inspection (or restore it)."""
    record = db.get_or_404(Inspection, inspection_id)
    set_archived(current_user, record, request.form.get("archive", "1") != "0")
    flash(f"{record.title} {'archived' if record.is_archived else 'restored'}.", "success")
    return redirect(url_for("plan.inspections"))


# Themes --------------------------------------------------------------------------------------


@bp.route("/themes")
def themes():
    """The themes findings are grouped under."""
    return render_template("plan/themes.html", themes=list_themes())


@bp.route("/themes/new", methods=["GET", "POST"], endpoint="create_theme")
@once(Theme, lambda _theme: url_for("plan.themes"))
def create_theme_page():
    """Add a theme; for leaders."""
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            create_theme(current_user, form.name.data, form.description.data or "")
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"Theme {form.name.data.strip()} added.", "success")
            return redirect(url_for("plan.themes"))
    return render_template("plan/theme_form.html", form=form, theme=None)


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(theme_id: int):
    """Rename or describe a theme; for leaders."""
    record = db.get_or_404(Theme, theme_id)
    form = ThemeForm(obj=record)
    if form.validate_on_submit():
        try:
            update_theme(current_user, record, form.name.data, form.description.data or "")
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"Theme {record.name} saved.", "success")
            return redirect(url_for("plan.themes"))
    return render_template("plan/theme_form.html", form=form, theme=record)
