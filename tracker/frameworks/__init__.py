"""Inspection frameworks as versioned data: their evaluation areas and criteria, and the links
from criteria to findings, actions, measures, evidence and survey results."""

from flask import Blueprint

bp = Blueprint("frameworks", __name__, url_prefix="/criteria")

from tracker.frameworks import views  # noqa: E402,F401
