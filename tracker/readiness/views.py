"""Taking today's readiness snapshot from the dashboard."""

from flask import flash, redirect, url_for
from flask_login import current_user

from tracker.dates import format_date
from tracker.readiness import bp
from tracker.readiness.services import ReadinessError, take_snapshot
from tracker.text import counted


@bp.route("/snapshot", methods=["POST"])
def snapshot():
    """Store each finding's readiness today, for the trend on the dashboard; for leaders (CSRF-checked by the
    app)."""
    try:
        result = take_snapshot(current_user)
    except ReadinessError as error:
        flash(str(error), "error")
    else:
        again = " It replaces the one taken earlier today." if result.replaced else ""
        flash(
            f"Readiness of {counted(result.findings, 'finding')} recorded for "
            f"{format_date(result.taken_on)}.{again}",
            "success",
        )
    return redirect(url_for("main.index"))
