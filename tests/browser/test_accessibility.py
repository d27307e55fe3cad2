"""Every page, for every role, passes axe-core's WCAG 2.2 A and AA rules, and works from the keyboard."""

from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tests.http.test_navigation import SERVICE_PAGES
from tracker.auth.models import User
from tracker.auth.sessions import signed_in_fields
from tracker.extensions import db
from tracker.frameworks.models import Criterion
from tracker.reminders.models import DeliveryStatus, ReminderDigest
from tracker.surveys.models import Survey

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def navigation_hrefs(page, name: str = "Main menu") -> list[str]:
    """The links of the service navigation ("Main menu") or of the header's account area ("Your account")."""
    links = page.get_by_role("navigation", name=name, exact=True).get_by_role("link")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


@pytest.mark.parametrize("email", ["leader@demo.example", "officer@demo.example", "viewer@demo.example"])
def test_every_page_in_the_navigation_passes_axe(demo, page, email):
    sign_in(page, email, PASSWORD)
    hrefs = navigation_hrefs(page)
    assert hrefs == SERVICE_PAGES
    account = navigation_hrefs(page, "Your account")
    assert account == [
        "/account/password",
        "/account/two-step",
        "/account/sessions",
        "/account/reminders",
        "/account/api-tokens",
    ]
    survey_id = db.session.scalar(sa.select(Survey.id))
    problems = []
    # and the self-evaluation's signed-off statement (A1) and its draft after a sign-off (A3), from the demo
    statements = [
        f"/self-evaluation/{db.session.scalar(sa.select(Criterion.id).where(Criterion.key == key))}"
        for key in ("A1", "A3")
    ]
    for href in hrefs + account + [f"/surveys/{survey_id}"] + statements:
        page.goto(href)
        assert page.locator("h1").count() == 1
        problems += axe_violations(page)
    assert problems == []


def test_admin_pages_and_their_error_states_pass_axe(demo, page):
    sign_in(page, "admin@demo.example", PASSWORD)
    expect(page.locator("h1")).to_have_text("Users")
    problems = axe_violations(page)
    page.get_by_role("button", name="Add a user").click()
    problems += axe_violations(page)
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += axe_violations(page)
    viewer_id = db.session.scalar(sa.select(User.id).where(User.email == "viewer@demo.example"))
    page.goto(f"/admin/users/{viewer_id}")
    problems += axe_violations(page)
    assert problems == []


def test_reminder_admin_pages_and_their_error_states_pass_axe(demo, page):
    """The Teams channels (empty, the add form with its errors, the list, the change form) and the reminder
    problems page, empty and with a digest that was given up."""
    sign_in(page, "admin@demo.example", PASSWORD)
    page.get_by_role("link", name="Teams channels").click()
    expect(page.locator("h1")).to_have_text("Teams channels")
    problems = axe_violations(page)
    page.get_by_role("button", name="Add a channel").click()
    page.get_by_role("button", name="Add the channel").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the channel.")
    problems += axe_violations(page)
    page.get_by_label("Name", exact=True).fill("SEND leadership team")
    page.get_by_label("Webhook address", exact=True).fill(
        "https://teams.example.org/workflows/abc/invoke?sig=s3cret"
    )
    page.get_by_role("button", name="Add the channel").click()
    expect(page.locator("main")).to_contain_text("https://teams.example.org/…cret")
    problems += axe_violations(page)
    page.get_by_role("link", name="Change SEND leadership team").click()
    problems += axe_violations(page)
    page.get_by_role("link", name="Reminder problems").click()
    expect(page.locator("main")).to_contain_text("there are no problems to show")
    problems += axe_violations(page)
    viewer = db.session.scalar(sa.select(User).where(User.email == "viewer@demo.example"))
    db.session.add(
        ReminderDigest(
            user_id=viewer.id,
            day=date(2026, 3, 2),
            transport="smtp",
            status=DeliveryStatus.GIVEN_UP,
            attempts=5,
            last_error="the mail server refused the address: 550 no such user",
        )
    )
    db.session.commit()
    page.reload()
    expect(page.locator("main")).to_contain_text("550 no such user")
    problems += axe_violations(page)
    assert problems == []


def test_your_sessions_page_passes_axe_with_another_session_to_end(demo, page):
    viewer_id = db.session.scalar(sa.select(User.id).where(User.email == "viewer@demo.example"))
    signed_in_fields(viewer_id)  # signed in somewhere else too
    sign_in(page, "viewer@demo.example", PASSWORD)
    page.get_by_role("link", name="Your sessions").click()
    expect(page.locator("h1")).to_have_text("Your sessions")
    expect(page.locator("main")).to_contain_text("(this session)")
    problems = axe_violations(page)
    page.get_by_role("button", name="Sign out this session").click()
    expect(page.locator("main")).to_contain_text("Signed out Unknown browser")
    problems += axe_violations(page)
    assert problems == []


def tab_to(page, element_id: str) -> None:
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_password_pages_and_their_error_states_pass_axe_and_work_from_the_keyboard(demo, page):
    """An administrator resets a password (the made one shown once); the person must then choose their own."""
    viewer_id = db.session.scalar(sa.select(User.id).where(User.email == "viewer@demo.example"))
    sign_in(page, "admin@demo.example", PASSWORD)
    page.goto(f"/admin/users/{viewer_id}")
    page.get_by_role("link", name="Reset").click()
    problems = axe_violations(page)
    page.get_by_label("New password", exact=True).fill("lantern-orchard-quietly-42")
    page.get_by_role("button", name="Reset password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The two passwords do not match.")
    problems += axe_violations(page)
    page.get_by_label("New password", exact=True).fill("")
    page.get_by_role("button", name="Reset password").click()
    made = page.locator("#new-password").inner_text()
    problems += axe_violations(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "viewer@demo.example", made)
    expect(page.locator("h1")).to_have_text("Change your password")  # sent here before anything else
    problems += axe_violations(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password.")
    problems += axe_violations(page)
    page.get_by_role("link", name="Enter your current password.").press(
        "Enter"
    )  # the summary's link moves focus
    assert page.evaluate("document.activeElement.id") == "current_password"
    page.keyboard.type(made)
    for field in ("password", "confirm"):  # each password field has its "Show" button between
        tab_to(page, field)
        page.keyboard.type("lantern-orchard-quietly-42")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Your password has been changed.")
    problems += axe_violations(page)
    assert problems == []


def test_public_and_error_pages_pass_axe(demo, page):
    problems = []
    page.goto("/login")
    problems += axe_violations(page)
    page.get_by_role("button", name="Sign in").click()
    assert "Enter your email address." in page.locator(".govuk-error-summary").inner_text()
    problems += axe_violations(page)
    page.goto("/accessibility")
    problems += axe_violations(page)
    page.goto("/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    problems += axe_violations(page)
    sign_in(page, "viewer@demo.example", PASSWORD)
    page.goto("/admin/users")
    expect(page.locator("h1")).to_have_text("You cannot see this page")
    problems += axe_violations(page)
    assert problems == []


def test_signing_in_and_out_works_from_the_keyboard(demo, page):
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    for _ in range(30):
        if page.evaluate("document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("leader@demo.example")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    expect(page.locator("main")).to_contain_text("You have been signed out.")


@pytest.mark.parametrize(
    ("email", "heading"),
    [
        ("leader@demo.example", "Dashboard"),
        ("officer@demo.example", "My actions"),
        ("viewer@demo.example", "Dashboard"),
        ("admin@demo.example", "Users"),
    ],
)
def test_each_demo_user_signs_in_through_the_form(demo, page, email, heading):
    sign_in(page, email, PASSWORD)
    expect(page.locator("h1")).to_have_text(heading)


def test_the_axe_check_catches_a_real_violation(page):
    """Guards the guard: a page with an unlabelled image and input must fail."""
    page.set_content(
        '<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>'
    )
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "label" in found


def test_redacting_a_value_from_an_actions_history_passes_axe_and_works_from_the_keyboard(demo, page):
    from tracker.plan.models import Action

    action_id = db.session.scalar(sa.select(Action.id).order_by(Action.id))
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto(f"/actions/{action_id}/history")
    problems = axe_violations(page)
    page.locator("main a", has_text="Redact").first.click()
    expect(page.locator("h1")).to_have_text("Redact text from the history")
    problems += axe_violations(page)
    page.get_by_role("button", name="Redact this text").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why this text is being redacted.")
    problems += axe_violations(page)
    page.get_by_label("Why is this text being redacted?").fill("Typed into the wrong action")
    page.get_by_label("Why is this text being redacted?").press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Redacted by ")
    expect(page.locator("main")).to_contain_text("Typed into the wrong action")
    problems += axe_violations(page)
    assert problems == []


def test_the_criteria_pages_pass_axe_and_a_leader_links_evidence_from_the_keyboard(demo, page):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto("/criteria")
    expect(page.locator("h1")).to_have_text("Criteria")
    problems = axe_violations(page)
    page.get_by_role("link", name="A1: Needs identified and assessed in a timely way").click()
    expect(page.locator("h1")).to_have_text("A1: Needs identified and assessed in a timely way")
    expect(page.locator("main")).to_contain_text("AFI3: Autism assessment waits of over a year")
    problems += axe_violations(page)
    page.get_by_label("Link a record to this criterion").select_option("evidence")
    page.get_by_role("button", name="Choose the record").click()
    expect(page.locator("h1")).to_have_text("Link evidence")
    page.get_by_role("button", name="Link to this criterion").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the record to link.")
    problems += axe_violations(page)
    page.get_by_label("Which evidence").select_option(label="EHC plan audit, spring term 2026")
    page.get_by_label("Which evidence").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Evidence linked to A1.")
    expect(page.locator("main")).to_contain_text("EHC plan audit, spring term 2026")
    problems += axe_violations(page)
    assert problems == []


def test_the_inspection_form_its_bad_date_the_timeline_and_the_rules_page_pass_axe(demo, page):
    sign_in(page, "leader@demo.example", PASSWORD)
    expect(page.locator("#inspection-timeline")).to_have_text("Inspection timeline")
    expect(page.locator("main")).to_contain_text("Outcome 1: positive experiences and outcomes")
    problems = axe_violations(page)
    page.get_by_role("link", name="Change the outcome, the report's date or the plan's due date").click()
    expect(page.get_by_label("Positive experiences and outcomes")).to_be_checked()
    problems += axe_violations(page)
    plan_due = page.get_by_role("group", name="Plan due (optional)")
    plan_due.get_by_label("Day").fill("31")
    plan_due.get_by_label("Month").fill("2")
    plan_due.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save inspection").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a real date for the plan, like 27 2 2026."
    )
    problems += axe_violations(page)
    page.locator(".govuk-error-summary a").first.click()  # the summary's link takes the keyboard to the field
    plan_due.get_by_label("Day").fill("27")
    plan_due.get_by_label("Year").press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    page.goto("/")
    expect(page.locator("#timeline-plan")).to_contain_text("27 February 2026")
    expect(page.locator("#timeline-plan")).to_contain_text("set by you")
    problems += axe_violations(page)
    page.locator("#timeline-plan").get_by_role("link", name="How this date is worked out").click()
    expect(page.locator("h1")).to_have_text("After an inspection: the dates its outcome sets")
    problems += axe_violations(page)
    assert problems == []
