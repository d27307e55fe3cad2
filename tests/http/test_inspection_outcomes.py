"""An inspection's outcome over HTTP: the form's radios, summary and plan date, its bad input, who may change
it, the dashboard's timeline (and its kept page refreshed by an edit), the rules page,
and the outcome in the exports."""

import io
import re
from datetime import date

import docx
import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.exports.services import ExportRequest, export_summary
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Inspection, InspectionOutcome, InspectionType

FORM = {
    "title": "Area SEND inspection of Testshire",
    "local_area": "Testshire",
    "inspectorates": "Ofsted and CQC",
    "type": "full",
    "published_on": ["1", "12", "2025"],
}


def _events(verb: str) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)
    ).all()


def test_the_form_offers_the_three_outcomes_as_radios_the_summary_and_the_plans_date(leader_client):
    page = leader_client.get("/inspections/new").get_data(as_text=True)
    radios = re.findall(
        r'<input class="govuk-radios__input" id="[^"]+" name="outcome" type="radio" value="([a-z]*)"', page
    )
    assert radios == ["", "positive", "inconsistent", "systemic"]
    for words in (
        "Not reported yet",
        "Positive experiences and outcomes",
        "Inconsistent experiences and outcomes",
        "Widespread and/or systemic failings",
        "The report&#39;s summary (optional)",
        "Plan due (optional)",
    ):
        assert words in page
    assert (
        'id="plan_due_on-day" name="plan_due_on"' in page
        and 'id="plan_due_on-year" name="plan_due_on"' in page
    )
    assert 'name="report_summary"' in page


def test_a_leader_records_the_outcome_and_the_plans_date_and_both_are_audited(client_as):
    leader = factories.UserFactory(role=Role.LEADER)
    response = client_as(leader).post(
        "/inspections/new",
        data={
            **FORM,
            "outcome": "systemic",
            "report_summary": "Widespread failings in EHC plans.",
            "plan_due_on": ["27", "2", "2026"],
        },
    )
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(Inspection))
    assert (saved.outcome, saved.report_summary, saved.plan_due_on) == (
        InspectionOutcome.SYSTEMIC,
        "Widespread failings in EHC plans.",
        date(2026, 2, 27),
    )
    created = _events("inspection.created")[-1]
    assert (created.actor_id, created.after["outcome"], created.after["plan_due_on"]) == (
        leader.id,
        "systemic",
        "2026-02-27",
    )

    edit = client_as(leader).post(
        f"/inspections/{saved.id}/edit", data={**FORM, "outcome": "inconsistent", "report_summary": ""}
    )
    assert edit.status_code == 302
    updated = _events("inspection.updated")[-1]
    assert updated.before["outcome"] == "systemic" and updated.after == {
        "outcome": "inconsistent",
        "report_summary": "",
        "plan_due_on": None,
    }


def test_the_edit_form_shows_the_saved_outcome_chosen(leader_client):
    inspection = factories.InspectionFactory(
        outcome=InspectionOutcome.INCONSISTENT, plan_due_on=date(2026, 3, 2)
    )
    page = leader_client.get(f"/inspections/{inspection.id}/edit").get_data(as_text=True)
    assert re.search(r'name="outcome" type="radio" value="inconsistent" checked', page)
    assert 'id="plan_due_on-day" name="plan_due_on" type="text" value="02"' in page and 'value="2026"' in page


def test_a_date_that_does_not_exist_is_shown_back_with_the_error_summary_and_nothing_saved(leader_client):
    response = leader_client.post(
        "/inspections/new",
        data={
            **FORM,
            "outcome": "systemic",
            "report_summary": "Kept as typed",
            "plan_due_on": ["31", "2", "2026"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter a real date for the plan, like 27 2 2026." in page and 'href="#plan_due_on' in page
    assert (
        'id="plan_due_on-day" name="plan_due_on" type="text" value="31"' in page and "Kept as typed" in page
    )
    assert re.search(r'value="systemic" checked', page)
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id))) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"plan_due_on": ["30", "11", "2025"], "outcome": "systemic"},
            "The plan&#39;s due date must be on or after the day the report was published.",
        ),
        ({"type": "self_evaluation", "outcome": "positive"}, "A self-evaluation has no inspection outcome"),
        ({"outcome": "excellent"}, "Not a valid choice"),
    ],
)
def test_rules_the_service_checks_are_shown_beside_their_field_and_nothing_is_saved(
    leader_client, extra, message
):
    response = leader_client.post("/inspections/new", data={**FORM, **extra})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page and message in page
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id))) == 0


def test_viewers_and_officers_may_read_the_rules_but_not_change_an_outcome(client_as):
    inspection = factories.InspectionFactory(outcome=InspectionOutcome.POSITIVE)
    for role in (Role.VIEWER, Role.OFFICER):
        client = client_as(role)
        assert client.get(f"/inspections/{inspection.id}/edit").status_code == 403
        assert (
            client.post(
                f"/inspections/{inspection.id}/edit", data={**FORM, "outcome": "systemic"}
            ).status_code
            == 403
        )
        assert client.get("/inspections/cycle").status_code == 200
        assert "Change the outcome" not in client.get("/").get_data(as_text=True)
    db.session.refresh(inspection)
    assert inspection.outcome is InspectionOutcome.POSITIVE


def test_the_inspections_list_names_the_outcome_and_keeps_the_summary(viewer_client):
    factories.InspectionFactory(
        title="Area SEND inspection of Testshire",
        outcome=InspectionOutcome.INCONSISTENT,
        report_summary="Parents find options difficult to navigate.",
    )
    page = viewer_client.get("/inspections").get_data(as_text=True)
    assert (
        "Outcome 2: inconsistent experiences and outcomes" in page
        and "Parents find options difficult to navigate." in page
    )


# The dashboard's timeline -----------------------------------------------------------------------------------


def _timeline(page: str) -> str:
    return page.split('id="inspection-timeline"', 1)[1].split(
        '<h2 class="govuk-heading-l">Readiness of findings', 1
    )[0]


def test_the_dashboard_shows_the_latest_full_inspections_dates_in_order_with_their_rules(leader_client):
    factories.InspectionFactory(
        title="Older inspection", outcome=InspectionOutcome.POSITIVE, published_on=date(2019, 3, 1)
    )
    factories.InspectionFactory(
        title="Self-evaluation", type=InspectionType.SELF_EVALUATION, start_date=date(2027, 1, 1)
    )
    factories.InspectionFactory(
        title="Area SEND inspection of Testshire",
        outcome=InspectionOutcome.SYSTEMIC,
        published_on=date(2025, 12, 1),
        report_summary="Systemic failings in EHC plans.",
    )
    timeline = _timeline(leader_client.get("/").get_data(as_text=True))
    assert (
        "Area SEND inspection of Testshire" in timeline
        and "Outcome 3: widespread and/or systemic failings" in timeline
    )
    assert "Systemic failings in EHC plans." in timeline and "priority action plan (area SEND)" in timeline
    titles = re.findall(r'<h3 class="moj-timeline__title">([^<]+)</h3>', timeline)
    assert titles == [
        "Report published",
        "Priority action plan (area SEND) due",
        "Monitoring inspection",
        "Next full inspection",
    ]
    days = re.findall(r'<time datetime="([0-9-]+)">([^<]+)</time>', timeline)
    assert days == [
        ("2025-12-01", "1 December 2025"),
        ("2026-01-15", "15 January 2026"),
        ("2027-06-01", "About June 2027"),
        ("2028-12-01", "Usually by about December 2028"),
    ]
    assert (
        "30 working days" in timeline
        and "not confirmed" in timeline
        and timeline.count("Source: Ofsted and CQC") == 4
    )
    assert 'href="/inspections/cycle#systemic"' in timeline and "Older inspection" not in timeline


def test_a_date_the_leader_sets_is_shown_as_set_by_them(leader_client):
    inspection = factories.InspectionFactory(
        outcome=InspectionOutcome.INCONSISTENT, published_on=date(2025, 12, 1)
    )
    before = _timeline(leader_client.get("/").get_data(as_text=True))
    assert (
        "Updated strategic plan due" in before
        and "Not set" in before
        and "set the date you have agreed" in before
    )
    inspection.plan_due_on = date(2026, 3, 31)
    db.session.commit()
    after = _timeline(leader_client.get("/").get_data(as_text=True))
    assert '<time datetime="2026-03-31">31 March 2026</time>' in after and "set by you" in after


def test_without_a_full_inspection_or_an_outcome_the_timeline_says_what_to_record(leader_client):
    assert "No full inspection is recorded yet" in _timeline(leader_client.get("/").get_data(as_text=True))
    inspection = factories.InspectionFactory()
    timeline = _timeline(leader_client.get("/").get_data(as_text=True))
    assert "Record the inspection&#39;s outcome and the day its report was published" in timeline
    assert f'href="/inspections/{inspection.id}/edit"' in timeline
    own = factories.InspectionFactory(type=InspectionType.SELF_EVALUATION)
    assert "Only a full inspection" in _timeline(
        leader_client.get(f"/?inspection={own.id}").get_data(as_text=True)
    )


@pytest.fixture
def cached(app):
    app.config["TRACKER_CACHE_DASHBOARD"] = True
    for store in ("tracker_dashboards", "tracker_dashboard_pages", "tracker_readiness_today"):
        app.extensions.pop(store, None)
    yield
    app.config["TRACKER_CACHE_DASHBOARD"] = False
    for store in ("tracker_dashboards", "tracker_dashboard_pages", "tracker_readiness_today"):
        app.extensions.pop(store, None)


def test_an_edit_of_the_inspection_refreshes_the_kept_dashboard(cached, client_as):
    leader = factories.UserFactory(role=Role.LEADER)
    inspection = factories.InspectionFactory(
        title="Area SEND inspection of Testshire", published_on=date(2025, 12, 1)
    )
    client = client_as(leader)
    assert "Record the inspection&#39;s outcome" in client.get("/").get_data(as_text=True)
    assert "Record the inspection&#39;s outcome" in client.get("/").get_data(as_text=True)  # the kept page
    assert (
        client.post(f"/inspections/{inspection.id}/edit", data={**FORM, "outcome": "positive"}).status_code
        == 302
    )
    client.get("/")  # the flashed message is shown once, on a page rendered afresh
    timeline = _timeline(client.get("/").get_data(as_text=True))
    assert (
        "Outcome 1: positive experiences and outcomes" in timeline
        and "Usually by about December 2030" in timeline
    )


# The rules page and the exports -----------------------------------------------------------------------------


def test_the_rules_page_explains_each_outcome_with_an_example_and_the_honest_note(viewer_client):
    page = viewer_client.get("/inspections/cycle").get_data(as_text=True)
    for anchor in ('id="positive"', 'id="inconsistent"', 'id="systemic"', 'id="plan-date"'):
        assert anchor in page
    assert "could not be checked against the live handbook" in page and "15 January 2026" in page
    assert "bank holidays" in page and "About June 2027" in page


def test_the_summary_export_names_the_outcome_beside_the_reports_summary():
    leader = factories.UserFactory(role=Role.LEADER)
    inspection = factories.InspectionFactory(
        title="Area SEND inspection of Testshire",
        outcome=InspectionOutcome.SYSTEMIC,
        report_summary="Widespread failings in EHC plans.",
    )
    factories.FindingFactory(inspection=inspection)
    document = docx.Document(io.BytesIO(export_summary(leader, ExportRequest(today()), "docx").content))
    text = " ".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert (
        "Area SEND inspection of Testshire: Outcome 3: widespread and/or systemic failings. "
        "Widespread failings in EHC plans."
    ) in text
