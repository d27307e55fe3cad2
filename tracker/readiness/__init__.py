"""Readiness of each finding, the plan as it stood on any date, and the snapshots behind the dashboard's
trend."""

from flask import Blueprint

from tracker.plan import hooks

bp = Blueprint("readiness", __name__, url_prefix="/readiness")

from tracker.readiness import kept_figures, services, views  # noqa: E402,F401

hooks.finding_statuses["readiness"] = hooks.Status(
    "Readiness", "readiness/_macros.html", services.readiness_today
)

# each finding's readiness, each action's RAG and each measure's status kept up to date as the plan changes
kept_figures.register()
