"""The improvement plan: inspections, findings, themes, actions and progress."""

from flask import Blueprint

bp = Blueprint("plan", __name__)

from tracker.plan import views  # noqa: E402,F401
