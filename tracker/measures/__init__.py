"""Measures of impact and their readings."""

from flask import Blueprint

from tracker.plan import hooks

bp = Blueprint("measures", __name__, url_prefix="/measures")

from tracker.measures import services, views  # noqa: E402,F401

hooks.finding_sections["measures"] = hooks.Section("measures/_section.html", services.finding_section)
