"""The page for analysts from the API tokens page: a viewer follows the link, reads how to connect Power BI,
the readiness history's columns and the example Power Query (the .pq file as it is), then uses a token the way
the page says, ?key= on the readiness history's CSV, against the live server. The page passes axe-core, and
at 320 pixels wide the page never scrolls sideways."""

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.api.analysts import power_query_text
from tracker.api.history import HISTORY_COLUMNS

pytestmark = pytest.mark.browser


def test_a_viewer_finds_the_power_bi_page_and_connects_as_it_says(demo, page, live_server):
    sign_in(page, "viewer@demo.example", DEMO_PASSWORD)
    page.goto("/account/api-tokens")
    page.get_by_role("link", name="Connect Power BI to the tracker").click()
    expect(page.locator("h1")).to_have_text("Connect Power BI to the tracker")
    problems = axe_violations(page)
    expect(page.locator("#power-query-text")).to_have_text(power_query_text())
    columns = page.locator("table.govuk-table tbody th").all_inner_texts()
    assert [column.replace("\u200b", "") for column in columns] == list(HISTORY_COLUMNS)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    problems += axe_violations(page)

    page.get_by_role("link", name="Back to API tokens").click()
    page.get_by_label("Name").fill("SEND board report")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Make token").click()
    value = page.locator("#new-token").inner_text()
    address = f"{live_server}/api/v1/readiness-history.csv?key={value}"
    with urllib.request.urlopen(address, timeout=30) as answer:
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
        header = answer.read().decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == list(HISTORY_COLUMNS)
    assert problems == []
