"""Error summaries link to the box the person types in: a date's error to its day box (`#<name>-day`), so
that Enter on the link moves the focus there. Every form with a date, on every page of the demo that the
reflow test opens (its URL map), is sent with dates that do not exist."""

import lxml.html
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.browser.test_reflow import VISITORS, demo_ids, pages, visitor
from tests.fuzz.html_forms import read_forms
from tracker.auth.models import User
from tracker.extensions import db
from tracker.forms import GovDateField

NOT_A_DATE = ["31", "2", "2027"]


def _date_names(page: str, form_names: set[str]) -> set[str]:
    """The GOV.UK dates of a form: a name shared by the day, month and year boxes."""
    document = lxml.html.fromstring(page)
    return {name for name in form_names if document.get_element_by_id(f"{name}-day", None) is not None}


def _summary_links(page: str) -> list[tuple[str, str]]:
    document = lxml.html.fromstring(page)
    return [
        (link.text_content().strip(), link.get("href"))
        for link in document.xpath("//*[contains(@class, 'govuk-error-summary')]//a")
    ]


def _every_date_field_name() -> set[str]:
    from flask_wtf import FlaskForm

    forms, waiting = set(), [FlaskForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            forms.add(subclass)
            waiting.append(subclass)
    return {
        name
        for form in forms
        if form.__module__.startswith("tracker.")
        for name, value in vars(form).items()
        if getattr(value, "field_class", None) is GovDateField
    }


def test_every_date_error_links_to_its_day_box(app, demo, client_as):
    ids = demo_ids()
    people = {
        role: db.session.scalar(sa.select(User).where(User.email == email))
        for role, email in VISITORS.items()
    }
    clients = {role: client_as(person) for role, person in people.items()}
    checked, problems = set(), []
    for endpoint, url in pages(app, ids):
        role = visitor(endpoint, people)
        if role is None:
            continue
        with clients[role].get(url) as answer:
            if answer.status_code != 200 or answer.mimetype != "text/html":
                continue
            page = answer.get_data(as_text=True)
        for method in ("POST", "GET"):
            for form in read_forms(page, url, method):
                dates = _date_names(page, form.names)
                if not dates:
                    continue
                checked |= {name.rpartition("-")[2] for name in dates}
                sent = [(name, value) for name, value in form.defaults() if name not in dates]
                sent += [(name, part) for name in sorted(dates) for part in NOT_A_DATE]
                if method == "POST":
                    reply = clients[role].post(form.action, data=MultiDict(sent))
                else:
                    reply = clients[role].get(form.action, query_string=MultiDict(sent))
                shown = reply.get_data(as_text=True)
                links = _summary_links(shown)
                hrefs = {href for _, href in links}
                document = lxml.html.fromstring(shown)
                for name in dates if method == "POST" else ():  # a filter leaves out a date that is not one
                    if f"#{name}-day" not in hrefs:
                        problems.append(f"{url} -> {form.action}: no summary link to #{name}-day in {links}")
                for text, href in links:
                    if document.get_element_by_id(href.removeprefix("#"), None) is None:
                        problems.append(
                            f"{url} -> {form.action}: {text!r} links to {href}, which is not on the page"
                        )
    assert problems == [], "\n".join(problems)
    assert _every_date_field_name() <= checked, "a date field on no page the demo opens: add its page"
