"""The first dashboard, the health check for load balancers, and the accessibility statement."""

from datetime import date

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from tracker.database import database_answers
from tracker.dates import as_at_day, format_date, today
from tracker.main import bp
from tracker.main.services import DashboardFilters, dashboard, filter_choices, inspection_cycle, kept_page
from tracker.permissions import can_manage_users
from tracker.plan.models import Partner


def _id_arg(name: str, allowed) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 10 and int(value) in allowed else None


def _as_at(raw: str, now: date) -> tuple[date, str | None]:
    """The as-at date from the address; anything else is today, with a sentence saying why."""
    try:
        return as_at_day(raw), None
    except ValueError as problem:
        return now, f"{problem} Showing today, {format_date(now)}."


@bp.route("/")
def index():
    """Readiness at a glance, as at any day and by inspection, theme and partner; administrators go to their
    users."""
    if can_manage_users(current_user):
        return redirect(url_for("admin.users"))
    if session.get("_flashes"):  # a message to show once: render afresh
        return _dashboard_page()
    generate_csrf()  # the page's forms carry this session's token: make it before the key names it
    return kept_page((current_user.id, session["csrf_token"], request.full_path), _dashboard_page)


def _dashboard_page() -> str:
    choices, now = filter_choices(), today()
    as_at, problem = _as_at(request.args.get("as_at", ""), now)
    partner = request.args.get("partner", "")
    filters = DashboardFilters(
        as_at=as_at,
        inspection_id=_id_arg("inspection", {row.id for row in choices["inspections"]}),
        theme_id=_id_arg("theme", {row.id for row in choices["themes"]}),
        partner=partner if partner in {p.value for p in Partner} else None,
        live=as_at == now,
    )
    return render_template(
        "main/index.html",
        board=dashboard(current_user, filters),
        filters=filters,
        choices=choices,
        as_at_problem=problem,
        as_at_raw=request.args.get("as_at", "")[:30],
        today=now,
        cycle=inspection_cycle(choices["inspections"], filters.inspection_id),
    )


@bp.route("/healthz")
def healthz():
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    if database_answers():
        return jsonify(status="ok")
    return jsonify(status="unavailable", detail="The database is not answering."), 503


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement, for anyone."""
    return render_template("main/accessibility.html")
