"""Evidence: documents, links and notes that back a claim of progress."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

from tracker.evidence import views  # noqa: E402,F401
