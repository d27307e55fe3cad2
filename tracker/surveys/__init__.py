"""Surveys of families and professionals, and "you said, we did"."""

from flask import Blueprint

from tracker.plan import hooks

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

from tracker.surveys import (  # noqa: E402,F401
    commands,
    import_views,
    services,  # noqa: E402
    views,
)

hooks.finding_sections["surveys"] = hooks.Section("surveys/_section.html", services.finding_section)
