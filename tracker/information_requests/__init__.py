"""Notification week: an "inspection under way" period with its working-day timetable, and the inspectors'
information requests, their owners, due times, responses and the evidence sent with them."""

from flask import Blueprint

bp = Blueprint("requests", __name__, url_prefix="/requests")

from tracker.information_requests import views  # noqa: E402,F401
