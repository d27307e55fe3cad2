"""The demo's history in Chromium: the dashboard a month after the inspection's report differs from today's,
the trend has a point for every day, a finding's page shows its readiness; looking changes nothing,
and every page passes axe."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.dates import today
from tracker.demo import data
from tracker.extensions import db
from tracker.readiness.models import ReadinessSnapshot
from tracker.readiness.services import plan_as_at

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD
MONTH_AFTER_THE_REPORT = data.INSPECTION["published_on"] + timedelta(days=31)


def stored() -> tuple[int, int]:
    """Audit events and snapshot rows as the live server has committed them (a new
    transaction sees its writes)."""
    db.session.rollback()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        db.session.scalar(sa.select(sa.func.count()).select_from(ReadinessSnapshot)),
    )


def readiness_shown(page) -> dict[str, str]:
    """Each finding's reference and the readiness label the dashboard's "Readiness
    by finding" tables give it."""
    rows = page.locator("table", has=page.locator("caption", has_text="Findings in")).locator("tbody tr")
    shown = {}
    for row in rows.all():
        cells = row.locator("td")
        shown[cells.nth(0).inner_text().split(":")[0]] = cells.nth(1).inner_text().strip()
    return shown


def trend_rows(page) -> int:
    return (
        page.locator("table", has=page.locator("caption", has_text="the figures in the chart"))
        .locator("tbody tr")
        .count()
    )


def test_the_demo_dashboard_then_and_now_and_a_findings_readiness(demo, page):
    sign_in(
        page, "leader@demo.example", PASSWORD
    )  # signing in is recorded; from here on nothing may be written
    before = stored()
    expect(page.locator("h1")).to_have_text("Dashboard")
    now = readiness_shown(page)
    assert len(now) == len(data.FINDINGS) + len(data.SELF_FINDINGS)
    assert trend_rows(page) > 1
    problems = axe_violations(page)

    page.goto(f"/?as_at={MONTH_AFTER_THE_REPORT.isoformat()}")
    expect(page.locator("main")).to_contain_text(
        f"as at the end of {MONTH_AFTER_THE_REPORT.day} {MONTH_AFTER_THE_REPORT:%B %Y}"
    )
    then = readiness_shown(page)
    assert set(then) == {
        reference for reference, *_ in data.FINDINGS
    }  # the self-evaluation came in June 2026
    assert any(then[reference] != now[reference] for reference in then), (then, now)
    assert trend_rows(page) > 1
    problems += axe_violations(page)

    leader = db.session.scalar(sa.select(User).where(User.email == "leader@demo.example"))
    afi1 = next(f for f in plan_as_at(today(), leader).findings if f.reference == "AFI1")
    page.goto("/")
    page.get_by_role("link", name=f"AFI1: {afi1.title}").click()
    expect(page.locator("h1")).to_contain_text(afi1.title)
    readiness = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Readiness"))
    expect(readiness).to_contain_text(afi1.readiness.capitalize())
    problems += axe_violations(page)

    assert problems == []
    assert stored() == before
