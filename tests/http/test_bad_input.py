"""Input that was once answered with a server error, each found by the fuzzer (tests/fuzz) and now
answered with what the person needs: the record saved, or a message saying what is wrong."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.fuzz.html_forms import read_forms
from tracker.dates import today
from tracker.extensions import db
from tracker.measures.models import Direction, Frequency, Measure, MeasureReading
from tracker.measures.services import MeasureData, MeasureError, create_measure
from tracker.models import Role
from tracker.plan.models import (
    Action,
    ActionStatus,
    Finding,
    FindingKind,
    Inspection,
    Partner,
    Priority,
    Theme,
)
from tracker.plan.services import ActionData, FindingData, PlanError, create_action, create_finding
from tracker.surveys.models import Audience, Survey, SurveyComment
from tracker.surveys.services import SurveyData, SurveyError, create_survey

TODAY = today()


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


# A NUL or another control character: PostgreSQL cannot store NUL and refused the whole row ------


def test_a_nul_typed_into_a_form_is_dropped_and_the_rest_is_saved(leader_client):
    response = leader_client.post(
        "/inspections/new",
        data={
            "title": "Area SEND\x00 inspection",
            "local_area": "Coventry\x0b",
            "inspectorates": "Ofsted\x00 and CQC",
            "type": "full",
            "report_summary": "Widespread\x01 failings",
        },
    )
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(Inspection))
    assert (saved.title, saved.local_area, saved.inspectorates, saved.report_summary) == (
        "Area SEND inspection",
        "Coventry",
        "Ofsted and CQC",
        "Widespread failings",
    )


def test_a_nul_in_a_search_in_the_address_is_dropped(viewer_client):
    factories.ActionFactory(title="Publish the leaflets", findings=[factories.FindingFactory()])
    for url in ["/actions?text=leaf%00lets", "/evidence?text=a%00b", "/exports/actions.csv?text=leaf%00lets"]:
        response = viewer_client.open(
            url, method="POST" if url.startswith("/exports/") else "GET"
        )  # a download is a POST
        assert response.status_code == 200, url
    assert "Publish the leaflets" in viewer_client.get("/actions?text=leaf%00lets").get_data(as_text=True)


def test_tab_and_new_lines_are_kept(leader_client):
    leader_client.post("/themes/new", data={"name": "Waiting times", "description": "Line one\r\nLine\ttwo"})
    assert db.session.scalar(sa.select(Theme.description)) == "Line one\r\nLine\ttwo"


def test_bytes_that_are_not_utf8_in_a_raw_post_are_kept_as_the_codes_sent(leader_client):
    response = leader_client.post(
        "/themes/new",
        data=b"name=Wait%ED%A0%80ing&description=%FF",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(sa.select(Theme.name)) == "Wait%ED%A0%80ing"
    )  # Werkzeug leaves them percent-encoded


# The same name twice, with capitals SQLite does not lower: the unique index refused it ----------

NAME = "École Été"  # SQLite's lower() leaves É as it is; Python's makes it é


def test_a_theme_with_accented_capitals_given_twice_is_refused_with_a_message(leader_client):
    assert leader_client.post("/themes/new", data={"name": NAME}).status_code == 302
    again = leader_client.post("/themes/new", data={"name": NAME})
    assert again.status_code == 200 and f"There is already a theme called {NAME}." in again.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 1


def test_the_other_names_that_must_be_unique_refuse_accented_twins_with_a_message():
    leader = factories.UserFactory(role=Role.LEADER)
    finding = factories.FindingFactory(reference=NAME)
    with pytest.raises(PlanError, match=f"already has a finding with the reference {NAME}"):
        create_finding(
            leader,
            FindingData(
                finding.inspection_id,
                finding.theme_id,
                FindingKind.STRENGTH,
                NAME,
                "Title",
                "Wording",
                Partner.COUNCIL,
            ),
        )
    factories.ActionFactory(reference=NAME)
    with pytest.raises(PlanError, match=f"already an action with the reference {NAME}"):
        create_action(
            leader,
            ActionData(
                NAME,
                "Title",
                "",
                "Outcome",
                leader.id,
                Partner.COUNCIL,
                Priority.MEDIUM,
                None,
                date(2027, 3, 31),
                ActionStatus.NOT_STARTED,
                0,
                finding_ids=[finding.id],
            ),
        )
    factories.MeasureFactory(name=NAME)
    with pytest.raises(MeasureError, match=f"already a measure called {NAME}"):
        create_measure(
            leader,
            MeasureData(NAME, "", "weeks", Direction.LOWER_IS_BETTER, Frequency.QUARTERLY, leader.id, 18),
        )
    factories.SurveyFactory(title=NAME)
    with pytest.raises(SurveyError, match=f"already a survey called {NAME}"):
        create_survey(leader, SurveyData(NAME, "SPOT", [Audience.SENCOS]))
    db.session.rollback()
    assert [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Finding, Action, Measure, Survey)
    ] == [1, 1, 1, 1]


def _import_choices(page: str) -> dict:
    """The plan import's mapping page sent as it stands, with "Import these actions" pressed."""
    [form] = [
        form for form in read_forms(page, "/actions/import") if form.action == "/actions/import/confirm"
    ]
    return {**dict(form.defaults()), "submit": "Import these actions"}


def test_importing_a_plan_twice_with_accented_references_leaves_it_unchanged(leader_client):
    factories.FindingFactory(reference="AFI1")
    factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    text = (
        "reference,title,intended_outcome,findings,owner_email,partner,due_date,status,percent_complete\n"
        "ÉA1,Publish leaflets,Parents know where to go,AFI1,priya@council.example,council,2027-03-31,in "
        "progress,20\n"
    )

    def run():
        page = leader_client.post(
            "/actions/import",
            data={"file": (io.BytesIO(text.encode()), "plan.csv")},
            content_type="multipart/form-data",
        ).get_data(as_text=True)
        return leader_client.post(
            "/actions/import/confirm", data=_import_choices(page), follow_redirects=True
        ).get_data(as_text=True)

    assert "1 created" in run()
    assert "0 created, 0 updated, 1 unchanged" in run()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1


# Control characters in an imported file: the forms drop them, so the imports do too --------------


def test_an_imported_plan_keeps_its_text_without_control_characters(leader_client):
    factories.FindingFactory(reference="AFI1")
    factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    text = (
        "reference,title,intended_outcome,findings,owner_email,partner,due_date,status,percent_complete\n"
        "A1,Publish\x01 leaflets\x1b,Parents\x7f know,AFI1,priya@council.example,council,2027-03-31,in "
        "progress,20\n"
    )
    page = leader_client.post(
        "/actions/import",
        data={"file": (io.BytesIO(text.encode()), "plan.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    leader_client.post("/actions/import/confirm", data=_import_choices(page))
    assert db.session.execute(sa.select(Action.title, Action.intended_outcome)).one() == (
        "Publish leaflets",
        "Parents know",
    )


def test_imported_readings_with_a_nul_in_a_note_are_saved_without_it(leader_client):
    measure = factories.MeasureFactory()
    content = "period_end,value,note\n2026-01-31,5,Figures\x00 from the\x01 casework system\n".encode()
    response = leader_client.post(
        f"/measures/{measure.id}/readings/import",
        data={"file": (io.BytesIO(content), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(MeasureReading.note)) == "Figures from the casework system"


def test_imported_survey_comments_with_a_nul_are_saved_without_it(leader_client):
    from tests.http.test_survey_import_pages import FormReader

    survey = factories.SurveyFactory()
    content = (
        "I am a,What would make the service better?\n"
        + "".join(
            f"{'Parent/carer' if n % 2 else 'SENCO'},Shorter\x00 waits for therapy\x01 number {n}\n"
            for n in range(12)
        )
    ).encode("utf-16")
    page = leader_client.post(
        f"/surveys/{survey.id}/import",
        data={"file": (io.BytesIO(content), "replies.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    response = leader_client.post(f"/surveys/{survey.id}/import/confirm", data=FormReader(page).fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    comments = db.session.scalars(sa.select(SurveyComment.text)).all()
    assert len(comments) == 12 and "Shorter waits for therapy number 3" in comments


# A blank first choice in a list of checkboxes: WTForms' Optional skipped the check of every choice ----


@pytest.mark.parametrize("contributors", [[""], ["", "x"], ["", "1 OR 1=1"]])
def test_a_blank_or_made_up_contributor_is_refused_with_a_message(leader_client, contributors):
    action = factories.ActionFactory(findings=[factories.FindingFactory()])
    form = {
        "version": str(action.version),
        "reference": action.reference,
        "title": "Changed",
        "intended_outcome": "Better",
        "finding_ids": str(action.findings[0].id),
        "owner_id": str(action.owner_id),
        "partner": "council",
        "priority": "medium",
        "due_date": _date(action.due_date),
        "status": "in_progress",
        "percent_complete": "10",
        "contributor_ids": contributors,
        "measure_ids": contributors,
    }
    response = leader_client.post(f"/actions/{action.id}/edit", data=form)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and "Choose contributors from the list." in page
        and "Choose measures from the list." in page
    )
    assert db.session.scalar(sa.select(Action.title)) == action.title


@pytest.mark.parametrize(
    "field, message",
    [("finding_ids", "Choose findings from the list."), ("action_ids", "Choose actions from the list.")],
)
def test_evidence_with_a_blank_or_made_up_link_is_refused_with_a_message(officer_client, field, message):
    factories.FindingFactory()
    response = officer_client.post(
        "/evidence/new?kind=note",
        data={
            "title": "Minutes",
            "note": "Agreed.",
            "about_date": _date(TODAY),
            "sensitivity": "internal",
            field: ["", "x"],
        },
    )
    assert response.status_code == 200 and message in response.get_data(as_text=True)


# An edit form sent without its version: WTForms filled the field from the record itself ---------------


def test_a_finding_saved_without_its_version_is_an_edit_conflict_not_an_error(leader_client):
    finding = factories.FindingFactory()
    response = leader_client.post(
        f"/findings/{finding.id}/edit",
        data={
            "inspection_id": str(finding.inspection_id),
            "kind": "strength",
            "theme_id": str(finding.theme_id),
            "reference": finding.reference,
            "title": "Changed",
            "wording": "New words",
            "accountable_partner": "council",
        },
    )
    assert response.status_code == 200 and "since you opened it" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Finding.title)) == finding.title


def test_an_action_saved_without_its_version_is_an_edit_conflict_not_an_overwrite(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()])
    response = leader_client.post(
        f"/actions/{action.id}/edit",
        data={
            "reference": action.reference,
            "title": "Changed",
            "intended_outcome": "Better",
            "finding_ids": str(action.findings[0].id),
            "owner_id": str(action.owner_id),
            "partner": "council",
            "priority": "medium",
            "due_date": _date(action.due_date),
            "status": "in_progress",
            "percent_complete": "10",
        },
    )
    assert response.status_code == 200 and "since you opened it" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Action.title)) == action.title
