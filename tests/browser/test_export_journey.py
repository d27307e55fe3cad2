"""Exports in Chromium: a leader chooses the PDF summary as at a date and downloads it; the page and its
error state pass axe. An export's address opened from a link shows a page with a Download button (a POST), and
the lists' CSV buttons download with the page's filters."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.dates import today

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


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

    tomorrow = today() + timedelta(days=1)
    page.get_by_label("Progress summary as a PDF").check()
    fill_date(page, "as_at", tomorrow)
    page.get_by_role("button", name="Export").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The as-at date must be today or in the past."
    )
    expect(page.locator("#as_at-year")).to_have_value(str(tomorrow.year))  # what was typed is kept
    problems += axe_violations(page)

    as_at = today() - timedelta(days=7)
    fill_date(page, "as_at", as_at)
    path = _export(page, tmp_path, f"readiness-summary-{as_at.isoformat()}.pdf")
    reader = pypdf.PdfReader(path)
    as_at_text = f"As at {as_at.day} {as_at:%B %Y}"
    assert all(as_at_text in page_.extract_text() for page_ in reader.pages)
    assert problems == []


def test_a_leader_makes_an_evidence_pack_for_inspectors_comparing_with_a_date(demo, page, tmp_path):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto("/exports")
    expect(page.get_by_label("Summary: the story first, green actions one line each")).to_be_checked()
    expect(
        page.get_by_label("Accepted evidence only (for inspectors)")
    ).to_be_checked()  # a pack is for inspectors

    as_at, too_late = today() - timedelta(days=7), today() - timedelta(days=3)
    page.get_by_label("Evidence pack").check()
    page.get_by_label("Everything: every action, measure and evidence item in full").check()
    fill_date(page, "as_at", as_at)
    fill_date(page, "compare_with", too_late)
    page.get_by_role("button", name="Export").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date to compare with must be before the as-at date."
    )
    expect(page.locator("#compare_with-day")).to_have_value(str(too_late.day))  # what was typed is kept
    expect(page.get_by_label("Everything: every action, measure and evidence item in full")).to_be_checked()
    problems = axe_violations(page)

    fill_date(page, "compare_with", as_at - timedelta(days=60))
    path = _export(page, tmp_path, f"evidence-pack-{as_at.isoformat()}.zip")
    with zipfile.ZipFile(path) as archive:
        index = archive.read("index.html").decode()
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        assert "Accepted evidence only" in index and 'http-equiv="Content-Security-Policy"' in index
        assert {row["path"] for row in manifest if not row["note"].endswith("not packed")} == set(
            archive.namelist()
        ) - {"manifest.csv"}
    assert problems == []


def test_a_link_to_an_export_opens_a_page_with_a_download_button_and_lists_download_from_their_buttons(
    demo, page, tmp_path
):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto("/exports/summary.xlsx?detail=everything&restricted=1")  # as a bookmark or a link would open it
    expect(page.locator("h1")).to_have_text("Download the progress summary as an Excel workbook")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Included, and recorded in the audit log")
    problems = axe_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download", exact=True).click()
    assert download_info.value.suggested_filename == f"readiness-summary-{today().isoformat()}.xlsx"

    page.goto("/actions?status=in_progress")
    problems += axe_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download these actions as CSV").click()
    path = tmp_path / "actions.csv"
    download_info.value.save_as(path)
    statuses = {row["Status"] for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))}
    assert statuses == {"In progress"}  # the page's filters went with the button
    assert problems == []


def _export(page, folder, filename: str):
    """Press Export, check the download's name, and keep it in `folder`."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export").click()
    download = download_info.value
    assert download.suggested_filename == filename
    path = folder / filename
    download.save_as(path)
    return path
