"""Pages for actions: the lists people work from, an action's page, editing and progress updates."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import audit
from tracker.extensions import db
from tracker.forms import filled, id_arg, once, row_choices, show_error
from tracker.permissions import can_update_progress, require
from tracker.plan import bp, hooks
from tracker.plan.forms import (
    ActionForm,
    ArchiveForm,
    ProgressUpdateForm,
    RagOverrideForm,
    RedactForm,
    read_action_filters,
)
from tracker.plan.models import Action, ActionStatus, Partner, Priority, ProgressUpdate
from tracker.plan.queries import filter_choices, list_actions
from tracker.plan.queries import my_actions as my_action_rows
from tracker.plan.rag import Rag
from tracker.plan.services import (
    ActionData,
    EditConflict,
    PlanError,
    action_form_choices,
    active_users,
    add_progress_update,
    create_action,
    last_update_on,
    load_action,
    rag_of,
    seen_version,
    set_archived,
    set_rag_override,
    stale_of,
    today,
    update_action,
)
from tracker.text import counted


@bp.route("/actions")
def actions():
    """The action plan with filters kept in the address, sortable columns and pages;
    for anyone on the plan."""
    form, filters = read_action_filters(request.args)
    choices = filter_choices()
    form.theme.choices = row_choices(choices["themes"], blank="Any theme")
    form.finding.choices = row_choices(
        choices["findings"], label=lambda row: f"{row.reference}: {row.title}", blank="Any finding"
    )
    page = list_actions(filters)
    return render_template("plan/actions.html", form=form, page=page, filters=filters, today=today())


@bp.route("/actions/mine")
def my_actions():
    """What needs the signed-in person's attention, then their open actions, those needing an update first."""
    return render_template(
        "plan/my_actions.html",
        page=my_action_rows(current_user, page=id_arg("page") or 1),
        today=today(),
        sections=hooks.sections(hooks.my_actions_sections, current_user, None),
    )


@bp.route("/actions/<int:action_id>")
def action(action_id: int):
    """One action: RAG and why, dates and revisions, findings, measures and the timeline of updates."""
    record = load_action(action_id)
    latest = last_update_on(record)
    override_form = RagOverrideForm(rag=record.rag_override or "", reason=record.rag_override_reason or "")
    return render_template(
        "plan/action.html",
        action=record,
        rag=rag_of(record, latest),
        stale=stale_of(record, latest),
        today=today(),
        override_form=override_form,
        archive_form=ArchiveForm(),
        sections=hooks.sections(hooks.action_sections, current_user, record),
    )


def _action_form(form: ActionForm, record=None) -> ActionForm:
    choices = action_form_choices(record)
    form.finding_ids.choices = row_choices(choices["findings"], label=lambda f: f"{f.reference}: {f.title}")
    form.measure_ids.choices = row_choices(choices["measures"])
    form.owner_id.choices = row_choices(active_users(), blank="Choose an owner")
    form.contributor_ids.choices = row_choices(choices["users"])
    return form


def _action_data(form: ActionForm) -> ActionData:
    return ActionData(
        reference=form.reference.data,
        title=form.title.data.strip(),
        description=(form.description.data or "").strip(),
        intended_outcome=form.intended_outcome.data.strip(),
        owner_id=int(filled(form.owner_id.data)),
        partner=Partner(form.partner.data),
        priority=Priority(form.priority.data),
        start_date=form.start_date.data,
        due_date=filled(form.due_date.data),
        status=ActionStatus(form.status.data),
        percent_complete=form.percent_complete.data,
        finding_ids=[int(v) for v in form.finding_ids.data],
        measure_ids=[int(v) for v in form.measure_ids.data or []],
        contributor_ids=[int(v) for v in form.contributor_ids.data or []],
    )


@bp.route("/actions/new", methods=["GET", "POST"], endpoint="create_action")
@once(Action, lambda action: url_for("plan.action", action_id=action.id))
def create_action_page():
    """Add an action answering one or more findings; for leaders."""
    form = _action_form(
        ActionForm(
            finding_ids=[request.args["finding"]] if request.args.get("finding", "").isdecimal() else None
        )
    )
    if not form.is_submitted():
        form.status.data, form.priority.data, form.percent_complete.data = "not_started", "medium", 0
    if form.validate_on_submit():
        try:
            record = create_action(current_user, _action_data(form))
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"Action {record.reference} added.", "success")
            return redirect(url_for("plan.action", action_id=record.id))
    return render_template("plan/action_form.html", form=form, action=None)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(action_id: int):
    """Change an action; a new due date needs a reason, and a stale save is refused keeping this input."""
    record = load_action(action_id)
    form = _action_form(ActionForm(obj=record), record)
    if not form.is_submitted():
        form.version.data, form.due_date.data = record.version, record.current_due_date
        form.partner.data, form.priority.data, form.status.data = (
            record.partner.value,
            record.priority.value,
            record.status.value,
        )
        form.finding_ids.data = [str(f.id) for f in record.findings]
        form.measure_ids.data = [str(m.id) for m in record.measures]
        form.contributor_ids.data = [str(u.id) for u in record.contributors]
        form.owner_id.data = str(record.owner_id)
    conflict = None
    if form.validate_on_submit():
        try:
            update_action(
                current_user,
                record,
                _action_data(form),
                seen_version(form.version.data),
                form.due_date_reason.data or "",
            )
        except EditConflict as error:
            conflict = error
            form.form_errors.append(str(error))
            form.version.data = record.version
        except PlanError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(f"Action {record.reference} saved.", "success")
            return redirect(url_for("plan.action", action_id=record.id))
    return render_template("plan/action_form.html", form=form, action=record, conflict=conflict)


@bp.route("/actions/<int:action_id>/archive", methods=["POST"])
def archive_action(action_id: int):
    """Archive an action (or restore it); archived actions are hidden unless asked for."""
    record = load_action(action_id)
    set_archived(current_user, record, request.form.get("archive", "1") != "0")
    flash(f"Action {record.reference} {'archived' if record.is_archived else 'restored'}.", "success")
    return redirect(url_for("plan.action", action_id=record.id))


@bp.route("/actions/<int:action_id>/updates/new", methods=["GET", "POST"])
@once(ProgressUpdate, lambda update: url_for("plan.action", action_id=update.action_id))
def add_update(action_id: int):
    """Report progress: for the owner, contributors and leaders. Updates are never edited afterwards."""
    record = load_action(action_id)
    require(can_update_progress(current_user, record))
    form = ProgressUpdateForm()
    if not form.is_submitted():
        form.written_on.data, form.percent_complete.data, form.status.data = (
            today(),
            record.percent_complete,
            record.status.value,
        )
    if form.validate_on_submit():
        try:
            add_progress_update(
                current_user,
                record,
                filled(form.written_on.data),
                form.body.data,
                form.percent_complete.data,
                ActionStatus(form.status.data),
                form.rag_note.data or "",
            )
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"Update added to {record.reference}.", "success")
            return redirect(url_for("plan.action", action_id=record.id))
    return render_template("plan/update_form.html", form=form, action=record)


@bp.route("/actions/<int:action_id>/rag", methods=["POST"])
def override_rag(action_id: int):
    """Set or clear a leader's RAG override; a reason is required and shown beside it."""
    record = load_action(action_id)
    form = RagOverrideForm()
    if form.validate_on_submit():
        try:
            set_rag_override(
                current_user, record, Rag(form.rag.data) if form.rag.data else None, form.reason.data or ""
            )
        except PlanError as error:
            show_error(form, error)
        else:
            flash(f"RAG status of {record.reference} saved.", "success")
            return redirect(url_for("plan.action", action_id=record.id))
    latest = last_update_on(record)
    return render_template(
        "plan/action.html",
        action=record,
        rag=rag_of(record, latest),
        stale=stale_of(record, latest),
        today=today(),
        override_form=form,
        archive_form=ArchiveForm(),
        form=form,
        sections=hooks.sections(hooks.action_sections, current_user, record),
    )


@bp.route("/actions/<int:action_id>/history")
def action_history(action_id: int):
    """Who changed which field of an action, from what, to what, and when."""
    record = load_action(action_id)
    events = audit.history(record)
    return render_template(
        "plan/history.html",
        record=record,
        named=f"action {record.reference}",  # in running text, the reference as it is
        back=url_for("plan.action", action_id=record.id),
        events=events,
        redacted=audit.redacted_fields(events),
        redact_endpoint="plan.redact_history",
    )


@bp.route("/actions/<int:action_id>/history/<int:event_id>/redact", methods=["GET", "POST"])
def redact_history(action_id: int, event_id: int):
    """Redact a value from the action's history, with a reason shown in its place; for leaders."""
    record = load_action(action_id)
    entry = audit.history_entry(record, event_id)
    side, name = request.args.get("side", ""), request.args.get("field", "")
    if entry is None or side not in ("before", "after") or name not in (getattr(entry, side) or {}):
        abort(404)
    form = RedactForm()
    if form.validate_on_submit():
        try:
            count = audit.redact(current_user, entry, side, name, form.reason.data)
        except audit.RedactionError as error:
            show_error(form, error)
        else:
            flash(
                f"Text redacted from {counted(count, 'entry')} of the history.",
                "success",
            )
            return redirect(url_for("plan.action_history", action_id=record.id))
    return render_template(
        "plan/redact.html",
        form=form,
        action=record,
        entry=entry,
        side=side,
        field=name,
        value=getattr(entry, side)[name],
    )
