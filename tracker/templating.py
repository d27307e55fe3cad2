"""What every template can call: permission predicates, the navigation, and date formats."""

from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

from flask import Flask, request, url_for
from govuk_frontend_wtf.main import WTFormsHelpers, wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField

from tracker.dates import format_date
from tracker.paging import page_links
from tracker.permissions import TEMPLATE_PREDICATES, can_manage_users, can_view_plan
from tracker.text import as_words, counted, plural, with_article

NAVIGATION = [
    ("Dashboard", "main.index", can_view_plan),
    ("Findings", "plan.findings", can_view_plan),
    ("Actions", "plan.actions", can_view_plan),
    ("My actions", "plan.my_actions", can_view_plan),
    ("Evidence", "evidence.index", can_view_plan),
    ("Measures", "measures.index", can_view_plan),
    ("Surveys", "surveys.index", can_view_plan),
    ("Criteria", "frameworks.index", can_view_plan),
    ("Self-evaluation", "sef.index", can_view_plan),
    ("Requests", "requests.index", can_view_plan),
    ("Users", "admin.users", can_manage_users),
    ("Audit log", "admin.audit_log_page", can_manage_users),
    ("Single sign-on", "admin.sso_domains", can_manage_users),
    ("Teams channels", "reminders.teams", can_manage_users),
    ("Reminder problems", "reminders.problems", can_manage_users),
]


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def history_value(value) -> str:
    """An audit value as people read it: lists joined, None as blank, ISO dates as GOV.UK dates."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(history_value(item) for item in value) or "none"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value).replace("_", " ")


def tag(text: str, classes: str | None = None) -> Markup:
    """A GOV.UK tag: the markup of govuk-frontend-jinja's govukTag, without the macro's per-call template
    import, which made tags most of a long list's time."""
    return Markup(
        f'<strong class="govuk-tag{" " + escape(classes) if classes else ""}">{escape(text)}</strong>'
    )


def address(endpoint: str, view_args: dict, query: MultiDict) -> str:
    """An address in this service with a query string. The query's names are data, never passed to url_for as
    keywords, so that a name in the address like `endpoint`, `values` or `_external` (url_for's own)
    is kept, not a 500."""
    path = url_for(endpoint, **view_args)
    return f"{path}?{urlencode(list(query.items(multi=True)))}" if query else path


def url_with(**changes) -> str:
    """This page's address with some query values changed: for sorting and paging a filtered list."""
    args = request.args.copy()
    for name, value in changes.items():
        if value is None:
            args.poplist(name)
        else:
            args.setlist(name, [str(value)])
    assert request.endpoint is not None, "url_with is for the page of a route"
    return address(request.endpoint, request.view_args or {}, args)


def csv_url(list_name: str) -> str:
    """The CSV download of the list on this page, with the same filters."""
    return address("exports.list_csv", {"name": list_name}, request.args)


def section_of(endpoint: str) -> str:
    """Which navigation item a page belongs under, so it shows as the current one."""
    blueprint, _, name = endpoint.partition(".")
    if endpoint == "plan.my_actions":
        return endpoint
    if blueprint == "plan":
        return (
            "plan.findings"
            if any(word in name for word in ("finding", "inspection", "theme"))
            else "plan.actions"
        )
    if blueprint == "admin":
        if "sso" in name:
            return "admin.sso_domains"
        return "admin.audit_log_page" if "audit" in name else "admin.users"
    if blueprint == "reminders":
        return "reminders.problems" if name == "problems" else "reminders.teams"
    return "main.index" if blueprint == "main" else f"{blueprint}.index"


def navigation_for(user) -> list[dict]:
    current = section_of(request.endpoint or "")
    return [
        {"text": text, "endpoint": endpoint, "active": endpoint == current}
        for text, endpoint, allowed in NAVIGATION
        if allowed(user)
    ]


def _dates(fields) -> Iterator:
    """The date fields of a form, also those in its lists of subforms (a measure's milestones)."""
    for field in fields:
        if isinstance(field.widget, GovDateInput):
            yield field
        elif isinstance(field, FieldList | FormField):
            yield from _dates(field)


def error_summary(form, params=None) -> dict:
    """The GOV.UK error summary of a form (base.html shows it): each error links to the box the person types
    in. govuk-frontend-wtf links a date to its field's id, which no element has, so Enter on the link left the
    focus on the link; a date's error goes to its day box, the first input, whose id the widget makes as
    `<name>-day`."""
    summary = wtforms_errors(form, params or {})
    first_inputs = {f"#{field.id}": f"#{field.name}-day" for field in _dates(form)}
    for error in summary["errorList"]:
        error["href"] = first_inputs.get(error["href"], error["href"])
    return summary


def init_app(app: Flask) -> None:
    WTFormsHelpers(app)
    app.jinja_env.globals["wtforms_errors"] = error_summary  # in place of the library's, for dates' links
    app.jinja_env.globals.update(TEMPLATE_PREDICATES)
    app.jinja_env.globals["navigation_for"] = navigation_for
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["page_links"] = page_links
    app.jinja_env.globals["tag"] = tag
    app.jinja_env.globals["csv_url"] = csv_url
    app.jinja_env.filters["govuk_date"] = format_date
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["history_value"] = history_value
    app.jinja_env.filters["counted"] = counted  # {{ n | counted("finding") }}: "1 finding", "2 findings"
    app.jinja_env.filters["as_words"] = as_words
    app.jinja_env.globals["plural"] = plural  # {{ plural(n, "is", "are") }}
    app.jinja_env.globals["with_article"] = with_article
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def service_name() -> dict:
        return {"service_name": app.config["TRACKER_SERVICE_NAME"]}
