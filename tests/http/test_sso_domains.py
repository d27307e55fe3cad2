"""Administrators keep the email domains that must sign in by single sign-on at /admin/sso: added and removed
there (each recorded in the audit log), shown beside those the server's configuration requires, refused when
they would lock people out. Signing in with such a domain is in tests/http/test_sso.py."""

import pytest
import sqlalchemy as sa

from bench.queries import queries_asked
from tests import factories
from tracker.audit import AuditEvent, verify_data
from tracker.auth.models import SsoRequiredDomain
from tracker.extensions import db
from tracker.models import Role
from tracker.permissions import SSO_SESSION_KEY


@pytest.fixture
def sso_set_up(app, monkeypatch):
    """A provider named in the settings (nothing here contacts it)."""
    monkeypatch.setitem(app.config, "TRACKER_OIDC_CLIENT_ID", "tracker")
    monkeypatch.setitem(
        app.config, "TRACKER_OIDC_METADATA_URL", "https://id.example/.well-known/openid-configuration"
    )
    monkeypatch.setitem(app.config, "TRACKER_OIDC_BUTTON_LABEL", "Sign in with Example ID")


def stored() -> list[str]:
    return list(db.session.scalars(sa.select(SsoRequiredDomain.domain).order_by(SsoRequiredDomain.domain)))


def events(verb: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == verb)))


def test_an_admin_adds_a_domain_which_is_listed_and_audited(admin_client, sso_set_up):
    response = admin_client.post("/admin/sso", data={"domain": "  @NHS.Example "}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "People with an @nhs.example address must now sign in with single sign-on." in page
    assert '<td class="govuk-table__cell">@nhs.example</td>' in page
    assert (
        admin_client.user.name in page and 'Remove<span class="govuk-visually-hidden"> @nhs.example' in page
    )
    assert stored() == ["nhs.example"]
    [event] = events("sso_domain.added")
    assert event.actor_id == admin_client.user.id and event.after == {"domain": "nhs.example"}
    assert event.entity_type == "sso_required_domain"


def test_an_admin_removes_a_domain_and_it_is_audited(admin_client, sso_set_up):
    admin_client.post("/admin/sso", data={"domain": "nhs.example"})
    row = db.session.scalar(sa.select(SsoRequiredDomain))
    response = admin_client.post(f"/admin/sso/{row.id}/remove", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "People with an @nhs.example address may sign in with a password again." in page
    assert "No domain must use single sign-on" in page
    assert stored() == []
    [event] = events("sso_domain.removed")
    assert event.actor_id == admin_client.user.id and event.before == {"domain": "nhs.example"}
    assert admin_client.post(f"/admin/sso/{row.id}/remove").status_code == 404  # gone already


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a domain, like council.gov.uk."),
        ("   ", "Enter a domain, like council.gov.uk."),
        ("pat@nhs.example", "Enter the domain only, the part after the @, like council.gov.uk."),
        ("nhs", "Enter a domain name, like council.gov.uk"),
        ("nhs .example", "Enter a domain name, like council.gov.uk"),
        ("-nhs.example", "Enter a domain name, like council.gov.uk"),
        ("nhs..example", "Enter a domain name, like council.gov.uk"),
        ("https://nhs.example", "Enter a domain name, like council.gov.uk"),
        ("a" * 64 + ".example", "Enter a domain name, like council.gov.uk"),
        ("x." * 130 + "uk", "A domain must be 253 characters or fewer."),
    ],
)
def test_what_is_not_a_domain_is_shown_again_with_its_error(admin_client, sso_set_up, typed, message):
    page = admin_client.post("/admin/sso", data={"domain": typed}).get_data(as_text=True)
    assert "There is a problem" in page and message in page
    if typed.strip():
        assert f'value="{typed}"' in page  # what was typed is kept
    assert stored() == [] and events("sso_domain.added") == []


def test_a_domain_already_required_is_not_added_twice(app, admin_client, sso_set_up, monkeypatch):
    admin_client.post("/admin/sso", data={"domain": "nhs.example"})
    again = admin_client.post("/admin/sso", data={"domain": "NHS.example"}).get_data(as_text=True)
    assert "nhs.example must already use single sign-on." in again and 'value="NHS.example"' in again
    monkeypatch.setitem(app.config, "TRACKER_SSO_REQUIRED_DOMAINS", "health.example")
    configured = admin_client.post("/admin/sso", data={"domain": "health.example"}).get_data(as_text=True)
    assert (
        "health.example must already use single sign-on: the server&#39;s configuration says so."
        in configured
    )
    assert stored() == ["nhs.example"] and len(events("sso_domain.added")) == 1


def test_the_configurations_domains_are_shown_and_cannot_be_removed_here(
    app, admin_client, sso_set_up, monkeypatch
):
    monkeypatch.setitem(app.config, "TRACKER_SSO_REQUIRED_DOMAINS", "health.example, @Forum.example")
    admin_client.post("/admin/sso", data={"domain": "nhs.example"})
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    for domain in ("@forum.example", "@health.example", "@nhs.example"):
        assert f'<td class="govuk-table__cell">{domain}</td>' in page
    assert page.count("The server’s configuration (TRACKER_SSO_REQUIRED_DOMAINS)") == 2
    assert page.count("Only the server’s configuration can remove it") == 2
    assert page.count("Remove<span") == 1  # only the domain added here


def test_without_single_sign_on_set_up_no_domain_can_be_added(admin_client):
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    assert "Single sign-on is not set up on this server" in page
    refused = admin_client.post("/admin/sso", data={"domain": "nhs.example"}).get_data(as_text=True)
    assert "There is a problem" in refused
    assert (
        "Single sign-on is not set up for this service, so nobody can use it: requiring it for nhs.example "
        "would lock those people out." in refused
    )
    assert stored() == []


def test_a_domain_that_would_leave_no_administrator_able_to_sign_in_is_refused(app, admin_client, sso_set_up):
    # the only administrator is at council.example and signed in with a password
    refused = admin_client.post("/admin/sso", data={"domain": "council.example"}).get_data(as_text=True)
    assert (
        "Requiring single sign-on for council.example would leave no administrator able to sign in" in refused
    )
    assert 'value="council.example"' in refused and stored() == []
    # another administrator elsewhere keeps a password, so it may be added
    factories.UserFactory(email="it@partner.example", role=Role.ADMIN)
    added = admin_client.post("/admin/sso", data={"domain": "council.example"})
    assert added.status_code == 302 and stored() == ["council.example"]


def test_an_administrator_signed_in_by_single_sign_on_may_require_it_for_their_own_domain(
    admin_client, sso_set_up
):
    with admin_client.session_transaction() as session:
        session[SSO_SESSION_KEY] = {"id_token": None}  # as tracker/auth/sso_views.py sets it
    added = admin_client.post("/admin/sso", data={"domain": "council.example"})
    assert added.status_code == 302 and stored() == ["council.example"]


def test_only_administrators_see_the_page_and_its_link(client_as, sso_set_up):
    admin = client_as(Role.ADMIN)
    assert 'href="/admin/sso"' in admin.get("/admin/users").get_data(as_text=True)
    assert "aria-current" in admin.get("/admin/sso").get_data(as_text=True).split('href="/admin/sso"')[1][:40]
    admin.post("/admin/sso", data={"domain": "nhs.example"})
    row = db.session.scalar(sa.select(SsoRequiredDomain))
    for role in (Role.LEADER, Role.OFFICER, Role.VIEWER):
        other = client_as(role)
        assert 'href="/admin/sso"' not in other.get("/").get_data(as_text=True)
        assert other.get("/admin/sso").status_code == 403
        assert other.post("/admin/sso", data={"domain": "forum.example"}).status_code == 403
        assert other.post(f"/admin/sso/{row.id}/remove").status_code == 403
    assert stored() == ["nhs.example"]


def test_a_domain_taken_out_of_the_database_directly_is_reported_by_the_audit_check(admin_client, sso_set_up):
    admin_client.post("/admin/sso", data={"domain": "nhs.example"})
    row_id = db.session.scalar(sa.select(SsoRequiredDomain.id))
    assert verify_data().problems == []
    db.session.execute(sa.delete(SsoRequiredDomain))  # not through the page: no event says so
    db.session.commit()
    [problem] = verify_data().problems
    assert (problem.table, problem.row_id) == ("sso_required_domain", row_id)
    assert problem.problem == "removed from the database, not through the service"


def test_the_page_costs_the_same_queries_however_many_domains_and_administrators(admin_client, sso_set_up):
    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            admin = factories.UserFactory(role=Role.ADMIN)
            db.session.add(SsoRequiredDomain(domain=f"partner{number}.example", added_by_id=admin.id))
        db.session.commit()

    def cost() -> int:
        db.session.expunge_all()  # nothing already loaded by the test: the page reads what it shows
        return queries_asked(db.engine, lambda: admin_client.get("/admin/sso"))

    add(1, 0)
    small = cost()
    add(9, 1)
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    assert page.count("Remove<span") == 10
    assert cost() == small
