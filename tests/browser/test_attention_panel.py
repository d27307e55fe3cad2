"""The panel "Needs your attention" in Chromium, on the demo: the officer signs in, lands on My actions, finds
the panel first and follows an item from the keyboard; the uploader of the demo's returned evidence finds it
there. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PANEL = "section[aria-labelledby='needs-your-attention']"


def test_the_demo_officer_lands_on_my_actions_and_follows_an_item_from_the_keyboard(demo, page):
    sign_in(page, "officer@demo.example", DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("My actions")
    assert page.url.endswith("/actions/mine")
    panel = page.locator(PANEL)
    expect(panel.locator("h2")).to_have_text("Needs your attention")
    expect(panel.locator("h3")).to_have_text(
        ["Overdue actions (1)", "Actions due soon (2)", "Actions with no update for a while (4)"]
    )
    first = panel.locator("a").first
    expect(first).to_contain_text("A8: One clear local offer page")  # the demo's overdue action
    expect(panel.locator("li").first).to_contain_text("Overdue: it was due")
    problems = axe_violations(page)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the first link in the page's main content is the panel's first item
    first_text, href = first.inner_text(), first.get_attribute("href")
    assert page.evaluate("document.activeElement.textContent.trim()") == first_text
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")
    expect(page.locator("h1")).to_have_text(first_text.removeprefix("A8: "))
    problems += axe_violations(page)
    assert problems == []


def test_the_demos_returned_evidence_waits_in_its_uploaders_panel(demo, page):
    sign_in(page, "therapies@demo.example", DEMO_PASSWORD)
    panel = page.locator(PANEL)
    returned = panel.locator("h3", has_text="Evidence returned to you (1)")
    expect(returned).to_be_visible()
    problems = axe_violations(page)
    panel.get_by_role("link", name="Occupational therapy waiting times, September 2026").click()
    expect(page.locator("main")).to_contain_text("Add the source system and the date of the extract.")
    problems += axe_violations(page)
    assert problems == []
