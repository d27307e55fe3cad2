"""The improvement plan: inspections, findings, themes, actions and progress."""

from flask import Blueprint

bp = Blueprint("plan", __name__)

from tracker.plan import action_views, import_views, views  # noqa: E402,F401
