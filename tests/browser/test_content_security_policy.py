"""The Content-Security-Policy blocks nothing the service itself does: its JavaScript-heavy pages run
in Chromium with no violation reported, the inline GOV.UK script runs with its nonce, and the
autocompletes still work. And the policy does block a script an attacker could inject."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tracker.extensions import db
from tracker.measures.models import Measure
from tracker.surveys.models import Survey

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-2026"

# runs before any page script, outside the page's policy: every violation the page reports is kept
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
      `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watched:
    """A page with every CSP violation it reports, as an event or a console message, collected."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.on("console", self._note)
        page.add_init_script(LISTEN)

    def _note(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__csp") + self.console


@pytest.fixture
def watched(page):
    return Watched(page)


def test_javascript_heavy_pages_report_no_violation(demo, watched):
    page, violations = watched.page, watched.violations
    measure_id = db.session.scalar(sa.select(Measure.id).order_by(Measure.id))
    survey_id = db.session.scalar(sa.select(Survey.id))
    sign_in(page, "leader@demo.example", PASSWORD)
    problems = []
    for url in [
        "/",
        "/findings",
        "/actions",
        "/evidence",
        "/evidence/new",
        f"/measures/{measure_id}",
        f"/measures/{measure_id}/readings/new",
        "/measures/new",
        f"/surveys/{survey_id}",
        "/account/password",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        classes = page.locator("body").get_attribute("class")
        assert "js-enabled" in classes and "govuk-frontend-supported" in classes, (
            url
        )  # the nonce'd inline script ran
        problems += [f"{url}: {violation}" for violation in violations()]

    page.goto("/actions/new")  # the autocompletes build their lists as you type
    owner = page.locator("input#owner_id")
    owner.fill("a")
    expect(page.locator(".autocomplete__menu li").first).to_be_visible()
    page.locator(".autocomplete__menu li").first.click()
    page.get_by_label("Find a contributor").fill("e")  # the contributors' search box hides and shows boxes
    expect(page.locator("#contributors-filter-status")).to_contain_text("match")
    problems += [f"/actions/new: {violation}" for violation in violations()]
    assert problems == []


def test_the_policy_blocks_injected_script_and_style(watched):
    """Guards the guard: script and inline style the service did not send do not apply, and are reported."""
    page, violations = watched.page, watched.violations
    page.goto("/login")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.append(script);
    }""")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in violation for violation in violations())
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend", '<p id="x" style="color: red">x</p>');
        }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("getComputedStyle(document.getElementById('x')).color") != "rgb(255, 0, 0)"
    assert any(
        "style-src" in violation for violation in violations()
    )  # inline styles are refused and reported too
