"""Measures in Chromium: an owner adds a reading and sees it in the table and the chart;
every measures page passes axe."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.dates import today
from tracker.extensions import db
from tracker.measures.models import Measure, MeasureReading

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD
OT_WAIT = "Average wait for occupational therapy"


def fill_date(page, name: str, value: date) -> None:
    page.locator(f"#{name}-day").fill(str(value.day))
    page.locator(f"#{name}-month").fill(str(value.month))
    page.locator(f"#{name}-year").fill(str(value.year))


def last_month_end() -> date:
    """A period that has ended, after every demo reading (the latest is 30 September 2026)."""
    return max(today().replace(day=1) - timedelta(days=1), date(2026, 10, 31))


def test_the_owner_adds_a_reading_and_sees_it_in_the_table_and_the_chart(demo, page):
    period_end = last_month_end()
    if period_end > today():
        pytest.fail(
            "The demo's readings run to September 2026: this test needs a later month that has ended."
        )
    when = f"{period_end.day} {period_end:%B %Y}"
    problems = []
    sign_in(page, "therapies@demo.example", PASSWORD)  # Tom Reeves, who owns the therapy waits
    page.get_by_role("link", name="Measures", exact=True).click()
    expect(page.locator("h1")).to_have_text("Measures")
    page.get_by_role("link", name=OT_WAIT).click()
    expect(page.locator("h1")).to_have_text(OT_WAIT)
    assert page.locator("#readings tbody tr").count() == 4
    page.get_by_role("button", name="Add a reading").click()
    expect(page.locator("h1")).to_have_text("Add a reading")
    problems += axe_violations(page)

    fill_date(page, "period_end", period_end)
    page.get_by_label("Value").fill("14")
    page.get_by_label("Note (optional)").fill("Second triage clinic opened.")
    page.get_by_role("button", name="Add reading").click()

    expect(page.locator("main")).to_contain_text(f"Reading for the period ending {when} added.")
    expect(page.locator("h1")).to_have_text(OT_WAIT)
    newest = page.locator("#readings tbody tr").first
    expect(newest).to_contain_text(when)
    expect(newest).to_contain_text("14 weeks")
    expect(newest).to_contain_text("Second triage clinic opened.")
    chart = page.get_by_role("img", name=OT_WAIT)
    expect(chart).to_be_visible()
    expect(chart.locator("circle title", has_text=f"{when}: 14 weeks")).to_have_count(1)
    expect(page.locator("figure table")).to_contain_text(when)
    expect(page.locator("#measure-status")).to_contain_text("better than the last reading (16 weeks)")
    problems += axe_violations(page)

    measure = db.session.scalar(sa.select(Measure).where(Measure.name == OT_WAIT))
    reading = db.session.scalar(
        sa.select(MeasureReading).where(
            MeasureReading.measure_id == measure.id, MeasureReading.period_end == period_end
        )
    )
    assert reading.value == 14 and reading.entered_by.email == "therapies@demo.example"
    assert problems == []


def test_another_officer_sees_the_measure_but_no_reading_buttons(demo, page):
    sign_in(page, "officer@demo.example", PASSWORD)
    page.goto("/measures")
    page.get_by_role("link", name=OT_WAIT).click()
    expect(page.locator("h1")).to_have_text(OT_WAIT)
    expect(page.get_by_role("button", name="Add a reading")).to_have_count(0)
    expect(page.get_by_role("link", name="Correct", exact=False)).to_have_count(0)


def test_every_measures_page_passes_axe(demo, page):
    measure = db.session.scalar(
        sa.select(Measure).where(Measure.name == "Longest wait for an autism assessment")
    )
    empty = db.session.scalar(sa.select(Measure).where(Measure.name == "EHC plans issued within 20 weeks"))
    reading = measure.readings[-1]
    sign_in(page, "leader@demo.example", PASSWORD)
    problems = []
    for url in [
        "/measures",
        f"/measures/{measure.id}",
        f"/measures/{empty.id}",
        "/measures/new",
        f"/measures/{measure.id}/edit",
        f"/measures/{measure.id}/readings/new",
        f"/measures/{measure.id}/readings/{reading.id}/edit",
        f"/measures/{measure.id}/readings/import",
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_have_count(1)
        assert "/login" not in page.url, url
        problems += axe_violations(page)

    page.goto("/measures/new")
    page.get_by_role("button", name="Save measure").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += axe_violations(page)

    page.goto(f"/measures/{measure.id}/readings/new")
    fill_date(page, "period_end", reading.period_end)
    page.get_by_label("Value").fill("39")
    page.get_by_role("button", name="Add reading").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "There is already a reading for the period ending"
    )
    expect(page.get_by_role("link", name="Correct the reading for the period ending")).to_be_visible()
    problems += axe_violations(page)

    page.goto(f"/measures/{measure.id}/readings/import")
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "readings.csv",
                "mimeType": "text/csv",
                "buffer": b"period_end,value\n2026-13-01,40\n30/06/2026,41\n",
            }
        ],
    )
    page.get_by_role("button", name="Import readings").click()
    expect(page.locator("#import-problems")).to_contain_text("Row 2: the period end")
    expect(page.locator("#import-problems")).to_contain_text("Row 3: there is already a reading of 44 weeks")
    problems += axe_violations(page)
    assert problems == []
