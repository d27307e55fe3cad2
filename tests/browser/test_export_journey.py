"""Exports in Chromium: a leader chooses the PDF summary as at a date and downloads it; the page and its
error state pass axe."""

from datetime import date, timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tracker.demo.services import load_demo

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-2026"


@pytest.fixture
def demo():
    load_demo(PASSWORD)


def fill_date(page, name: str, value: date) -> None:
    page.locator(f"#{name}-day").fill(str(value.day))
    page.locator(f"#{name}-month").fill(str(value.month))
    page.locator(f"#{name}-year").fill(str(value.year))


def test_a_leader_downloads_the_progress_summary_as_at_a_date(demo, page, tmp_path):
    sign_in(page, "leader@demo.example", PASSWORD)
    expect(page.locator("h1")).to_have_text("Dashboard")  # journey 3 starts at the dashboard
    problems = axe_violations(page)
    page.get_by_role("button", name="Export for inspection").click()
    expect(page.locator("h1")).to_have_text("Export")
    problems += axe_violations(page)

    tomorrow = date.today() + timedelta(days=1)
    page.get_by_label("Progress summary as a PDF").check()
    fill_date(page, "as_at", tomorrow)
    page.get_by_role("button", name="Export").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The as-at date must be today or in the past.")
    expect(page.locator("#as_at-year")).to_have_value(str(tomorrow.year))  # what was typed is kept
    problems += axe_violations(page)

    as_at = date.today() - timedelta(days=7)
    fill_date(page, "as_at", as_at)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export").click()
    download = download_info.value
    assert download.suggested_filename == f"readiness-summary-{as_at.isoformat()}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    reader = pypdf.PdfReader(path)
    as_at_text = f"As at {as_at.day} {as_at:%B %Y}"
    assert all(as_at_text in page_.extract_text() for page_ in reader.pages)
    assert problems == []
