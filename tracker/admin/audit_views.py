"""The audit log for administrators: every change, who made it and when, and a check that none was altered."""

from flask import abort, render_template, request
from flask_login import current_user

from tracker import audit
from tracker.admin import bp
from tracker.admin.forms import AuditFilterForm, VerifyAuditForm
from tracker.admin.services import AuditFilters, audit_event, audit_log, changes, event_kinds
from tracker.forms import id_arg


@bp.route("/audit")
def audit_log_page():
    """Events newest first, filtered by who, what, which record and when; filters kept in the address."""
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.verb.choices = [("", "Anything")] + [(verb, verb) for verb in event_kinds()]
    form.validate()  # a bad date or an unknown kind in the address is ignored, not an error page
    record_id = (form.record_id.data or "").strip()
    filters = AuditFilters(
        who=(form.who.data or "")[:254],
        verb=form.verb.data if not form.verb.errors else "",
        record_type=(form.record_type.data or "").strip()[:80],
        record_id=int(record_id) if record_id.isdecimal() and len(record_id) < 10 else None,
        on_from=form.on_from.data if not form.on_from.errors else None,
        on_to=form.on_to.data if not form.on_to.errors else None,
        page=id_arg("page") or 1,
    )
    return render_template(
        "admin/audit_log.html",
        filter_form=form,
        page=audit_log(current_user, filters),
        verify_form=VerifyAuditForm(),
    )


@bp.route("/audit/<int:event_id>")
def audit_event_page(event_id: int):
    """One event in full: the values before and after, and its place in the chain."""
    row = audit_event(current_user, event_id)
    if row is None:
        abort(404)
    return render_template(
        "admin/audit_event.html", row=row, changes=[] if row.withheld else changes(row.event)
    )


@bp.route("/audit/verify", methods=["POST"])
def verify_audit():
    """Recompute every event's hash in order and say whether the log is whole, or where it was altered."""
    return render_template("admin/audit_verified.html", report=audit.verify_chain())
