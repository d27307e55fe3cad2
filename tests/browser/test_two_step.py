"""Two-step verification's pages pass axe-core, with and without errors, and work from the keyboard."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tracker.auth.models import User
from tracker.extensions import db

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-2026"


def type_into(page, element_id: str, text: str) -> None:
    """Reach a field with the Tab key alone and type into it."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            page.keyboard.type(text)
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_setting_up_signing_in_with_a_code_and_turning_off_pass_axe_from_the_keyboard(demo, page):
    problems = []
    sign_in(page, "officer@demo.example", PASSWORD)
    page.get_by_role("link", name="Two-step verification").click()
    expect(page.locator("h1")).to_have_text("Set up two-step verification")
    expect(page.locator("main")).to_contain_text("Confirm it is you")
    problems += axe_violations(page)
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your password is not correct.")
    problems += axe_violations(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Your password").press("Enter")
    expect(
        page.get_by_role("img", name=re.compile("QR code for setting up two-step verification"))
    ).to_be_visible()
    problems += axe_violations(page)

    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the 6-digit code from your authenticator app."
    )
    problems += axe_violations(page)
    key = page.locator("main p.govuk-\\!-font-weight-bold").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.get_by_role("link", name="Enter the 6-digit code from your authenticator app.").press("Enter")
    assert page.evaluate("document.activeElement.id") == "code"  # the summary's link moves focus to the box
    page.keyboard.type(totp.now())
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Two-step verification is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    recovery_codes = page.locator("#recovery-codes li").all_inner_texts()
    problems += axe_violations(page)

    page.goto("/account/two-step")
    expect(page.locator("h1")).to_have_text("Two-step verification")
    expect(page.locator("main")).to_contain_text("You have 10 unused recovery codes.")
    problems += axe_violations(page)
    page.get_by_role("button", name="Turn off two-step verification").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password.")
    problems += axe_violations(page)
    page.goto("/account/two-step")
    page.get_by_role("link", name="Make new recovery codes").click()
    expect(page.locator("h1")).to_have_text("Recovery codes")
    problems += axe_violations(page)
    page.get_by_role("button", name="Make new recovery codes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password.")
    problems += axe_violations(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    page.get_by_label("Email address").fill("officer@demo.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Enter your code")
    problems += axe_violations(page)
    type_into(page, "code", "12345")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the code as 6 digits, like 123456.")
    expect(page.get_by_label("Code from your authenticator app")).to_have_value("")
    problems += axe_violations(page)
    type_into(
        page, "code", totp.at(time.time() + 30)
    )  # the next step's code: the one used to set up is spent
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("My actions")  # an officer's home, after the code too

    page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    page.get_by_label("Email address").fill("officer@demo.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="use a recovery code").click()
    expect(page.locator("h1")).to_have_text("Enter a recovery code")
    problems += axe_violations(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter one of your recovery codes.")
    problems += axe_violations(page)
    page.get_by_label("Recovery code").fill(recovery_codes[0])
    page.get_by_label("Recovery code").press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 recovery codes left.")
    assert problems == []


def test_an_administrator_removes_someones_two_step_and_the_pages_pass_axe(demo, page):
    officer = db.session.scalar(sa.select(User).where(User.email == "officer@demo.example"))
    officer.totp_secret, officer.totp_enabled_at = pyotp.random_base32(), officer.created_at
    db.session.commit()
    sign_in(page, "admin@demo.example", PASSWORD)
    expect(page.locator("tbody tr", has_text="officer@demo.example")).to_contain_text("On")
    problems = axe_violations(page)
    page.goto(f"/admin/users/{officer.id}")
    problems += axe_violations(page)
    page.get_by_role("button", name="Remove two-step verification").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("two-step verification")
    expect(page.locator("main")).to_contain_text("Off: they sign in with their password alone.")
    problems += axe_violations(page)
    assert problems == []


def test_the_throttled_sign_in_page_passes_axe(page):
    for _ in range(6):
        page.goto("/login")
        page.get_by_label("Email address").fill("nobody@council.example")
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("You have tried to sign in too many times.")
    expect(page.get_by_label("Email address")).to_have_value("nobody@council.example")
    assert axe_violations(page) == []
