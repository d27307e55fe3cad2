"""The officer's and the leader's journeys by keyboard alone, on the demo partnership: the only thing these
tests do to a page is press keys (Tab, Shift+Tab, arrows, Space, Enter, typing), after opening the first
address. Each step checks where the focus is, as a keyboard user would find it, and every page passes axe.

Controls are reached with `tab_to`, which presses Tab until the focus is on the element a role and name
describe (as a screen reader names it), never by the position of the element on the page, so the tests keep
passing as links move or are reworded.
"""

import io
import re
import zipfile

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import axe_violations
from tests.factories import DEMO_PASSWORD
from tracker.dates import today

pytestmark = pytest.mark.browser

OFFICER = "officer@demo.example"  # Priya Shah, who owns A4 in the demo partnership
LEADER = "leader@demo.example"
OFFICER_ACTION = "A4: Annual audit of the reports shared with schools and parents"
OFFICERS_LAND_ON = "My actions"  # where an officer arrives after signing in (issue 21)
LEADERS_LAND_ON = "Dashboard"

# the focused element as a person would name it: its role, then its label or text
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "the page itself (body)";
  const tag = el.tagName.toLowerCase();
  const role = el.getAttribute("role") || (el.type && tag !== "a" ? el.type : tag);
  const labelled = el.getAttribute("aria-labelledby");
  const name = el.getAttribute("aria-label")
    || (labelled && labelled.split(" ").map((id) => document.getElementById(id)?.innerText ?? "").join(" "))
    || (el.labels && el.labels.length && el.labels[0].innerText)
    || el.innerText || el.value || el.id || "";
  return `${role} "${name.trim().replace(/\\s+/g, " ").slice(0, 80)}"`;
}"""


def focus(page: Page) -> str:
    return page.evaluate(DESCRIBE_FOCUS)


def is_focused(target: Locator) -> bool:
    """Whether the focus is on the target, or on one of them when it names several (a group's radios)."""
    return target.evaluate_all("(elements) => elements.includes(document.activeElement)")


def tab_to(page: Page, target: Locator, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab (or `key`, such as Shift+Tab) until the focus is on the target; fail with every stop the
    focus made on the way if it never gets there."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(target):
            return
        stops.append(focus(page))
    raise AssertionError(
        f"{limit} presses of {key} never reached {target}; the focus went to:\n" + "\n".join(stops)
    )


def type_in(page: Page, field: Locator, text: str) -> None:
    """Tab to a text field, select what it holds and type over it."""
    tab_to(page, field)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def choose(page: Page, group: str, option: str) -> None:
    """Tab into a group of radios, which takes the focus to its chosen radio or its first, then move with the
    down arrow to the option, and Space to choose it."""
    fieldset = page.get_by_role("group", name=group)
    radio = fieldset.get_by_role("radio", name=option)
    tab_to(page, fieldset.get_by_role("radio"))
    for _ in range(10):
        if is_focused(radio):
            page.keyboard.press("Space")
            expect(radio).to_be_checked()
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(
        f"The arrow keys never reached {option!r} in {group!r}; the focus is on {focus(page)}"
    )


def press(page: Page, target: Locator) -> None:
    """Tab to a link or button and press Enter on it, which opens the next page."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def arrives_at_the_top(page: Page, heading: str) -> None:
    """A new page, with the focus at its start, so the next Tab is the skip link."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert focus(page) == "the page itself (body)"


def focus_is_on_the_error_summary(page: Page, *errors: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for error in errors:
        expect(summary).to_contain_text(error)


def focus_is_on_the_banner(page: Page, message: str) -> None:
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_be_focused()
    expect(banner).to_contain_text(message)


def sign_in(page: Page, email: str) -> list[str]:
    """Open the sign-in page, the only address these tests open, and sign in by keys; axe's findings on the
    sign-in page are returned."""
    page.goto("/login")
    problems = axe_violations(page)
    type_in(page, page.get_by_role("textbox", name="Email address"), email)
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    return problems


def nav_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name, exact=True)


def test_an_officer_reports_progress_and_adds_evidence_by_link_from_the_keyboard(demo, page):
    problems = sign_in(page, OFFICER)
    arrives_at_the_top(page, OFFICERS_LAND_ON)
    expect(page).to_have_url(re.compile(r"/actions/mine$"))
    problems += axe_violations(page)

    press(page, page.get_by_role("link", name=OFFICER_ACTION))
    arrives_at_the_top(page, "Annual audit of the reports shared with schools and parents")
    problems += axe_violations(page)

    press(page, page.get_by_role("button", name="Report progress"))
    arrives_at_the_top(page, "Report progress on Annual audit of the reports shared with schools and parents")
    problems += axe_violations(page)
    press(page, page.get_by_role("button", name="Add update"))  # nothing said yet
    focus_is_on_the_error_summary(page, "Say what happened since the last update.")
    problems += axe_violations(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Say what happened since the last update.")).to_be_focused()
    page.keyboard.press("Enter")  # the summary's link takes the focus to the field
    expect(page.get_by_role("textbox", name="What happened")).to_be_focused()
    page.keyboard.type("Audit of 30 summer-term reports finished: 26 state who does what next.")
    type_in(page, page.get_by_role("textbox", name="Percent complete"), "80")
    choose(page, "Status", "In progress")
    press(page, page.get_by_role("button", name="Add update"))
    focus_is_on_the_banner(page, "Update added to A4.")
    updates = page.locator(".moj-timeline")
    expect(updates).to_contain_text("Audit of 30 summer-term reports finished: 26 state who does what next.")
    expect(updates.locator(".moj-timeline__title").first).to_have_text("80% complete, in progress")
    problems += axe_violations(page)

    press(page, nav_link(page, "Evidence"))
    arrives_at_the_top(page, "Evidence")
    problems += axe_violations(page)
    press(page, page.get_by_role("button", name="Add evidence", exact=True))
    arrives_at_the_top(page, "Add evidence")
    problems += axe_violations(page)
    press(page, page.get_by_role("link", name="A link", exact=True))
    arrives_at_the_top(page, "Add a link")
    type_in(page, page.get_by_role("textbox", name="Title"), "Report audit results, autumn 2026")
    type_in(page, page.get_by_role("textbox", name="Link", exact=True), "https://intranet.example/spot/audit")
    about = page.get_by_role("group", name="Date the evidence is about")
    type_in(page, about.get_by_role("textbox", name="Day"), "20")
    type_in(page, about.get_by_role("textbox", name="Month"), "11")
    type_in(page, about.get_by_role("textbox", name="Year"), "2026")
    choose(page, "Sensitivity", "Internal: for the partnership, not for publication")
    tab_to(page, page.get_by_role("searchbox", name="Filter actions"))
    page.keyboard.type("annual audit")
    expect(page.locator("#actions-list-filter-status")).to_contain_text("1 of ")
    page.keyboard.press("Tab")  # from the search to the one box still shown
    linked = page.get_by_role("checkbox", name=OFFICER_ACTION)
    expect(linked).to_be_focused()
    page.keyboard.press("Space")
    expect(linked).to_be_checked()
    problems += axe_violations(page)
    press(page, page.get_by_role("button", name="Save evidence"))
    focus_is_on_the_banner(page, "“Report audit results, autumn 2026” added. A leader will review it.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report audit results, autumn 2026")
    expect(page.get_by_role("link", name="https://intranet.example/spot/audit")).to_be_visible()
    problems += axe_violations(page)

    press(page, page.get_by_role("link", name=OFFICER_ACTION))  # from what it supports, back to the action
    arrives_at_the_top(page, "Annual audit of the reports shared with schools and parents")
    evidence = page.get_by_role("region", name="Evidence for this action")
    expect(evidence.get_by_role("row", name=re.compile("Report audit results, autumn 2026"))).to_contain_text(
        "Priya Shah"
    )
    problems += axe_violations(page)
    assert problems == []


def test_a_leader_reviews_evidence_and_exports_the_summary_from_the_keyboard(demo, page):
    problems = sign_in(page, LEADER)
    arrives_at_the_top(page, LEADERS_LAND_ON)
    problems += axe_violations(page)

    press(page, nav_link(page, "Evidence"))
    arrives_at_the_top(page, "Evidence")
    problems += axe_violations(page)
    press(page, page.get_by_role("button", name="Review queue"))
    arrives_at_the_top(page, "Evidence to review")
    problems += axe_violations(page)

    press(page, page.get_by_role("link", name="Children's Occupational Therapy leaflet"))
    arrives_at_the_top(page, "Children's Occupational Therapy leaflet")
    problems += axe_violations(page)
    choose(page, "Your decision", "Return it to the uploader with a comment")
    press(page, page.get_by_role("button", name="Save review"))  # a return with no reason
    focus_is_on_the_error_summary(page, "Say what the uploader needs to change before you return it.")
    expect(page.get_by_role("radio", name="Return it to the uploader with a comment")).to_be_checked()
    problems += axe_violations(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Comment")).to_be_focused()
    page.keyboard.type("Add the date it was published on the local offer.")
    press(page, page.get_by_role("button", name="Save review"))
    focus_is_on_the_banner(page, "“Children's Occupational Therapy leaflet” returned to Priya Shah")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence to review")
    queue = page.get_by_role("region", name="Evidence waiting for review")
    expect(queue.get_by_role("link", name="Children's Occupational Therapy leaflet")).to_have_count(0)
    problems += axe_violations(page)

    press(page, queue.get_by_role("link", name="Autism assessment capacity commissioned"))
    arrives_at_the_top(page, "Autism assessment capacity commissioned")
    problems += axe_violations(page)
    choose(page, "Your decision", "Accept: it shows what it claims")
    press(page, page.get_by_role("button", name="Save review"))
    focus_is_on_the_banner(page, "“Autism assessment capacity commissioned” accepted.")
    expect(queue.get_by_role("link", name="Autism assessment capacity commissioned")).to_have_count(0)
    problems += axe_violations(page)

    press(page, nav_link(page, "Dashboard"))
    arrives_at_the_top(page, "Dashboard")
    press(page, page.get_by_role("button", name="Export for inspection"))
    arrives_at_the_top(page, "Export")
    choose(page, "What do you want to export?", "Progress summary as an Excel workbook")
    problems += axe_violations(page)
    export = page.get_by_role("button", name="Export", exact=True)
    tab_to(page, export)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"readiness-summary-{today().isoformat()}.xlsx"
    with zipfile.ZipFile(io.BytesIO(download.path().read_bytes())) as workbook:
        assert "xl/workbook.xml" in workbook.namelist()  # an Excel workbook, not an error page
    expect(export).to_be_focused()  # the download leaves the person where they were
    assert problems == []


def test_the_skip_link_is_the_first_tab_stop_and_takes_the_focus_to_the_main_content(demo, page):
    problems = sign_in(page, OFFICER)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when it has the focus
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the main content, not back in the header
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), focus(page)
    assert problems == []


def test_the_action_edit_page_has_no_keyboard_trap(demo, page):
    """Tab goes through every control of the action form and out of the page, and Shift+Tab comes back
    through the same controls in the reverse order."""
    problems = sign_in(page, LEADER)
    press(page, nav_link(page, "Actions"))
    press(page, page.get_by_role("link", name=OFFICER_ACTION))
    press(page, page.get_by_role("button", name="Change this action"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change action A4")

    forward = []
    for _ in range(200):
        page.keyboard.press("Tab")
        if focus(page) == "the page itself (body)":  # past the last control, to the browser's own
            break
        forward.append(focus(page))
    else:
        raise AssertionError(
            "200 presses of Tab never left the page; the focus went to:\n" + "\n".join(forward)
        )
    assert forward[0] == 'a "Skip to main content"'
    for control in ("Owner", "Filter findings", "Save action"):
        assert any(control in stop for stop in forward), f"Tab never reached {control}: {forward}"

    backward = []
    for _ in range(len(forward)):
        page.keyboard.press("Shift+Tab")
        backward.append(focus(page))
    assert backward == forward[::-1]
    assert problems + axe_violations(page) == []
