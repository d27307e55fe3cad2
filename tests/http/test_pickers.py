"""The one-of-a-long-list pickers (tracker.forms.Picker) save only an exact choice, on the server: the
action's, measure's and information request's owner, a finding's lead and a reading's evidence. Each is
posted as the plain select posts it (no JavaScript) and as the enhanced autocomplete posts it (the select
and the box's text as `<name>-typed`); anything but an exact choice is the field's error, the text kept,
and nothing saved."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.http.test_measures import measure_form
from tests.http.test_plan import action_form, date_fields
from tests.http.test_requests import make_period, request_form
from tracker.extensions import db
from tracker.information_requests.models import InformationRequest
from tracker.measures.models import Measure, MeasureReading
from tracker.models import Role
from tracker.plan.models import Action, Finding

ACTION_OWNER = "Choose the action&#39;s owner from the list."
MEASURE_OWNER = "Choose the measure&#39;s owner from the list."
EVIDENCE = "Choose evidence from the list, or no evidence."

# (what the person left in the box, what the hidden select held): none of them is an exact choice
NOT_A_CHOICE = {
    "escape after typing a": ("a", "alex"),  # the library had confirmed the first name, Alex Morgan
    "a misspelt name": ("Alx Morgan", "kept"),  # the select kept the owner it had
    "an emptied box": ("", "kept"),
    "a name in another case": ("alex morgan", "alex"),
    "nothing chosen in the plain select": (None, ""),
    "a value the list never offered": (None, "999999"),
    "words that are not a number": (None, "Alex Morgan"),
}


@pytest.fixture
def people():
    return {
        "alex": factories.UserFactory(role=Role.OFFICER, name="Alex Morgan"),
        "kept": factories.UserFactory(role=Role.OFFICER, name="Priya Shah"),
        "sam": factories.UserFactory(role=Role.OFFICER, name="Sam Okafor"),
    }


def posted(people: dict, name: str, typed: str | None, held: str) -> dict:
    value = str(people[held].id) if held in people else held
    return {name: value, **({f"{name}-typed": typed} if typed is not None else {})}


@pytest.mark.parametrize(("typed", "held"), NOT_A_CHOICE.values(), ids=NOT_A_CHOICE.keys())
def test_the_actions_owner_is_only_ever_an_exact_choice(client_as, people, typed, held):
    action = factories.ActionFactory(findings=[factories.FindingFactory()], owner=people["kept"])
    form = action_form([action.findings[0].id], people["kept"], reference=action.reference)
    form.update(version=str(action.version), **posted(people, "owner_id", typed, held))
    response = client_as(Role.LEADER).post(f"/actions/{action.id}/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and f'href="#owner_id">{ACTION_OWNER}</a>' in page
    if typed:
        assert f'data-typed="{typed}"' in page  # the box starts with what was typed, beside the error
    db.session.refresh(action)
    assert action.owner_id == people["kept"].id


def test_an_exact_choice_of_owner_saves_from_the_box_and_from_the_plain_select(client_as, people):
    action = factories.ActionFactory(findings=[factories.FindingFactory()], owner=people["kept"])
    leader = client_as(Role.LEADER)
    for typed, chosen in (("Sam Okafor", "sam"), (None, "alex")):
        db.session.refresh(action)
        form = action_form([action.findings[0].id], people["kept"], reference=action.reference)
        form.update(version=str(action.version), **posted(people, "owner_id", typed, chosen))
        assert leader.post(f"/actions/{action.id}/edit", data=form).status_code == 302
        db.session.refresh(action)
        assert action.owner_id == people[chosen].id


@pytest.mark.parametrize(("typed", "held"), NOT_A_CHOICE.values(), ids=NOT_A_CHOICE.keys())
def test_a_new_action_with_no_exact_owner_is_not_added(client_as, people, typed, held):
    finding = factories.FindingFactory()
    form = {**action_form([finding.id], people["kept"]), **posted(people, "owner_id", typed, held)}
    page = client_as(Role.LEADER).post("/actions/new", data=form).get_data(as_text=True)
    assert ACTION_OWNER in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


@pytest.mark.parametrize(("typed", "held"), NOT_A_CHOICE.values(), ids=NOT_A_CHOICE.keys())
def test_the_measures_owner_is_only_ever_an_exact_choice(client_as, people, typed, held):
    form = {**measure_form(people["kept"]), **posted(people, "owner_id", typed, held)}
    page = client_as(Role.LEADER).post("/measures/new", data=form).get_data(as_text=True)
    # a value the list never offered is the service's to explain (the list may have changed since)
    unoffered = held not in people and held != ""
    expected = "Choose an owner from the list of active leaders and officers." if unoffered else None
    assert (expected or MEASURE_OWNER) in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Measure)) == 0
    accepted = client_as(Role.LEADER).post(
        "/measures/new", data={**form, **posted(people, "owner_id", "Sam Okafor", "sam")}
    )
    assert accepted.status_code == 302
    assert db.session.scalar(sa.select(Measure.owner_id)) == people["sam"].id


@pytest.fixture
def reading_setup():
    owner = factories.UserFactory(role=Role.OFFICER, name="Tom Reeves")
    measure = factories.MeasureFactory(owner=owner)
    report = factories.EvidenceFactory(title="Therapy activity report, Q2", about_date=date(2026, 9, 30))
    other = factories.EvidenceFactory(title="Waiting list extract", about_date=date(2026, 6, 30))
    return owner, measure, report, other


READING_NOT_A_CHOICE = {
    "escape after typing t": ("T", "report"),
    "a misspelt title": ("Therapy activity reprt, Q2 (30 September 2026)", "other"),
    "a value the list never offered": (None, "999999"),
}


@pytest.mark.parametrize(("typed", "held"), READING_NOT_A_CHOICE.values(), ids=READING_NOT_A_CHOICE.keys())
def test_a_readings_evidence_is_an_exact_choice_or_none(client_as, reading_setup, typed, held):
    owner, measure, report, other = reading_setup
    ids = {"report": str(report.id), "other": str(other.id)}
    client = client_as(owner)
    base = {**date_fields("period_end", date(2026, 9, 30)), "value": "16"}
    data = {**base, "evidence_id": ids.get(held, held), **({"evidence_id-typed": typed} if typed else {})}
    page = client.post(f"/measures/{measure.id}/readings/new", data=data).get_data(as_text=True)
    assert EVIDENCE in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureReading)) == 0


def test_a_readings_evidence_saves_an_exact_choice_and_an_emptied_box_is_none(client_as, reading_setup):
    owner, measure, report, other = reading_setup
    client = client_as(owner)
    form_page = client.get(f"/measures/{measure.id}/readings/new").get_data(as_text=True)
    label = "Therapy activity report, Q2 (30 September 2026)"
    assert f">{label}</option>" in form_page
    assert re.search(r'<select[^>]* name="evidence_id"[^>]* data-module="app-autocomplete"', form_page)
    url = f"/measures/{measure.id}/readings/new"
    exact = {
        **date_fields("period_end", date(2026, 9, 30)),
        "value": "16",
        "evidence_id": str(report.id),
        "evidence_id-typed": label,
    }
    assert client.post(url, data=exact).status_code == 302
    emptied = {**exact, **date_fields("period_end", date(2026, 6, 30)), "evidence_id-typed": " "}
    assert client.post(url, data={**emptied, "evidence_id": str(other.id)}).status_code == 302
    saved = db.session.execute(
        sa.select(MeasureReading.period_end, MeasureReading.evidence_id).order_by(MeasureReading.period_end)
    ).all()
    assert saved == [(date(2026, 6, 30), None), (date(2026, 9, 30), report.id)]


def test_hostile_text_in_the_box_is_refused_and_shown_back_as_text(client_as, people):
    finding = factories.FindingFactory()
    typed = '"><script>alert(1)</script>\x00 Alex Morgan'
    form = {**action_form([finding.id], people["kept"]), **posted(people, "owner_id", typed, "alex")}
    response = client_as(Role.LEADER).post("/actions/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ACTION_OWNER in page
    assert "<script>alert(1)" not in page and 'data-typed="&#34;&gt;&lt;script&gt;alert(1)' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


@pytest.mark.parametrize(("typed", "held"), NOT_A_CHOICE.values(), ids=NOT_A_CHOICE.keys())
def test_an_information_requests_owner_is_only_ever_an_exact_choice(client_as, people, typed, held):
    make_period()
    leader = client_as(Role.LEADER)
    form = request_form(people["kept"]) | posted(people, "owner_id", typed, held)
    page = leader.post("/requests/new", data=form).get_data(as_text=True)
    assert "Choose the request&#39;s owner from the list." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InformationRequest)) == 0
    exact = form | posted(people, "owner_id", "Sam Okafor", "sam")
    assert leader.post("/requests/new", data=exact).status_code == 302
    assert db.session.scalar(sa.select(InformationRequest.owner_id)) == people["sam"].id


def finding_form(inspection, theme, reference: str, **lead) -> dict:
    return {
        "inspection_id": str(inspection.id),
        "kind": "area_for_improvement",
        "theme_id": str(theme.id),
        "reference": reference,
        "title": "Options are difficult to navigate",
        "wording": "Some parents told us options were difficult to navigate.",
        "accountable_partner": "council",
        **lead,
    }


def test_a_findings_lead_is_an_exact_choice_or_none(client_as, people):
    inspection, theme = factories.InspectionFactory(), factories.ThemeFactory()
    leader = client_as(Role.LEADER)
    for typed, held in (("a", "alex"), ("Alx Morgan", "kept"), (None, "999999")):
        lead = posted(people, "lead_id", typed, held)
        page = leader.post("/findings/new", data=finding_form(inspection, theme, "AFI1", **lead))
        assert "Choose the lead from the list, or no lead." in page.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0
    chosen = posted(people, "lead_id", "Sam Okafor", "sam")
    emptied = posted(people, "lead_id", "", "kept")  # the box cleared: no lead, whatever the select held
    blank = posted(people, "lead_id", None, "")  # "No lead yet" in the plain select
    for reference, lead in (("AFI1", chosen), ("AFI2", emptied), ("AFI3", blank)):
        response = leader.post("/findings/new", data=finding_form(inspection, theme, reference, **lead))
        assert response.status_code == 302
    query = sa.select(Finding.reference, Finding.lead_id).order_by(Finding.reference)
    leads = db.session.execute(query).all()
    assert leads == [("AFI1", people["sam"].id), ("AFI2", None), ("AFI3", None)]
