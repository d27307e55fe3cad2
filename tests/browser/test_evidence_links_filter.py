"""The evidence form's findings and actions, by keyboard only: a search box at the top of each list filters
it as you type and says how many match (a live region), Tab reaches the boxes still shown, Space ticks one,
and what was ticked is what the evidence supports once saved. The other long lists of boxes search the
same way."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.models import Role
from tracker.surveys.models import Survey

pytestmark = pytest.mark.browser

FINDINGS = [
    ("AFI1", "The local offer is difficult to navigate"),
    ("AFI2", "Annual reviews are late"),
    ("AFI3", "Autism assessment waits of over a year"),
    ("AFI4", "Health advice is missing from plans"),
    ("AFI5", "Parents are not told about changes"),
    ("AFI6", "Preparing for adulthood starts late"),
    ("SI1", "Two occupational therapy services are confused"),
    ("SI2", "Autism outreach is praised by schools"),
]
ACTIONS = [
    ("A1", "Rewrite the local offer pages"),
    ("A2", "Publish new SPOT leaflets"),
    ("A3", "Clear the annual review backlog"),
]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def type_into(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def test_findings_and_actions_are_chosen_by_keyboard_from_filtered_lists(page):
    officer = factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    findings = {ref: factories.FindingFactory(reference=ref, title=title) for ref, title in FINDINGS}
    for ref, title in ACTIONS:
        factories.ActionFactory(reference=ref, title=title, owner=officer, findings=[findings["AFI1"]])
    sign_in(page, officer.email, factories.PASSWORD)
    page.goto("/evidence/new?kind=note")

    type_into(page, "#title", "Autism pathway audit")
    type_into(page, "#note", "Waits fell from 56 to 31 weeks.")
    for part, value in (("day", "24"), ("month", "7"), ("year", "2026")):
        type_into(page, f"#about_date-{part}", value)
    page.get_by_label("Internal: for the partnership").focus()
    page.keyboard.press("Space")
    page.locator("#source").focus()

    page.keyboard.press("Tab")  # into the findings' fieldset: its search box comes first
    assert focused(page) == "findings-list-filter"
    page.keyboard.type("autism")
    status = page.locator("#findings-list-filter-status")
    expect(status).to_have_text(f"2 of {len(FINDINGS)} findings match")
    expect(status).to_have_attribute("role", "status")
    page.keyboard.type(" wait")
    expect(status).to_have_text(f"1 of {len(FINDINGS)} findings match")
    expect(page.get_by_role("checkbox", name="SI2: Autism outreach is praised by schools")).to_be_hidden()
    page.keyboard.press("Enter")  # filters, never sends the form
    expect(page).to_have_url(re.compile(r"/evidence/new\?kind=note$"))

    page.keyboard.press("Tab")
    afi3 = page.get_by_label("AFI3: Autism assessment waits of over a year")
    assert focused(page) == afi3.get_attribute("id")
    page.keyboard.press("Space")
    expect(afi3).to_be_checked()
    page.keyboard.press("Tab")  # past the hidden boxes, out of the list, to the actions' search box
    assert focused(page) == "actions-list-filter"
    page.keyboard.type("leaflets")
    expect(page.locator("#actions-list-filter-status")).to_have_text(f"1 of {len(ACTIONS)} actions match")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_label("A2: Publish new SPOT leaflets")).to_be_checked()

    page.locator("#findings-list-filter").focus()  # a ticked box stays in view whatever is typed
    page.keyboard.type(" nothing like this")
    expect(page.locator("#findings-list-filter-status")).to_have_text(f"0 of {len(FINDINGS)} findings match")
    expect(afi3).to_be_visible()
    assert axe_violations(page) == []

    page.locator("#actions-list-filter").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the only action shown, then out of the list to the button
    expect(page.get_by_role("button", name="Save evidence")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_contain_text("“Autism pathway audit” added. A leader will review it.")
    item = db.session.scalar(sa.select(EvidenceItem))
    assert [f.reference for f in item.findings] == ["AFI3"]
    assert [a.reference for a in item.actions] == ["A2"]
    expect(page.locator("main")).to_contain_text("AFI3")
    # GOV.UK Frontend moves the focus to the success banner when its script starts: wait for it, as a
    # person's screen reader would, rather than read the focus at the instant the text appears
    expect(page.locator(".govuk-notification-banner")).to_be_focused()
    assert axe_violations(page) == []


def test_a_list_of_one_says_so_and_without_javascript_every_box_shows(page, browser, live_server):
    officer = factories.UserFactory(role=Role.OFFICER)
    finding = factories.FindingFactory(reference="AFI1", title="The local offer is difficult to navigate")
    factories.ActionFactory(
        reference="A1", title="Rewrite the local offer pages", owner=officer, findings=[finding]
    )
    sign_in(page, officer.email, factories.PASSWORD)
    page.goto("/evidence/new?kind=note")
    type_into(page, "#actions-list-filter", "leaflets")
    expect(page.locator("#actions-list-filter-status")).to_have_text("The one action does not match")
    expect(page.get_by_label("A1: Rewrite the local offer pages")).to_be_hidden()

    plain = browser.new_context(base_url=live_server, java_script_enabled=False).new_page()
    sign_in(plain, officer.email, factories.PASSWORD)
    plain.goto("/evidence/new?kind=note")
    expect(plain.locator("#actions-list-filter")).to_have_count(0)
    expect(plain.get_by_label("A1: Rewrite the local offer pages")).to_be_visible()
    expect(plain.get_by_label("AFI1: The local offer is difficult to navigate")).to_be_visible()
    plain.context.close()


def test_the_other_long_lists_search_the_same_way(demo, page):
    """What a statement cites and the actions of a "you said, we did" entry: the same search box, no axe
    violations."""
    sign_in(page, "leader@demo.example", DEMO_PASSWORD)
    page.goto("/criteria")
    page.get_by_role("link", name="A2: Families participate in decisions").click()
    page.get_by_role("link", name="The self-evaluation statement for A2").click()
    page.get_by_role("link", name="Write the statement").click()
    survey_id = db.session.scalar(sa.select(Survey.id))
    for url, box in (
        (page.url, "Find evidence to cite"),
        (page.url, "Find a measure to cite"),
        (f"/surveys/{survey_id}/responses/new", "Find an action"),
    ):
        page.goto(url)
        search = page.get_by_label(box)
        group = search.get_attribute("id").removesuffix("-filter")
        expect(page.locator(f"#{group} .govuk-checkboxes__item:visible").first).to_be_visible()
        search.focus()
        page.keyboard.type("zzz no such words")
        expect(page.locator(f"#{group}-filter-status")).to_contain_text("0 of ")
        expect(page.locator(f"#{group} .govuk-checkboxes__item:visible")).to_have_count(0)
        assert axe_violations(page) == []
