"""Journeys 1 and 2 in Chromium, with axe-core on every page they pass through."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tracker.dates import today as london_today
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Action, Finding, Inspection, Theme

pytestmark = pytest.mark.browser
PASSWORD = factories.PASSWORD


def fill_date(page, name: str, value: date) -> None:
    page.locator(f"#{name}-day").fill(str(value.day))
    page.locator(f"#{name}-month").fill(str(value.month))
    page.locator(f"#{name}-year").fill(str(value.year))


def test_journey_1_a_leader_turns_an_inspection_into_a_plan(page):
    factories.ThemeFactory(name="Communication with families")
    factories.ThemeFactory(name="Waiting times and access")
    leader = factories.UserFactory(role=Role.LEADER, name="Jo Whitfield")
    factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    factories.UserFactory(role=Role.OFFICER, name="Tom Reeves")
    problems = []
    sign_in(page, leader.email, PASSWORD)

    page.get_by_role("link", name="Findings", exact=True).click()
    page.get_by_role("button", name="Record an inspection").click()
    problems += axe_violations(page)
    page.get_by_label("Title").fill("Area SEND inspection of Coventry, October 2025")
    page.get_by_label("Local area").fill("Coventry")
    page.get_by_label("Inspectorates").fill("Ofsted and CQC")
    page.get_by_label("Full").check()
    fill_date(page, "start_date", date(2025, 10, 6))
    page.get_by_role("button", name="Save inspection").click()
    expect(page.locator("main")).to_contain_text("Now add its findings")

    for reference, theme, title, words in [
        (
            "AFI1",
            "Communication with families",
            "Options are difficult to navigate",
            "Some parents told inspectors their options were difficult to navigate.",
        ),
        (
            "AFI3",
            "Waiting times and access",
            "Autism assessment waits of over a year",
            "One child waited for over a year for an assessment for autism.",
        ),
    ]:
        if reference != "AFI1":
            page.goto("/findings/new")
        problems += axe_violations(page)
        page.get_by_label("Inspection").select_option(label="Area SEND inspection of Coventry, October 2025")
        page.get_by_label("Area for improvement").check()
        page.get_by_label("Theme", exact=True).select_option(label=theme)
        page.get_by_label("Reference").fill(reference)
        page.get_by_label("Short title").fill(title)
        page.get_by_label("The report's wording").fill(words)
        page.get_by_label("Council", exact=True).check()
        page.get_by_role("button", name="Save finding").click()
        expect(page.locator("h1")).to_have_text(f"{reference}: {title}")
        problems += axe_violations(page)

    page.get_by_role("button", name="Add an action for this finding").click()
    problems += axe_violations(page)
    page.get_by_label("Reference").fill("A1")
    page.get_by_label("Title").fill("One clear local offer page and faster autism assessments")
    page.get_by_label("Intended outcome").fill("Parents find their way; no child waits over 18 weeks.")
    page.get_by_label("AFI1: Options are difficult to navigate").check()
    page.get_by_label("AFI3: Autism assessment waits of over a year").check()
    owner = page.locator("input#owner_id")  # the accessible autocomplete that replaced the select
    owner.fill("Priya")
    page.get_by_role("option", name="Priya Shah").click()
    page.get_by_label("Find a contributor").fill("Tom")  # the list's search box
    expect(page.get_by_role("checkbox", name="Priya Shah")).to_be_hidden()
    page.get_by_role("checkbox", name="Tom Reeves").check()
    page.get_by_label("Council and ICB").check()
    page.get_by_label("High").check()
    fill_date(page, "due_date", date(2027, 3, 31))
    page.get_by_role("button", name="Save action").click()
    expect(page.locator("main")).to_contain_text("Action A1 added.")
    assert "Priya Shah" in page.locator("dl").inner_text()
    problems += axe_violations(page)

    action = db.session.scalar(sa.select(Action))
    assert action.owner.name == "Priya Shah"
    assert sorted(finding.reference for finding in action.findings) == ["AFI1", "AFI3"]
    assert [person.name for person in action.contributors] == ["Tom Reeves"]
    assert problems == []


def test_journey_2_an_officer_reports_progress_and_the_leader_sees_the_rag_change(page, browser, live_server):
    officer = factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    leader = factories.UserFactory(role=Role.LEADER)
    today = london_today()
    action = factories.ActionFactory(
        reference="A8",
        title="One clear local offer page",
        owner=officer,
        findings=[factories.FindingFactory()],
        start_date=today - timedelta(days=100),
        due_date=today + timedelta(days=100),
        percent_complete=10,
    )
    leader_page = browser.new_context(base_url=live_server).new_page()
    sign_in(leader_page, leader.email, PASSWORD)
    leader_page.goto(f"/actions/{action.id}")
    before = leader_page.locator("#rag-reason").inner_text()
    assert before.startswith("Red:") and "behind schedule" in before

    problems = []
    sign_in(page, officer.email, PASSWORD)
    page.get_by_role("link", name="My actions").click()
    problems += axe_violations(page)
    page.get_by_role("link", name="Report progress on A8").click()
    problems += axe_violations(page)
    page.get_by_label("What happened").fill("Draft page tested with eight parents; wording changed.")
    page.get_by_label("Percent complete").fill("55")
    page.get_by_role("button", name="Add update").click()
    expect(page.locator("main")).to_contain_text("Update added to A8.")
    assert "Draft page tested with eight parents" in page.locator(".moj-timeline").inner_text()
    problems += axe_violations(page)

    leader_page.reload()
    after = leader_page.locator("#rag-reason").inner_text()
    assert after.startswith("Green:") and "55% complete" in after
    problems += axe_violations(leader_page)
    assert problems == []


def test_every_plan_page_passes_axe(demo, page):
    finding = db.session.scalar(sa.select(Finding).where(Finding.reference == "AFI3"))
    action = db.session.scalar(sa.select(Action).where(Action.reference == "A6"))
    inspection = db.session.scalar(sa.select(Inspection))
    theme = db.session.scalar(sa.select(Theme))
    sign_in(page, "leader@demo.example", factories.DEMO_PASSWORD)
    problems = []
    for url in [
        "/findings",
        f"/findings/{finding.id}",
        f"/findings/{finding.id}/edit",
        f"/findings/{finding.id}/history",
        "/inspections",
        f"/inspections/{inspection.id}/edit",
        "/themes",
        "/themes/new",
        f"/themes/{theme.id}/edit",
        "/actions",
        "/actions?only=overdue&partner=icb",
        "/actions/mine",
        f"/actions/{action.id}",
        f"/actions/{action.id}/edit",
        f"/actions/{action.id}/history",
        f"/actions/{action.id}/updates/new",
        "/actions/import",
        "/actions/new",
        "/findings/new",
        "/inspections/new",
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1 and "/login" not in page.url, url
        problems += axe_violations(page)
    page.goto("/actions")
    page.get_by_text("Filter actions").click()
    problems += axe_violations(page)
    page.goto(f"/actions/{action.id}/edit")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += axe_violations(page)
    page.goto("/actions/import")
    page.set_input_files(
        "#file",
        files=[
            {"name": "plan.csv", "mimeType": "text/csv", "buffer": b"reference,title\nA99,Missing columns\n"}
        ],
    )
    page.get_by_role("button", name="Preview the import").click()
    problems += axe_violations(page)
    assert problems == []
