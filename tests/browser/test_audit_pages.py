"""The administrator's audit log, an event and the chain check pass axe and work from the keyboard."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tracker.audit import AuditEvent
from tracker.extensions import db

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-2026"


def test_an_administrator_filters_the_log_reads_an_event_and_checks_the_chain(demo, page):
    sign_in(page, "admin@demo.example", PASSWORD)
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("h1")).to_have_text("Audit log")
    problems = axe_violations(page)

    page.locator("summary", has_text="Filter the audit log").focus()
    page.keyboard.press("Enter")
    page.get_by_label("What happened").select_option("user.signed_in")
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    expect(page.locator("caption")).to_contain_text("1 event matches these filters")
    problems += axe_violations(page)

    page.get_by_role("link", name="user.signed_in").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("user.signed_in")
    problems += axe_violations(page)

    page.goto("/admin/audit")
    page.get_by_role("button", name="Check the whole audit log").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("The audit log is whole")
    problems += axe_violations(page)

    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == 3).values(verb="user.deleted"))
    db.session.commit()
    page.goto("/admin/audit")
    page.get_by_role("button", name="Check the whole audit log").click()
    expect(page.locator("h1")).to_have_text("The audit log has been altered")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "event 3 (number 3 in the chain, user.deleted)"
    )
    problems += axe_violations(page)
    assert problems == []
