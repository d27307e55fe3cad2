"""The dashboard in Chromium: a leader filters it, sees it as at a past day, takes a snapshot;
every state passes axe."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.dates import today
from tracker.extensions import db
from tracker.plan.models import Theme

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def test_a_leader_filters_the_dashboard_and_every_state_passes_axe(demo, page):
    theme = db.session.scalar(sa.select(Theme).where(Theme.name == "Waiting times and access"))
    past = today() - timedelta(days=30)
    sign_in(page, "leader@demo.example", PASSWORD)
    expect(page.locator("h1")).to_have_text("Dashboard")
    problems = axe_violations(page)

    page.get_by_text("Filter the dashboard").click()
    page.get_by_label("Theme", exact=True).select_option(label="Waiting times and access")
    page.get_by_label("Accountable partner").select_option(label="Council and ICB")
    page.get_by_label("As at").fill(past.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: "as_at=" in url)
    expect(page.locator("main")).to_contain_text(f"as at the end of {past.day} {past:%B %Y}")
    assert f"theme={theme.id}" in page.url and "partner=both" in page.url
    expect(page.get_by_label("Theme", exact=True)).to_have_value(str(theme.id))
    problems += axe_violations(page)

    page.goto("/?as_at=not-a-date&inspection=1")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The as-at date must be a real date written as year-month-day"
    )
    problems += axe_violations(page)

    page.goto("/")
    page.get_by_role("button", name="Take today's readiness snapshot").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Readiness of 12 findings recorded")
    expect(page.locator("main")).to_contain_text("Snapshot day")
    problems += axe_violations(page)
    assert problems == []
