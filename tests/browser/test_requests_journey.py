"""Notification week in Chromium: a leader opens the inspection period, logs three of the inspectors' requests
(a due time in the past refused first), attaches evidence from the tracker and uploads a file, closes one
request, and exports the ZIP, whose index lists the three requests with their status. Every new page, and the
forms' error states, pass axe."""

import csv
import html
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.dates import LONDON, add_working_days, is_working_day, today

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD
REQUESTS = [
    (
        "The partnership's self-evaluation and its SEND strategic plan.",
        "Self-evaluation and plans",
        "Jo Whitfield (head of SEND)",
    ),
    (
        "EHC needs assessment timeliness for the last 12 months, by locality.",
        "Data and performance",
        "Maria Lopez (EHC plan team manager)",
    ),
    (
        "The health commissioning template, completed.",
        "Commissioning, including alternative provision",
        "Dr Helen Clarke (ICB SEND lead)",
    ),
]


def _date(page, field: str, day) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        page.locator(f"#{field}-{part}").fill(str(value))


def _log(page, wording: str, category: str, owner: str, due: datetime) -> None:
    page.get_by_label("What the inspectors asked for").fill(wording)
    page.get_by_label(category).check()
    page.locator("input#owner_id").fill(owner)  # the owner autocomplete that replaced the select
    page.get_by_role("option", name=owner, exact=True).click()
    _date(page, "due_on", due.date())
    page.get_by_label("Due time").fill(f"{due:%H:%M}")
    page.get_by_role("button", name="Save the request").click()


def test_a_leader_logs_three_requests_answers_closes_one_and_exports_the_zip(demo, page, tmp_path):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Requests", exact=True).click()
    expect(page.locator("h1")).to_have_text("Requests")
    expect(page.locator("main")).to_contain_text("No inspection is under way.")
    problems = axe_violations(page)

    page.get_by_role("link", name="Open an inspection period").click()
    page.get_by_role("button", name="Open the inspection period").click()  # no date
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the inspectors notified you."
    )
    problems += axe_violations(page)
    notified = today() if is_working_day(today()) else add_working_days(today(), -1)
    _date(page, "notified_on", notified)
    page.get_by_role("button", name="Open the inspection period").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The inspection period is open.")
    on_site = add_working_days(notified, 10)
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"{on_site:%A} {on_site.day} {on_site:%B %Y}")
    problems += axe_violations(page)

    page.get_by_role("link", name="Log a request").click()
    an_hour_ago = datetime.now(LONDON) - timedelta(hours=1)
    _log(page, *REQUESTS[0], an_hour_ago)
    expect(page.locator(".govuk-error-summary")).to_contain_text("has already passed")
    expect(page.get_by_label("What the inspectors asked for")).to_have_value(REQUESTS[0][0])
    problems += axe_violations(page)
    for number, (wording, category, owner) in enumerate(REQUESTS, start=1):
        if number > 1:
            page.goto("/requests/new")
        _log(page, wording, category, owner, datetime.now(LONDON) + timedelta(days=number, hours=2))
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"R{number} logged")
    problems += axe_violations(page)  # the third request's page

    page.goto("/requests")
    page.get_by_role("link", name=f"R1: {REQUESTS[0][0]}").click()
    page.get_by_role("link", name="Attach evidence from the tracker").click()
    problems += axe_violations(page)
    page.get_by_role("checkbox", name="SPOT survey report: you said, we did").check()
    page.get_by_role("button", name="Attach").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 evidence item attached to R1.")
    expect(page.get_by_role("link", name="SPOT survey report: you said, we did")).to_be_visible()

    page.get_by_role("link", name="Upload a file for it").click()
    problems += axe_violations(page)
    page.get_by_label("Title").fill("SEND strategic plan 2025-2028")
    page.get_by_label("File").set_input_files(
        files=[{"name": "strategic-plan.pdf", "mimeType": "application/pdf", "buffer": factories.PDF_BYTES}]
    )
    _date(page, "about_date", today())
    page.get_by_label("Internal: for the partnership, not for publication").check()
    page.get_by_role("button", name="Upload and attach").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("uploaded and attached to R1")

    page.get_by_role("link", name="Update the status or response").click()
    page.get_by_label("Sent").check()
    page.get_by_role("button", name="Save").click()
    problems += axe_violations(page)  # no response yet is fine: evidence is attached
    expect(page.locator(".govuk-notification-banner")).to_contain_text("R1 is sent.")
    page.get_by_role("link", name="Update the status or response").click()
    page.get_by_label("Closed").check()
    page.get_by_label("Response note").fill("Sent to the lead inspector by secure email.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("R1 is closed.")
    problems += axe_violations(page)
    page.get_by_role("link", name="Change the request").click()
    problems += axe_violations(page)

    page.goto("/requests")
    expect(page.locator("tbody .govuk-tag", has_text="Closed")).to_have_count(1)
    problems += axe_violations(page)
    page.get_by_role("link", name="My requests").click()
    expect(page.locator("main")).to_contain_text(REQUESTS[0][0])
    problems += axe_violations(page)
    page.get_by_role("link", name="Every inspection period").click()
    problems += axe_violations(page)
    page.goto("/requests")
    page.get_by_role("link", name="Export the requests as a ZIP").click()
    expect(page.locator("h1")).to_have_text("Export the information requests")
    problems += axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    path = tmp_path / "requests.zip"
    download.value.save_as(path)

    archive = zipfile.ZipFile(path)
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert [(row["Reference"], row["Request"], row["Status"]) for row in rows] == [
        ("R1", REQUESTS[0][0], "Closed"),
        ("R2", REQUESTS[1][0], "Open"),
        ("R3", REQUESTS[2][0], "Open"),
    ]
    index = html.unescape(archive.read("index.html").decode("utf-8"))
    assert all(wording in index for wording, _, _ in REQUESTS) and "Closed" in index
    assert any(
        name.startswith("requests/R1/") and name.endswith("strategic-plan.pdf") for name in archive.namelist()
    )
    assert problems == []
