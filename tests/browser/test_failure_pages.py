"""What people see when the database stops answering or the disk is full: the 503 page, the evidence form
answered 507 and the 507 page pass axe-core's WCAG 2.2 A and AA rules,
and their error message is reached from the keyboard."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.storage import OUT_OF_SPACE, StorageFull

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def restarting(*args, **kwargs):
    raise sa.exc.OperationalError(
        "SELECT", {}, Exception("the database system is shutting down"), connection_invalidated=True
    )


def full(*args, **kwargs):
    raise StorageFull(OUT_OF_SPACE)


def test_the_database_unavailable_page_passes_axe(demo, page, monkeypatch):
    sign_in(page, "viewer@demo.example", PASSWORD)
    monkeypatch.setattr("tracker.plan.action_views.list_actions", restarting)
    response = page.goto("/actions")
    assert response.status == 503
    expect(page.locator("h1")).to_have_text("Sorry, the service is unavailable for a moment")
    assert axe_violations(page) == []


def test_the_evidence_form_on_a_full_disk_passes_axe_and_its_error_is_reached_from_the_keyboard(
    demo, page, monkeypatch, tmp_path
):
    leaflet = tmp_path / "leaflet.txt"
    leaflet.write_text("SPOT leaflet, draft 3\n")
    sign_in(page, "officer@demo.example", PASSWORD)
    monkeypatch.setattr("tracker.evidence.services.storage.store_stream", full)
    page.goto("/evidence/new?kind=document")
    page.get_by_label("Title").fill("SPOT leaflet")
    page.get_by_label("File").set_input_files(str(leaflet))
    page.locator("#about_date-day").fill("24")
    page.locator("#about_date-month").fill("7")
    page.locator("#about_date-year").fill("2026")
    page.get_by_label("Internal").check()
    page.locator("input[name=action_ids]").first.check()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Save evidence").click()
    assert posted.value.status == 507
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(OUT_OF_SPACE)
    expect(
        summary
    ).to_be_focused()  # GOV.UK Frontend moves focus to the summary, so a keyboard user hears it first
    expect(page.get_by_label("Title")).to_have_value("SPOT leaflet")
    assert axe_violations(page) == []


class ValidPreview:
    """A plan that would import: the next step keeps the file for its confirmation, and the disk is full."""

    valid = True


def test_the_out_of_space_page_passes_axe(demo, page, monkeypatch, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("reference,title\n")
    sign_in(page, "leader@demo.example", PASSWORD)
    monkeypatch.setattr("tracker.plan.import_views.preview_plan", lambda *args: ValidPreview())
    monkeypatch.setattr("tracker.plan.import_views.storage.keep_pending", full)
    page.goto("/actions/import")
    page.get_by_label("Spreadsheet").set_input_files(str(plan))
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Preview the import").click()
    assert posted.value.status == 507
    expect(page.locator("h1")).to_have_text("The server is out of space")
    expect(page.locator("main")).to_contain_text(OUT_OF_SPACE)
    assert axe_violations(page) == []


def _report_progress(page) -> int:
    page.goto("/actions/mine")
    page.locator("a[href$='/updates/new']").first.click()
    page.get_by_label("What happened").fill("Forum met on Tuesday.")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Add update").click()
    return posted.value.status


def test_the_saved_after_a_failure_page_passes_axe_and_links_to_what_was_saved(demo, page, monkeypatch):
    from tracker.plan import action_views

    real = action_views.add_progress_update

    def saved_then_restarting(*args, **kwargs):
        real(*args, **kwargs)
        restarting()

    sign_in(page, "officer@demo.example", PASSWORD)
    monkeypatch.setattr(action_views, "add_progress_update", saved_then_restarting)
    assert _report_progress(page) == 200
    expect(page.locator("h1")).to_have_text("Your change was saved")
    assert axe_violations(page) == []
    page.get_by_role("link", name="See what was saved").click()
    expect(page.locator("main")).to_contain_text("Forum met on Tuesday.")


def test_the_not_saved_page_of_a_create_form_passes_axe_and_sends_it_again_from_the_keyboard(
    demo, page, monkeypatch
):
    sign_in(page, "officer@demo.example", PASSWORD)
    monkeypatch.setattr("tracker.plan.action_views.add_progress_update", restarting)
    assert _report_progress(page) == 503
    expect(page.locator("main")).to_contain_text("If you were saving a change, it has not been saved.")
    assert axe_violations(page) == []
    monkeypatch.undo()  # the database is back
    page.get_by_role("button", name="Send it again").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Forum met on Tuesday.")
