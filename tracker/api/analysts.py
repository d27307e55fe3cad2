"""The page for analysts (/account/api-tokens/power-bi): how to connect Power BI to the API, the readiness
history's columns, and the example Power Query, shown from the one file the tests parse
(tracker/api/power_query/readiness_history.pq)."""

from pathlib import Path

from flask import render_template

from tracker.api import tokens_bp
from tracker.api.history import HISTORY_COLUMNS, ReadinessHistoryRow

POWER_QUERY = Path(__file__).parent / "power_query" / "readiness_history.pq"


def power_query_text() -> str:
    return POWER_QUERY.read_text(encoding="utf-8")


@tokens_bp.route("/account/api-tokens/power-bi")
def power_bi():
    """For the people who may read the API: connecting Power BI, the readiness history, and a Power Query."""
    fields = ReadinessHistoryRow.model_fields
    return render_template(
        "api/power_bi.html",
        columns=[(name, fields[name].description) for name in HISTORY_COLUMNS],
        power_query=power_query_text(),
    )
