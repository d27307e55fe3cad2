"""The API tokens page from the keyboard and the mouse: the form's errors, a new token shown once and working
against the live server, then revoked; every state passes axe-core."""

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_viewer_makes_a_token_sees_it_once_uses_it_and_revokes_it(demo, page, live_server):
    sign_in(page, "viewer@demo.example", DEMO_PASSWORD)
    page.goto("/account/api-tokens")
    expect(page.locator("h1")).to_have_text("API tokens")
    problems = axe_violations(page)
    page.get_by_role("button", name="Make token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token.")
    problems += axe_violations(page)
    page.get_by_label("Name").fill("SEND board report")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Make token").click()
    value = page.locator("#new-token").inner_text()
    assert value.startswith("irt_") and len(value) == 47
    problems += axe_violations(page)
    assert _status(f"{live_server}/api/v1/findings", value) == 200
    page.goto("/account/api-tokens")
    expect(page.locator("body")).not_to_contain_text(value)
    page.get_by_role("button", name="Revoke SEND board report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Revoked SEND board report")
    problems += axe_violations(page)
    assert _status(f"{live_server}/api/v1/findings", value) == 401
    assert problems == []
