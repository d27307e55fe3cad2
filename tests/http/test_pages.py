"""The read-only pages show the demo partnership, and restricted evidence stays restricted."""

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import audit
from tracker.auth.models import User
from tracker.evidence.models import Sensitivity
from tracker.extensions import db
from tracker.models import Role
from tracker.surveys.models import Survey


def demo_client(client_as, email):
    return client_as(db.session.scalar(sa.select(User).where(User.email == email)))


def test_findings_show_the_reports_own_words_grouped_by_theme(demo, client_as):
    page = demo_client(client_as, "viewer@demo.example").get("/findings").get_data(as_text=True)
    assert "Communication with families" in page and "Waiting times and access" in page
    assert "difficult to navigate" in page
    assert "one child waited for over a year for an assessment for autism spectrum disorder" in page
    assert "but the waiting time is beginning to reduce" in page
    assert page.index("Waiting times and access") < page.index("Communication with families")


def test_actions_show_owners_due_dates_and_what_is_overdue(demo, client_as):
    page = demo_client(client_as, "officer@demo.example").get("/actions").get_data(as_text=True)
    assert "Publish new SPOT leaflets" in page and "Priya Shah" in page
    assert "Overdue" in page
    assert "originally 30 September 2026" in page  # A6's revised due date keeps the original


def test_survey_page_states_the_published_figures_with_their_bases(demo, client_as):
    survey = db.session.scalar(sa.select(Survey))
    page = demo_client(client_as, "viewer@demo.example").get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Replies by group: 61 in all" in page
    assert "32 of 39 SENCO replies (82%)" in page
    assert "3 of 22 parent and carer replies (14%)" in page
    assert "7 of 22 parent and carer replies (32%)" in page
    assert ">29<" in page  # distinct SENCOs
    assert "The SPOT teams have published a new set of leaflets" in page


def test_measures_show_the_waiting_time_story(demo, client_as):
    page = demo_client(client_as, "leader@demo.example").get("/measures").get_data(as_text=True)
    assert "Longest wait for an autism assessment" in page
    assert "Average wait for occupational therapy" in page
    assert "18 weeks by 31 March 2027" in page


def test_dashboard_counts_by_status(demo, client_as):
    page = demo_client(client_as, "leader@demo.example").get("/").get_data(as_text=True)
    assert "Findings by kind" in page and "Actions by status" in page
    assert "See all 11 actions" in page


RESTRICTED_TITLE = "Case review: a family&#39;s 56-week wait for an autism assessment"


@pytest.mark.parametrize(
    ("email", "sees"),
    [
        ("leader@demo.example", True),
        ("therapies@demo.example", True),  # the uploader
        ("officer@demo.example", False),
        ("viewer@demo.example", False),
    ],
)
def test_restricted_evidence_is_seen_only_by_leaders_and_its_uploader(demo, client_as, email, sees):
    client = demo_client(client_as, email)
    evidence = client.get("/evidence").get_data(as_text=True)
    assert (RESTRICTED_TITLE in evidence) is sees
    dashboard = client.get("/").get_data(as_text=True)
    submitted = 3 if sees else 2  # the dashboard's evidence counts leave it out too
    assert f'href="/evidence?status=submitted">{submitted}<' in dashboard


def test_restricted_evidence_of_another_officer_is_hidden(client_as):
    uploader = factories.UserFactory(role=Role.OFFICER)
    factories.EvidenceFactory(
        title="Child B case notes", sensitivity=Sensitivity.RESTRICTED, uploaded_by=uploader
    )
    assert "Child B case notes" in client_as(uploader).get("/evidence").get_data(as_text=True)
    assert "Child B case notes" not in client_as(Role.OFFICER).get("/evidence").get_data(as_text=True)


def test_pages_are_empty_but_working_before_any_data(viewer_client):
    for url, text in [
        ("/findings", "No findings have been recorded yet."),
        ("/actions", "No actions yet."),
        ("/evidence", "No evidence yet."),
        ("/measures", "No measures yet."),
        ("/surveys", "No surveys yet."),
    ]:
        assert text in viewer_client.get(url).get_data(as_text=True)


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"


def test_an_unexpected_error_shows_the_designed_500_page(app, viewer_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("tracker.plan.action_views.list_actions", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = viewer_client.get("/actions")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page and "boom" not in page


def test_no_crown_and_no_crown_copyright_anywhere(client):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "Crown copyright" not in page and "govuk-footer__crown" not in page
    assert "govuk-logo" not in page and "govuk-header__logotype" not in page and "GDS Transport" not in page
    assert "Accessibility statement" in page


def test_an_id_too_large_for_the_database_is_not_found(viewer_client):
    assert viewer_client.get("/actions/99999999999999999999").status_code == 404
    assert viewer_client.get("/surveys/2147483648").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/?inspection=²",
        "/?theme=²",
        "/?as_at=0001-01-01",
        "/exports/actions.csv?theme=²",
        "/exports/evidence.csv?finding=²",
        "/exports/summary.pdf?inspection=²",
        "/actions?owner=²",
        "/evidence?finding=²",
    ],
)
def test_unusual_digits_and_dates_in_the_address_are_never_a_500(viewer_client, url):
    factories.FindingFactory()
    response = viewer_client.get(url)
    response.close()
    assert response.status_code in (200, 302, 400), url


@pytest.mark.parametrize(
    "query", ["endpoint=x", "_external=1", "_anchor=x", "_method=x", "_scheme=x", "values=x"]
)
@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/actions", Role.LEADER),
        ("/evidence", Role.LEADER),
        ("/evidence/mine", Role.OFFICER),
        ("/admin/audit", Role.ADMIN),
    ],
)
def test_a_query_named_like_url_fors_own_arguments_is_kept_as_data_not_a_500(client_as, url, role, query):
    """Sorting, paging and CSV links carry the page's query on;
    a name url_for keeps for itself stays a query value."""
    someone = factories.UserFactory(role=Role.OFFICER)
    factories.ActionFactory(findings=[factories.FindingFactory()])
    for _ in range(51):  # a second page of the audit log, so it has paging links
        audit.record(None, "user.created", someone)
    db.session.commit()
    response = client_as(role).get(f"{url}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"?{query}" in page  # a sorting, paging or CSV link keeps it, as data
    assert "http://localhost" not in page  # and no link became an absolute address
