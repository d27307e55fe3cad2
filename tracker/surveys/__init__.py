"""Surveys of families and professionals, and "you said, we did"."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

from tracker.surveys import views  # noqa: E402,F401
