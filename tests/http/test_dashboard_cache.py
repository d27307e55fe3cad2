"""The dashboard keeps its figures per version of the data: any change, through any service, shows at once."""

import re
from datetime import timedelta

import pytest

from bench.queries import count_queries
from tests import factories
from tracker.dates import today
from tracker.evidence.models import EvidenceKind, Sensitivity
from tracker.evidence.services import EvidenceData, create_evidence, review_evidence
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus
from tracker.plan.services import add_progress_update

TODAY = today()


KEPT = ("tracker_dashboards", "tracker_readiness_today")  # the stores tracker/kept.py fills


@pytest.fixture
def cached(app):
    app.config["TRACKER_CACHE_DASHBOARD"] = True
    for store in KEPT:
        app.extensions.pop(store, None)
    yield
    app.config["TRACKER_CACHE_DASHBOARD"] = False
    for store in KEPT:
        app.extensions.pop(store, None)


def test_a_change_through_a_service_shows_on_the_next_view(cached, client_as):
    leader = factories.UserFactory(role=Role.LEADER)
    action = factories.ActionFactory(
        findings=[factories.FindingFactory()], owner=leader, start_date=TODAY - timedelta(days=90)
    )
    client = client_as(leader)
    assert '>1<span class="govuk-visually-hidden"> stale action in the list' in client.get("/").get_data(
        as_text=True
    )
    assert '>1<span class="govuk-visually-hidden"> stale action in the list' in client.get("/").get_data(
        as_text=True
    )
    add_progress_update(leader, action, TODAY, "The clinic opened this week.", 40, ActionStatus.IN_PROGRESS)
    assert '>0<span class="govuk-visually-hidden"> stale actions in the list' in client.get("/").get_data(
        as_text=True
    )


def test_restricted_evidence_counts_only_for_those_who_may_see_it_even_when_kept(cached, client_as):
    leader, officer = factories.UserFactory(role=Role.LEADER), factories.UserFactory(role=Role.OFFICER)
    finding = factories.FindingFactory()
    create_evidence(
        leader,
        EvidenceData(
            kind=EvidenceKind.NOTE,
            title="A child's case review",
            description="",
            about_date=TODAY,
            sensitivity=Sensitivity.RESTRICTED,
            note="Private",
            finding_ids=[finding.id],
        ),
    )
    seen_by_leader = client_as(leader).get("/").get_data(as_text=True)
    seen_by_officer = client_as(officer).get("/").get_data(as_text=True)
    assert '>1<span class="govuk-visually-hidden"> submitted evidence item<' in seen_by_leader
    assert '>0<span class="govuk-visually-hidden"> submitted evidence items' in seen_by_officer


def test_the_figures_are_worked_out_once_per_version(cached, client_as, app):
    leader = factories.UserFactory(role=Role.LEADER)
    factories.ActionFactory(findings=[factories.FindingFactory()])
    client = client_as(leader)
    client.get("/")
    client.get("/")
    assert len(app.extensions["tracker_dashboards"]) == 1
    client.get("/?partner=council")
    assert len(app.extensions["tracker_dashboards"]) == 2


def test_a_kept_page_answers_without_working_anything_out_and_a_message_is_never_kept(cached, client_as, app):
    leader = factories.UserFactory(role=Role.LEADER)
    factories.ActionFactory(findings=[factories.FindingFactory()])
    client = client_as(leader)
    first = client.get("/")
    with count_queries(db.engine) as queries:
        again = client.get("/")
    assert queries.count <= 2  # who is signed in, and the data's version
    # the kept page is served again with this response's own script nonce, the one its header names
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1) for r in (first, again)
    ]
    assert nonces[0] != nonces[1] and f'nonce="{nonces[1]}"' in again.get_data(as_text=True)
    assert again.get_data(as_text=True).replace(nonces[1], "") == first.get_data(as_text=True).replace(
        nonces[0], ""
    )
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Snapshot taken.")]
    assert "Snapshot taken." in client.get("/").get_data(as_text=True)
    assert "Snapshot taken." not in client.get("/").get_data(as_text=True)


def test_text_on_a_kept_page_can_never_become_the_script_nonce(cached, client_as):
    factories.FindingFactory(title="__csp_nonce__ and {nonce}")  # the old placeholder, and a format field
    client = client_as(factories.UserFactory(role=Role.LEADER))
    client.get("/")
    again = client.get("/")
    page = again.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", again.headers["Content-Security-Policy"]).group(1)
    assert ": __csp_nonce__ and {nonce}</a>" in page  # shown as typed
    assert (
        page.count(nonce) == page.count(f'<script nonce="{nonce}">') == 1
    )  # only on the page's one inline script


def test_the_page_is_kept_for_a_client_that_sends_the_cookie_signing_in_gave_it(cached, client, app):
    """Signing in sets the session's CSRF secret, so the dashboard changes nothing in the cookie: a client
    that replays the cookie it was given at sign-in (a script, a monitor, a browser racing two tabs) is
    served the kept page, not one worked out afresh each time (make bench's throughput caught this)."""
    leader = factories.UserFactory(role=Role.LEADER)
    factories.ActionFactory(findings=[factories.FindingFactory()])
    client.get("/login")
    with client.session_transaction() as session:
        session["csrf_token"] = secret_before_sign_in = "a secret someone saw before sign-in"
    client.post("/login", data={"email": leader.email, "password": factories.PASSWORD})
    signed_in_cookie = client.get_cookie("session").value
    with client.session_transaction() as session:
        assert (
            session["csrf_token"] != secret_before_sign_in
        )  # a token seen before sign-in is no use after it
    first = client.get("/")
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    client.set_cookie("session", signed_in_cookie)
    with count_queries(db.engine) as queries:
        again = client.get("/")
    assert again.status_code == 200 and queries.count <= 2


def test_the_findings_lists_readiness_is_kept_until_evidence_changes_it(cached, client_as, app):
    leader = factories.UserFactory(role=Role.LEADER)
    finding = factories.FindingFactory(reference="AFI4")
    factories.ActionFactory(findings=[finding], owner=leader)
    client = client_as(leader)
    assert "No accepted evidence" in client.get("/findings").get_data(as_text=True)
    with count_queries(db.engine) as kept_view:
        assert "No accepted evidence" in client.get("/findings").get_data(as_text=True)
    assert len(app.extensions["tracker_readiness_today"]) == 1
    item = create_evidence(
        leader,
        EvidenceData(
            kind=EvidenceKind.NOTE,
            title="Minutes",
            description="",
            about_date=TODAY,
            sensitivity=Sensitivity.INTERNAL,
            note="Agreed",
            finding_ids=[finding.id],
        ),
    )
    review_evidence(leader, item, accept=True, comment="")
    assert "No accepted evidence" not in client.get("/findings").get_data(as_text=True)
    with count_queries(db.engine) as afresh:
        app.extensions.pop("tracker_readiness_today")
        client.get("/findings")
    assert len(kept_view.statements) < len(afresh.statements)


def test_signing_in_and_downloading_keep_the_page_and_a_change_of_data_does_not(cached, client_as, app):
    from tracker import audit

    leader = factories.UserFactory(role=Role.LEADER)
    action = factories.ActionFactory(
        findings=[factories.FindingFactory()], owner=leader, start_date=TODAY - timedelta(days=90)
    )
    client = client_as(leader)
    client.get("/")
    version = audit.data_version()
    audit.record(leader, "user.signed_in", leader)  # someone else signing in, as the sign-in form records it
    db.session.commit()
    assert client.post("/exports/actions.csv").status_code == 200  # a download, recorded as export.list_csv
    assert audit.data_version() == version
    client.get("/")
    assert len(app.extensions["tracker_dashboards"]) == 1  # the kept page answered: nothing worked out again
    add_progress_update(leader, action, TODAY, "The clinic opened this week.", 40, ActionStatus.IN_PROGRESS)
    assert audit.data_version() > version
    assert '>0<span class="govuk-visually-hidden"> stale actions in the list' in client.get("/").get_data(
        as_text=True
    )
