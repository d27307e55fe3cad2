"""Measures of impact and their readings."""

from flask import Blueprint

bp = Blueprint("measures", __name__, url_prefix="/measures")

from tracker.measures import views  # noqa: E402,F401
