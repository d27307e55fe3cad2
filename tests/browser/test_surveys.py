"""Survey pages in Chromium: every page and its error states pass axe-core, and a leader's journey
from a comment to a published "you said, we did" entry works end to end."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tracker.extensions import db
from tracker.surveys.models import Survey

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-2026"


@pytest.fixture
def survey_id(demo):
    return db.session.scalar(sa.select(Survey.id))


def test_every_survey_page_and_its_error_states_pass_axe(survey_id, page):
    sign_in(page, "leader@demo.example", PASSWORD)
    problems = []

    page.goto("/surveys")
    expect(page.locator("h1")).to_have_text("Surveys")
    problems += axe_violations(page)

    page.get_by_role("link", name="SPOT service survey, May 2026").click()
    expect(page.locator("h1")).to_have_text("SPOT service survey, May 2026")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("32 of 39 SENCO replies (82%)")
    problems += axe_violations(page)

    page.get_by_label("Group", exact=True).select_option("parents_carers")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#filtered")).to_contain_text("Showing replies from Parents and carers")
    problems += axe_violations(page)

    page.goto(f"/surveys/{survey_id}/comments")
    expect(page.locator("h1")).to_have_text("Comments")
    problems += axe_violations(page)
    page.get_by_role("link", name="Tag comment 1").click()
    expect(page.locator("h1")).to_have_text("Tag a comment")
    problems += axe_violations(page)

    page.goto(f"/surveys/{survey_id}/responses/new")
    expect(page.locator("h1")).to_have_text("Add a you said, we did entry")
    problems += axe_violations(page)
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what people told us.")
    problems += axe_violations(page)

    page.goto(f"/surveys/{survey_id}/you-said-we-did")
    expect(page.locator("h1")).to_have_text("You said, we did: SPOT service survey, May 2026")
    problems += axe_violations(page)

    page.goto("/surveys/new")
    expect(page.locator("h1")).to_have_text("Add a survey")
    problems += axe_violations(page)
    page.get_by_role("button", name="Save survey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select at least one group the survey asked."
    )
    problems += axe_violations(page)
    assert problems == []


def test_a_leader_tags_a_comment_answers_it_and_publishes_the_answer(survey_id, page):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto(f"/surveys/{survey_id}/comments")
    page.get_by_role("link", name="Respond to comment 2").click()
    expect(page.locator("h1")).to_have_text("Add a you said, we did entry")
    page.get_by_label("You said").fill("SENCOs asked for help building their staff's confidence.")
    page.get_by_label("We did").fill(
        "We will ask SENCOs in the autumn survey how we can best support their staff."
    )
    page.get_by_label("Published: on the page for families").check()
    page.get_by_role("button", name="Save response").click()
    expect(page.locator("main")).to_contain_text("Response saved.")

    page.get_by_role("link", name="See the you said, we did page for families").click()
    expect(page.locator("main")).to_contain_text("how we can best support their staff")
    expect(page.locator("main")).to_contain_text(
        "We received 61 replies: 39 from SENCOs and 22 from parents and carers."
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it as a Word document").click()
    assert download.value.suggested_filename == "spot-service-survey-may-2026-you-said-we-did.docx"


def test_a_restricted_comment_is_marked_for_leaders_and_not_shown_to_viewers_and_both_pages_pass_axe(
    survey_id, page
):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto(f"/surveys/{survey_id}/comments")
    first = page.locator(".govuk-summary-card").first
    text = first.locator(".govuk-summary-card__content > p.govuk-body").inner_text()
    page.get_by_role("button", name="Mark as restricted on comment 1").click()
    expect(page.locator("main")).to_contain_text("Comment marked restricted: only leaders read it.")
    expect(first.locator(".govuk-tag", has_text="Restricted")).to_be_visible()
    expect(page.get_by_role("button", name="Lift the restriction on comment 1")).to_be_visible()
    problems = axe_violations(page)
    page.get_by_role("link", name="Tag comment 1").click()
    expect(page.locator("main .govuk-tag", has_text="Restricted")).to_be_visible()
    problems += axe_violations(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "viewer@demo.example", PASSWORD)
    page.goto(f"/surveys/{survey_id}/comments")
    expect(page.locator("main")).to_contain_text("1 restricted comment not shown.")
    expect(page.locator("main")).not_to_contain_text(text)
    problems += axe_violations(page)
    page.goto(f"/surveys/{survey_id}")
    expect(page.locator("main")).not_to_contain_text(text)
    problems += axe_violations(page)
    assert problems == []
