"""Readiness of each finding, the plan as it stood on any date, and the snapshots behind the dashboard's trend."""

from flask import Blueprint

bp = Blueprint("readiness", __name__, url_prefix="/readiness")

from tracker.readiness import views  # noqa: E402,F401
