"""Enter on an error summary's link to a date puts the focus in the date's day box, where the person types."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_enter_on_a_dates_error_link_moves_the_focus_into_its_day_box(demo, page):
    sign_in(page, "leader@demo.example", DEMO_PASSWORD)
    page.goto("/actions/new")
    due = page.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2027")
    due.get_by_label("Year").press("Enter")  # sends the form
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Enter a real due date")
    expect(link).to_have_attribute("href", "#due_date-day")
    for _ in range(20):  # Tab from the summary to the link, as a keyboard user would
        if link.evaluate("(link) => link === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "due_date-day"
    expect(page.get_by_role("group", name="Due date").get_by_label("Day")).to_be_focused()
