"""Surveys of families and professionals, and "you said, we did"."""

from flask import Blueprint

from tracker.plan import hooks

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

from tracker.surveys import commands, import_views, views  # noqa: E402,F401
from tracker.surveys import services  # noqa: E402

hooks.finding_sections["surveys"] = hooks.Section("surveys/_section.html", services.finding_section)
