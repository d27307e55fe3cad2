"""The owner picker on the action edit page saves only an exact choice, with JavaScript
(accessible-autocomplete) and without (the plain select): what the person left in the box is what is saved,
or the field's error."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.browser
ERROR = "Choose the action's owner from the list."


@pytest.fixture
def action():
    for name in ("Alex Morgan", "Sam Okafor"):
        factories.UserFactory(role=Role.OFFICER, name=name)
    owner = factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    return factories.ActionFactory(
        reference="A4",
        findings=[factories.FindingFactory()],
        owner=owner,
        intended_outcome="Parents know where to go.",
    )


def owner_name(action) -> str:
    db.session.expire_all()
    return db.session.get(type(action), action.id).owner.name


def save(page) -> None:
    page.get_by_role("button", name="Save action").click()
    page.wait_for_load_state()


def refused(page, action, box_text: str) -> None:
    """The error in the summary and beside the field, the text kept in the box, and the owner unchanged."""
    expect(page.locator(".govuk-error-summary")).to_contain_text(ERROR)
    expect(page.locator("#owner_id-error")).to_contain_text(ERROR)
    expect(page.locator("input#owner_id")).to_have_value(box_text)
    # a screen reader reads the error with the box, as it did with the select
    described = re.compile(r"\bowner_id-error\b")
    expect(page.locator("input#owner_id")).to_have_attribute("aria-describedby", described)
    assert owner_name(action) == "Priya Shah"


def test_the_owner_autocomplete_saves_only_an_exact_choice(page, action):
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(page, leader.email, factories.PASSWORD)
    edit = f"/actions/{action.id}/edit"
    problems = []

    page.goto(edit)
    owner = page.locator("input#owner_id")
    expect(owner).to_have_value("Priya Shah")
    owner.fill("")
    owner.press_sequentially("a")
    expect(page.get_by_role("option", name="Alex Morgan")).to_be_visible()
    list_font = page.locator("#owner_id__listbox").evaluate("menu => getComputedStyle(menu).fontFamily")
    assert list_font.startswith("arial")  # as every other field, not the browser's Times New Roman
    owner.press("Escape")
    owner.press("Tab")
    save(page)
    refused(page, action, "a")
    problems += axe_violations(page)

    page.goto(edit)
    owner.fill("")
    owner.press_sequentially("Alx Morgan")
    owner.press("Tab")
    save(page)
    refused(page, action, "Alx Morgan")

    page.goto(edit)
    owner.fill("")
    owner.press("Tab")
    save(page)
    refused(page, action, "")

    owner.fill("")  # from the page with the error, where the box came back with what was typed
    owner.press_sequentially("Sam")
    expect(owner).to_have_attribute("aria-describedby", re.compile(r"owner_id-error"))
    page.get_by_role("option", name="Sam Okafor").click()
    expect(owner).to_have_value("Sam Okafor")
    save(page)
    expect(page.locator("main")).to_contain_text("Action A4 saved.")
    assert owner_name(action) == "Sam Okafor"
    assert problems == []


def test_the_plain_select_without_javascript_saves_only_an_exact_choice(browser, live_server, action):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(page, leader.email, factories.PASSWORD)
    page.goto(f"/actions/{action.id}/edit")
    select = page.locator("select#owner_id")
    expect(select.locator("option:checked")).to_have_text("Priya Shah")
    select.select_option(label="Choose an owner")
    save(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(ERROR)
    expect(page.locator("#owner_id-error")).to_contain_text(ERROR)
    assert owner_name(action) == "Priya Shah"

    page.locator("select#owner_id").select_option(label="Alex Morgan")
    save(page)
    expect(page.locator("main")).to_contain_text("Action A4 saved.")
    assert owner_name(action) == "Alex Morgan"
    context.close()


@pytest.mark.parametrize("form", ["/actions/new", "/measures/new"])
def test_the_action_and_measure_forms_search_their_findings(page, form):
    factories.FindingFactory(reference="AFI1", title="The local offer is difficult to navigate")
    factories.FindingFactory(reference="AFI2", title="Annual reviews are late")
    factories.FindingFactory(reference="SI1", title="Autism outreach is praised by schools")
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(page, leader.email, factories.PASSWORD)
    page.goto(form)
    page.get_by_label("Filter findings").focus()
    page.keyboard.type("afi")
    expect(page.locator("#findings-list-filter-status")).to_have_text("2 of 3 findings match")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_label("AFI1: The local offer is difficult to navigate")).to_be_checked()
    expect(page.get_by_label("SI1: Autism outreach is praised by schools")).to_be_hidden()
    assert axe_violations(page) == []
