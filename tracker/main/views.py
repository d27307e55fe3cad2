"""The first dashboard, the health check for load balancers, and the accessibility statement."""

from flask import jsonify, redirect, render_template, url_for
from flask_login import current_user

from tracker.database import database_answers
from tracker.main import bp
from tracker.main.services import dashboard_counts
from tracker.permissions import can_manage_users


@bp.route("/")
def index():
    """Counts by status for people who work on the plan; administrators go to their users."""
    if can_manage_users(current_user):
        return redirect(url_for("admin.users"))
    return render_template("main/index.html", counts=dashboard_counts(current_user))


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
