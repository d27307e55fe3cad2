"""Exports: the progress summary (PDF, Word, Excel) and the evidence pack as at any date, and lists as CSV."""

from flask import Blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports")

from tracker.exports import requests_views, sef_views, views  # noqa: E402,F401
