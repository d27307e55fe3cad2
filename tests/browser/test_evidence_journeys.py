"""The evidence journeys in Chromium: an officer attaches a PDF, a leader returns it, the officer resubmits,
the leader accepts."""

from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tracker.evidence.models import EvidenceItem, EvidenceStatus
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.browser


def test_officer_attaches_a_pdf_and_a_leader_returns_then_accepts_it(page, browser, live_server, tmp_path):
    officer = factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    leader = factories.UserFactory(role=Role.LEADER, name="Jo Whitfield")
    finding = factories.FindingFactory(
        reference="SI1", title="Two occupational therapy services are confused"
    )
    action = factories.ActionFactory(
        reference="A1", title="Publish new SPOT leaflets", owner=officer, findings=[finding]
    )
    leaflet = tmp_path / "ot-leaflet.pdf"
    leaflet.write_bytes(factories.PDF_BYTES)
    problems = []

    sign_in(page, officer.email, factories.PASSWORD)
    page.goto(f"/actions/{action.id}")
    page.get_by_role("link", name="Add evidence for this action").click()
    problems += axe_violations(page)
    page.get_by_role("link", name="A document").click()
    page.get_by_label("Title").fill("Children's Occupational Therapy leaflet")
    page.get_by_label("File").set_input_files(str(leaflet))
    page.locator("#about_date-day").fill("24")
    page.locator("#about_date-month").fill("7")
    page.locator("#about_date-year").fill("2026")
    page.get_by_label("Public: can be published").check()
    page.get_by_label("SI1: Two occupational therapy services are confused").check()
    assert page.get_by_label("A1: Publish new SPOT leaflets").is_checked()
    problems += axe_violations(page)
    page.get_by_role("button", name="Save evidence").click()
    expect(page.locator("main")).to_contain_text("added. A leader will review it.")
    problems += axe_violations(page)

    leader_page = browser.new_context(base_url=live_server).new_page()
    sign_in(leader_page, leader.email, factories.PASSWORD)
    leader_page.goto("/evidence/review")
    problems += axe_violations(leader_page)
    leader_page.get_by_role("link", name="Children's Occupational Therapy leaflet").click()
    leader_page.get_by_label("Return it to the uploader with a comment").check()
    leader_page.get_by_label("Comment", exact=True).fill("Add the date the leaflet was published.")
    leader_page.get_by_role("button", name="Save review").click()
    expect(leader_page.locator("main")).to_contain_text("returned to Priya Shah")

    page.goto("/evidence/mine")
    problems += axe_violations(page)
    page.get_by_role("link", name="Children's Occupational Therapy leaflet").click()
    expect(page.locator("main")).to_contain_text("Add the date the leaflet was published.")
    problems += axe_violations(page)
    page.get_by_role("button", name="Resubmit for review").click()
    expect(page.locator("main")).to_contain_text("resubmitted for review")

    leader_page.goto("/evidence/review")
    leader_page.get_by_role("link", name="Children's Occupational Therapy leaflet").click()
    problems += axe_violations(leader_page)
    leader_page.get_by_label("Accept: it shows what it claims").check()
    leader_page.get_by_role("button", name="Save review").click()
    expect(leader_page.locator("main")).to_contain_text("accepted")

    item = db.session.scalar(sa.select(EvidenceItem))
    assert item.status is EvidenceStatus.ACCEPTED and item.about_date == date(2026, 7, 24)
    assert [f.reference for f in item.findings] == ["SI1"] and [a.reference for a in item.actions] == ["A1"]
    assert problems == []


def test_every_evidence_page_passes_axe(demo, page):
    item = db.session.scalar(sa.select(EvidenceItem).where(EvidenceItem.kind == "document"))
    sign_in(page, "leader@demo.example", "demo-password-2026")
    problems = []
    for url in [
        "/evidence",
        "/evidence?status=accepted&kind=document",
        "/evidence/gaps",
        "/evidence/review",
        "/evidence/mine",
        "/evidence/new",
        "/evidence/new?kind=document",
        "/evidence/new?kind=link",
        "/evidence/new?kind=note",
        f"/evidence/{item.id}",
        f"/evidence/{item.id}/edit",
        f"/evidence/{item.id}/versions/new",
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1 and "/login" not in page.url, url
        problems += axe_violations(page)
    page.goto("/evidence/new?kind=link")
    page.get_by_role("button", name="Save evidence").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += axe_violations(page)
    assert problems == []
