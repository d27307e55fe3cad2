"""What every template can call: permission predicates, the navigation, and date formats."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, request
from govuk_frontend_wtf.main import WTFormsHelpers

from tracker.permissions import TEMPLATE_PREDICATES, can_manage_users, can_view_plan

LONDON = ZoneInfo("Europe/London")

NAVIGATION = [
    ("Dashboard", "main.index", can_view_plan),
    ("Findings", "plan.findings", can_view_plan),
    ("Actions", "plan.actions", can_view_plan),
    ("Evidence", "evidence.index", can_view_plan),
    ("Measures", "measures.index", can_view_plan),
    ("Surveys", "surveys.index", can_view_plan),
    ("Users", "admin.users", can_manage_users),
]


def format_date(value: date | datetime | None) -> str:
    """GOV.UK style: 3 March 2026, and times in UK local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def navigation_for(user) -> list[dict]:
    current = request.endpoint or ""
    items = []
    for text, endpoint, allowed in NAVIGATION:
        if allowed(user):
            blueprint = endpoint.split(".")[0]
            active = current == endpoint or (endpoint != "main.index" and current.startswith(blueprint + ".")
                                             and blueprint not in ("plan", "main"))
            items.append({"text": text, "endpoint": endpoint, "active": active})
    return items


def init_app(app: Flask) -> None:
    WTFormsHelpers(app)
    app.jinja_env.globals.update(TEMPLATE_PREDICATES)
    app.jinja_env.globals["navigation_for"] = navigation_for
    app.jinja_env.filters["govuk_date"] = format_date
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def service_name() -> dict:
        return {"service_name": app.config["TRACKER_SERVICE_NAME"]}
