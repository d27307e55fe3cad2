"""Reflow (WCAG 2.2 1.4.10): at 320 CSS pixels wide, which is 1280 at 400% zoom, no page scrolls sideways.

Every page the app's URL map serves as HTML with nothing but record ids in its address is visited, each with
ids from the demo partnership, by the first of leader, administrator and officer that may open it. A table
wider than the screen scrolls inside its own labelled region, which the keyboard reaches; axe-core checks
each page at this width too."""

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.dates import add_working_days, is_working_day, today
from tracker.evidence.models import EvidenceFile, EvidenceItem
from tracker.extensions import db
from tracker.frameworks.models import Criterion
from tracker.information_requests.models import InformationRequest, RequestCategory
from tracker.information_requests.services import RequestData, attach_evidence, log_request, open_period
from tracker.measures.models import MeasureReading
from tracker.models import Role
from tracker.permissions import ROUTE_ACCESS
from tracker.plan.models import Action, Finding, Inspection, Theme
from tracker.reminders.models import TeamsChannel
from tracker.surveys.models import SurveyComment, SurveyGroup, YouSaidWeDid

pytestmark = pytest.mark.browser
NARROW = {"width": 320, "height": 800}
# who opens each page: the first of these the route admits
VISITORS = {
    Role.LEADER: "leader@demo.example",
    Role.ADMIN: "admin@demo.example",
    Role.OFFICER: "officer@demo.example",
}

# the page's widths, and for each table: is it wider than its space, and is it in a region that scrolls,
# has a name and takes the keyboard's focus
MEASURE = """() => {
  const root = document.documentElement;
  const tables = [...document.querySelectorAll("main table")].map((table) => {
    const region = table.closest("[role=region]");
    return {
      caption: (table.caption ? table.caption.innerText : table.innerText).slice(0, 60),
      wider: table.scrollWidth > (region || table.parentElement).clientWidth,
      region: region === null ? null : {
        named: Boolean(region.getAttribute("aria-label") || region.getAttribute("aria-labelledby")),
        focusable: region.tabIndex === 0,
        scrolls: getComputedStyle(region).overflowX === "auto",
      },
    };
  });
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, tables};
}"""


def _one(column, *where) -> int:
    found = db.session.scalar(sa.select(column).where(*where).order_by(column).limit(1))
    assert found is not None, f"the demo has no {column}: add one in this test"
    return found


def _an_information_request() -> InformationRequest:
    """The demo has no inspection under way: a leader opens one and logs a request with evidence attached."""
    leader = db.session.scalar(sa.select(User).where(User.email == "leader@demo.example"))
    open_period(leader, today() if is_working_day(today()) else add_working_days(today(), -1))
    information_request = log_request(
        leader,
        RequestData(
            wording="Minutes of the partnership board's meetings over the last twelve months",
            category=RequestCategory.PARTNERSHIP,
            owner_id=leader.id,
            due_at=datetime.now(timezone.utc) + timedelta(days=3),
        ),
    )
    attach_evidence(leader, information_request, [_one(EvidenceItem.id)])
    return information_request


def _an_event_with_text() -> AuditEvent:
    """An event in an action's history with a text value, which a leader may redact."""
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == Action.__tablename__).order_by(AuditEvent.id)
    )
    return next(
        event for event in events if any(isinstance(value, str) for value in (event.after or {}).values())
    )


def redact_query(ids: dict[str, int]) -> str:
    """The redact page's address names the value too: the event's first text value after it."""
    event = db.session.get(AuditEvent, ids["event_id"])
    field = next(name for name, value in event.after.items() if isinstance(value, str))
    return f"?side=after&field={field}"


def demo_ids() -> dict[str, int]:
    """One id for every kind of record an address names, the ones that belong together chosen together."""
    event = _an_event_with_text()
    action_id = event.entity_id
    reading = db.session.get(MeasureReading, _one(MeasureReading.id))
    comment = db.session.get(SurveyComment, _one(SurveyComment.id))
    survey_id = db.session.get(SurveyGroup, comment.group_id).survey_id
    evidence_file = db.session.get(EvidenceFile, _one(EvidenceFile.id))
    information_request = _an_information_request()
    if db.session.scalar(sa.select(sa.func.count(TeamsChannel.id))) == 0:
        db.session.add(TeamsChannel(name="SEND leaders", webhook_url="https://teams.example.org/hook/abcd"))
        db.session.commit()
    return {
        "action_id": action_id,
        "event_id": event.id,
        "finding_id": _one(Finding.id),
        "inspection_id": _one(Inspection.id),
        "theme_id": _one(Theme.id),
        "measure_id": reading.measure_id,
        "reading_id": reading.id,
        "survey_id": survey_id,
        "comment_id": comment.id,
        "response_id": _one(YouSaidWeDid.id, YouSaidWeDid.survey_id == survey_id),
        "evidence_id": evidence_file.evidence_id,
        "file_id": evidence_file.id,
        "criterion_id": _one(Criterion.id),
        "request_id": information_request.id,
        "period_id": information_request.period_id,
        "channel_id": _one(TeamsChannel.id),
        "user_id": _one(User.id, User.email == "viewer@demo.example"),
    }


def pages(app, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(endpoint, address) of every page a person opens: every GET route outside the API whose address holds
    only record ids (and the redact page's value). Downloads among them are told apart by what they answer."""
    queries = {"plan.redact_history": redact_query(ids)}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.startswith("api."):
                continue
            kinds = {type(rule._converters[name]).__name__ for name in rule.arguments}
            if kinds - {"DatabaseIdConverter"}:
                continue  # a file's format in the address: a download, not a page
            missing = rule.arguments - set(ids)
            assert not missing, f"{rule.rule}: add an id for {sorted(missing)} to demo_ids"
            found.append(
                (
                    rule.endpoint,
                    app.url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
                    + queries.get(rule.endpoint, ""),
                )
            )
    return sorted(found)


def visitor(endpoint: str, people: dict[Role, User]) -> Role | None:
    allowed: Callable[[User], bool] = ROUTE_ACCESS[endpoint]
    return next((role for role, person in people.items() if allowed(person)), None)


def test_no_page_scrolls_sideways_at_320_pixels_and_each_passes_axe(app, demo, browser, live_server):
    ids = demo_ids()
    people = {
        role: db.session.scalar(sa.select(User).where(User.email == email))
        for role, email in VISITORS.items()
    }
    tabs = {}
    for role, email in VISITORS.items():
        context = browser.new_context(base_url=live_server, viewport=NARROW)
        tabs[role] = context.new_page()
        sign_in(tabs[role], email, DEMO_PASSWORD)
    problems, visited = [], []
    for endpoint, url in pages(app, ids):
        role = visitor(endpoint, people)
        if role is None or endpoint in ("auth.sso_start", "auth.sso_callback", "auth.signed_out"):
            continue
        page = tabs[role]
        answer = page.request.get(url, max_redirects=0)
        if "text/html" not in answer.headers.get("content-type", "") or answer.status != 200:
            continue
        page.goto(url)
        visited.append(url)
        seen = page.evaluate(MEASURE)
        if seen["scrollWidth"] != seen["clientWidth"]:
            problems.append(
                f"{url} ({role.value}): scrolls sideways by {seen['scrollWidth'] - seen['clientWidth']} px"
            )
        for table in seen["tables"]:
            region = table["region"]
            if table["wider"] and (region is None or not all(region.values())):
                problems.append(
                    f"{url}: the table {table['caption']!r} is wider than its space, region {region}"
                )
        problems += axe_violations(page)
    for tab in tabs.values():
        tab.context.close()
    # the main lists and a page of each kind of record among them, so that a change to how pages are found
    # cannot leave them out unseen
    for address in (
        "/",
        "/findings",
        "/actions",
        "/actions/mine",
        "/evidence",
        "/evidence/review",
        "/measures",
        "/surveys",
        "/criteria",
        "/self-evaluation",
        "/requests",
        "/admin/users",
        "/admin/audit",
        "/admin/sso",
    ):
        assert address in visited
    for record in (
        f"/actions/{ids['action_id']}",
        f"/findings/{ids['finding_id']}",
        f"/evidence/{ids['evidence_id']}",
        f"/measures/{ids['measure_id']}",
        f"/surveys/{ids['survey_id']}",
        f"/criteria/{ids['criterion_id']}",
        f"/self-evaluation/{ids['criterion_id']}",
        f"/requests/{ids['request_id']}",
    ):
        assert record in visited
    assert f"/surveys/{ids['survey_id']}/comments" in visited
    assert f"/actions/{ids['action_id']}/history/{ids['event_id']}/redact{redact_query(ids)}" in visited
    assert problems == [], "\n".join(problems)


def test_a_wide_table_scrolls_inside_its_region_which_the_keyboard_reaches(demo, browser, live_server):
    """The actions list at 320 pixels: its table is wider than the screen, the page is not; Tab lands on the
    table's region, named for it, and the right arrow key scrolls the table, not the page."""
    context = browser.new_context(base_url=live_server, viewport=NARROW)
    page = context.new_page()
    sign_in(page, "leader@demo.example", DEMO_PASSWORD)
    page.goto("/actions")
    region = page.get_by_role("region", name="Actions")
    expect(region.locator("table")).to_be_visible()
    assert region.evaluate("(region) => region.scrollWidth > region.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") == 320
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "region":
            break
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Actions"
    assert region.evaluate("(region) => region.scrollLeft") == 0
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    assert page.evaluate("window.scrollX") == 0
    assert page.evaluate("document.documentElement.scrollWidth") == 320
    # the focus is drawn: the GOV.UK yellow and black box around the region
    assert "rgb(255, 221, 0)" in region.evaluate("(region) => getComputedStyle(region).boxShadow")
    context.close()


@pytest.mark.parametrize("width", [375, 640])  # a phone; 200% zoom on a screen 1280 pixels wide
def test_the_pages_found_scrolling_sideways_fit_a_phone_and_200_percent_zoom(
    demo, browser, live_server, width
):
    """The pages issue 21 found scrolling sideways at a phone's width, the actions list even at 200% zoom."""
    action_id = db.session.scalar(sa.select(Action.id).order_by(Action.id))
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, "leader@demo.example", DEMO_PASSWORD)
    widths = {}
    for address in (
        "/",
        "/findings",
        "/actions",
        f"/actions/{action_id}",
        "/evidence",
        "/measures",
        "/surveys",
    ):
        page.goto(address)
        widths[address] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert widths == dict.fromkeys(widths, width)
