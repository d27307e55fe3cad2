"""Single sign-on in Chromium against a real OpenID Connect provider (tests/oidc/provider.mjs, the certified
oidc-provider package on a loopback port): the sign-in page's button, the provider's own sign-in page, landing
with the role the administrator gave, signing out and the provider's sign-out offered and working; each page
of ours passes axe-core."""

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from config import TestConfig
from tests import factories
from tests.browser.conftest import axe_violations
from tests.oidc.provider import oidc_provider
from tracker import create_app
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sso_server(app, database_uri):
    """The app served with single sign-on set up for a provider started for its address, CSRF on."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        TRACKER_STORAGE_DIR = app.config["TRACKER_STORAGE_DIR"]
        WTF_CSRF_ENABLED = True
        TRACKER_OIDC_BUTTON_LABEL = "Sign in with Microsoft"

    served = create_app(Config)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    address = f"http://127.0.0.1:{server.server_port}"
    with oidc_provider(tracker_url=address) as provider:
        served.config.update(provider.settings())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield address, provider
        server.shutdown()
        thread.join()
    with served.app_context():
        db.engine.dispose()


@pytest.fixture
def sso_page(browser, sso_server):
    context = browser.new_context(base_url=sso_server[0])
    page = context.new_page()
    yield page
    context.close()


def test_signing_in_through_the_provider_and_out_again(sso_page, sso_server):
    page, provider = sso_page, sso_server[1]
    factories.UserFactory(email="known.person@council.example", name="Kim Officer", role=Role.OFFICER)
    problems = []
    page.goto("/login")
    problems += axe_violations(page)
    page.get_by_role("button", name="Sign in with Microsoft").click()

    page.wait_for_url(lambda url: url.startswith(provider.url))  # the provider's own sign-in page
    page.locator("input[name=login]").fill("known")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()

    page.wait_for_url(lambda url: url.endswith("/actions/mine"))  # an officer's home: the role given here
    expect(page.locator("h1")).to_have_text("My actions")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: url.endswith("/signed-out"))
    expect(page.locator("h1")).to_have_text("You have been signed out")
    problems += axe_violations(page)

    page.get_by_role("button", name="Sign out of your organisation's account too").click()
    page.wait_for_url(lambda url: url.startswith(provider.url + "/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(lambda url: "/login" in url and url.startswith(sso_server[0]))
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto("/actions/mine")  # signed out of the tracker: sent to sign in
    page.wait_for_url(lambda url: "/login" in url)
    assert problems == []


def test_someone_the_tracker_does_not_know_gets_a_clear_page(sso_page, sso_server):
    page, provider = sso_page, sso_server[1]
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Microsoft").click()
    page.wait_for_url(lambda url: url.startswith(provider.url))
    page.locator("input[name=login]").fill("stranger")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(lambda url: "/login/sso/callback" in url)
    expect(page.locator("h1")).to_have_text("You have not been signed in")
    expect(page.locator("#sso-problem")).to_contain_text("Ask your administrator to add you")
    assert axe_violations(page) == []


def test_an_administrator_requires_single_sign_on_for_a_domain_from_the_keyboard(sso_page):
    """The Single sign-on page from the navigation: empty, a bad domain with its error summary, a domain added
    and then removed with the keyboard; the domain's password is refused meanwhile. Then a user's single
    sign-on link, unlinked. Each page passes axe."""
    page = sso_page
    factories.UserFactory(email="it@partner.example", name="Ira Admin", role=Role.ADMIN)
    linked = factories.UserFactory(
        email="pat@nhs.example", role=Role.OFFICER, sso_issuer="https://id.example", sso_subject="pat"
    )
    password_sign_in(page, "it@partner.example")
    page.wait_for_url(lambda url: "/login" not in url)
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.locator("h1")).to_have_text("Single sign-on")
    expect(page.get_by_text("No domain must use single sign-on")).to_be_visible()
    problems = axe_violations(page)

    page.get_by_label("Domain").fill("pat@nhs.example")
    page.get_by_role("button", name="Add domain").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the domain only, the part after the @")
    expect(page.get_by_label("Domain")).to_have_value("pat@nhs.example")
    problems += axe_violations(page)
    summary.get_by_role("link").press("Enter")  # the summary's link takes the focus to the box
    expect(page.get_by_label("Domain")).to_be_focused()

    page.keyboard.press("Control+a")
    page.keyboard.type("@NHS.example")
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("People with an @nhs.example address must now sign in with single sign-on.")
    ).to_be_visible()
    region = page.get_by_role("region", name="Domains that must use single sign-on")
    expect(region.get_by_role("cell", name="@nhs.example", exact=True)).to_be_visible()
    problems += axe_violations(page)

    other = page.context.browser.new_context(base_url=page.url.split("/admin")[0]).new_page()
    password_sign_in(other, "pat@nhs.example")
    expect(other.locator(".govuk-error-summary")).to_contain_text("use the 'Sign in with Microsoft' button")
    other.context.close()

    remove = page.get_by_role("button", name="Remove @nhs.example")
    remove.focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("People with an @nhs.example address may sign in with a password again.")
    ).to_be_visible()
    expect(page.get_by_text("No domain must use single sign-on")).to_be_visible()
    problems += axe_violations(page)

    page.goto(f"/admin/users/{linked.id}")  # the account's single sign-on link, and unlinking it
    expect(page.get_by_text("Linked to their account at https://id.example")).to_be_visible()
    problems += axe_violations(page)
    page.get_by_role("button", name="Unlink single sign-on").click()
    expect(page.get_by_text("account is no longer linked to a single sign-on account")).to_be_visible()
    assert problems == []


def password_sign_in(page, email: str) -> None:
    """The password form (beside the single sign-on button, whose name also begins "Sign in")."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
