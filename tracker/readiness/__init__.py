"""Readiness of each finding, the plan as it stood on any date, and the snapshots behind the dashboard's trend."""

from flask import Blueprint

from tracker.plan import hooks

bp = Blueprint("readiness", __name__, url_prefix="/readiness")

from tracker.readiness import services, views  # noqa: E402,F401

hooks.finding_statuses["readiness"] = hooks.Status(
    "Readiness", "readiness/_macros.html", services.readiness_today
)
