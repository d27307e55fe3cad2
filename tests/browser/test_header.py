"""The header's account area: reached from the keyboard right after the skip link, before the service's
pages; at 320 pixels wide (400% zoom) its links wrap inside the header and no page scrolls sideways; axe-core
finds nothing, for every role."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser
NARROW = {"width": 320, "height": 800}
ACCOUNT = ["Change password", "Two-step verification", "Your sessions", "Your reminders", "API tokens"]


def focused(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


@pytest.mark.parametrize(
    ("email", "pages", "links"),
    [
        (
            "officer@demo.example",
            ["/actions/mine", "/actions?owner=priya&status=in_progress&only=overdue", "/evidence"],
            ACCOUNT,
        ),
        ("leader@demo.example", ["/", "/findings", "/account/api-tokens"], ACCOUNT),
        ("viewer@demo.example", ["/", "/measures"], ACCOUNT),
        ("admin@demo.example", ["/admin/users", "/account/sessions"], ACCOUNT[:3]),
    ],
)
def test_tab_from_the_skip_link_reaches_the_account_links_and_sign_out_at_320_pixels(
    demo, browser, live_server, email, pages, links
):
    page = browser.new_context(base_url=live_server, viewport=NARROW).new_page()
    sign_in(page, email, DEMO_PASSWORD)
    problems = []
    for address in pages:
        page.goto(address)
        account = page.get_by_role("navigation", name="Your account", exact=True)
        expect(account).to_be_visible()
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if widths[0] != widths[1]:
            problems.append(f"{address}: scrolls sideways by {widths[0] - widths[1]} px")
        problems += axe_violations(page)

    page.keyboard.press("Tab")
    assert focused(page) == "Skip to main content"
    page.keyboard.press("Tab")
    assert focused(page) == "SEND local area partnership"  # the header's name, then its account area
    for text in links:
        page.keyboard.press("Tab")
        assert focused(page) == text
        expect(page.locator(":focus")).to_be_in_viewport()
    page.keyboard.press("Tab")
    assert focused(page) == "Sign out"
    expect(account.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    expect(page.locator("main")).to_contain_text("You have been signed out.")
    page.context.close()
    assert problems == [], "\n".join(problems)
