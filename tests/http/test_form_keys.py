"""Every form that creates something carries a one-time key: the same post sent twice saves once, and the
second is shown what the first saved (issue 15, point 8)."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.http.test_measures import measure_form
from tests.http.test_plan import action_form
from tests.http.test_surveys import response_form, survey_form, survey_with_groups
from tracker.auth.models import SsoRequiredDomain, User
from tracker.dates import today
from tracker.evidence.models import EvidenceFile, EvidenceItem
from tracker.extensions import db
from tracker.forms import ALREADY_SAVED, FormSubmission
from tracker.measures.models import Measure, MeasureReading
from tracker.models import Role
from tracker.plan.models import Action, Finding, Inspection, ProgressUpdate, Theme
from tracker.surveys.models import Audience, Survey, YouSaidWeDid

KEY = re.compile(r'<input type="hidden" name="form_key" value="([0-9a-f]{32})">')


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


@dataclass
class CreateForm:
    name: str
    model: type
    who: Callable[[], object]  # a Role, or a function making the person
    form: Callable[
        [object], tuple[str, Callable[[], dict]]
    ]  # person -> (url, a function making the post's data)
    settings: tuple[tuple[str, str], ...] = ()  # the app's settings the form needs

    def __str__(self) -> str:
        return self.name


def _officer_with_action():
    return factories.UserFactory(role=Role.OFFICER)


def _update(officer):
    action = factories.ActionFactory(owner=officer, findings=[factories.FindingFactory()])
    return f"/actions/{action.id}/updates/new", lambda: {
        "written_on": day(today()),
        "body": "Forum met on Tuesday.",
        "percent_complete": "40",
        "status": "in_progress",
    }


def _upload(officer):
    finding = factories.FindingFactory()
    return "/evidence/new?kind=document", lambda: {
        "title": "SPOT leaflets",
        "sensitivity": "internal",
        "about_date": day(today()),
        "finding_ids": [str(finding.id)],
        "file": (io.BytesIO(factories.PDF_BYTES), "leaflet.pdf"),
    }


def _note(_officer):
    finding = factories.FindingFactory()
    return "/evidence/new?kind=note", lambda: {
        "title": "Forum minutes",
        "sensitivity": "internal",
        "about_date": day(today()),
        "finding_ids": [str(finding.id)],
        "note": "Parents asked for one leaflet.",
    }


def _version(officer):
    item, _ = factories.document_evidence(uploaded_by=officer)
    return f"/evidence/{item.id}/versions/new", lambda: {
        "file": (io.BytesIO(factories.PDF_BYTES + b"% v2\n"), "v2.pdf")
    }


def _reading(owner):
    measure = factories.MeasureFactory(
        owner=owner, baseline_date=date(2025, 10, 31), target_date=date(2027, 3, 31)
    )
    return f"/measures/{measure.id}/readings/new", lambda: {
        "period_end": day(date(2026, 9, 30)),
        "value": "16",
        "note": "",
    }


def _finding(_leader):
    inspection, theme = factories.InspectionFactory(), factories.ThemeFactory()
    return "/findings/new", lambda: {
        "inspection_id": str(inspection.id),
        "kind": "area_for_improvement",
        "theme_id": str(theme.id),
        "reference": "AFI1",
        "title": "Waiting too long",
        "wording": "Some parents told us they wait too long.",
        "accountable_partner": "council",
    }


def _action(_leader):
    finding, owner = factories.FindingFactory(), factories.UserFactory(role=Role.OFFICER)
    return "/actions/new", lambda: action_form([finding.id], owner)


def _response(_leader):
    survey = survey_with_groups(Audience.PARENTS_CARERS)
    return f"/surveys/{survey.id}/responses/new", lambda: response_form()


def _sso_domain(_admin):
    return "/admin/sso", lambda: {"domain": "nhs.example"}  # a domain no administrator is in


CREATE_FORMS = [
    CreateForm("progress update", ProgressUpdate, _officer_with_action, _update),
    CreateForm("evidence upload", EvidenceItem, _officer_with_action, _upload),
    CreateForm("evidence version", EvidenceFile, _officer_with_action, _version),
    CreateForm("evidence note", EvidenceItem, _officer_with_action, _note),
    CreateForm("measure reading", MeasureReading, _officer_with_action, _reading),
    CreateForm(
        "inspection",
        Inspection,
        lambda: Role.LEADER,
        lambda _leader: (
            "/inspections/new",
            lambda: {
                "title": "Area SEND inspection",
                "local_area": "Coventry",
                "inspectorates": "Ofsted and CQC",
                "type": "full",
            },
        ),
    ),
    CreateForm("finding", Finding, lambda: Role.LEADER, _finding),
    CreateForm(
        "theme",
        Theme,
        lambda: Role.LEADER,
        lambda _leader: ("/themes/new", lambda: {"name": "Waiting times"}),
    ),
    CreateForm("action", Action, lambda: Role.LEADER, _action),
    CreateForm(
        "measure",
        Measure,
        lambda: Role.LEADER,
        lambda _leader: ("/measures/new", lambda: measure_form(factories.UserFactory(role=Role.OFFICER))),
    ),
    CreateForm(
        "survey", Survey, lambda: Role.LEADER, lambda _leader: ("/surveys/new", lambda: survey_form())
    ),
    CreateForm("you said, we did", YouSaidWeDid, lambda: Role.LEADER, _response),
    CreateForm(
        "single sign-on domain",
        SsoRequiredDomain,
        lambda: Role.ADMIN,
        _sso_domain,
        # single sign-on set up (nothing here contacts the provider)
        settings=(("TRACKER_OIDC_CLIENT_ID", "tracker"), ("TRACKER_OIDC_METADATA_URL", "https://id.example")),
    ),
    CreateForm(
        "user",
        User,
        lambda: Role.ADMIN,
        lambda _admin: (
            "/admin/users/new",
            lambda: {
                "name": "Kim Ode",
                "email": "kim.ode@council.example",
                "role": "officer",
                "password": "a-long-passphrase-1",
                "confirm": "a-long-passphrase-1",
            },
        ),
    ),
]


@pytest.mark.parametrize("create", CREATE_FORMS, ids=str)
def test_the_same_create_form_sent_twice_saves_once_and_shows_what_was_saved(
    app, client_as, create, monkeypatch
):
    for key, value in create.settings:
        monkeypatch.setitem(app.config, key, value)
    client = client_as(create.who())
    person = client.user
    url, data = create.form(person)
    page = client.get(url).get_data(as_text=True)
    key = KEY.search(page).group(1)  # drawn into the form, made when the form was drawn
    before = count(create.model)

    first = client.post(url, data={**data(), "form_key": key}, content_type="multipart/form-data")
    assert first.status_code == 302, first.get_data(as_text=True)
    assert count(create.model) == before + 1

    again = client.post(url, data={**data(), "form_key": key}, content_type="multipart/form-data")
    assert again.status_code == 302 and count(create.model) == before + 1
    assert ALREADY_SAVED in client.get(again.headers["Location"]).get_data(as_text=True)
    saved = db.session.scalar(sa.select(FormSubmission))
    assert (saved.key, saved.user_id, saved.entity_type) == (key, person.id, create.model.__tablename__)


def test_each_drawing_of_a_create_form_has_a_new_key(leader_client):
    keys = {KEY.search(leader_client.get("/themes/new").get_data(as_text=True)).group(1) for _ in range(3)}
    assert len(keys) == 3


def test_a_form_drawn_again_after_an_error_keeps_its_key_so_sending_it_again_is_the_same_attempt(
    leader_client,
):
    key = "a" * 32
    page = leader_client.post("/themes/new", data={"name": "", "form_key": key}).get_data(as_text=True)
    assert "Enter" in page and KEY.search(page).group(1) == key
    assert (
        leader_client.post("/themes/new", data={"name": "Waiting times", "form_key": key}).status_code == 302
    )
    assert (
        leader_client.post("/themes/new", data={"name": "Waiting times", "form_key": key}).status_code == 302
    )
    assert count(Theme) == 1


def test_a_key_of_the_wrong_shape_is_no_key_and_never_an_error(leader_client):
    for key in ["", "x" * 32, "A" * 32, "a" * 33, "' OR 1=1 --"]:
        response = leader_client.post(
            "/themes/new", data={"name": f"Theme {len(key)} {key[:1]}", "form_key": key}
        )
        assert response.status_code == 302, key
    assert count(FormSubmission) == 0


def test_another_persons_key_does_not_show_them_what_it_saved(client_as):
    first, second = factories.UserFactory(role=Role.LEADER), factories.UserFactory(role=Role.LEADER)
    key = "b" * 32
    assert (
        client_as(first).post("/themes/new", data={"name": "Waiting times", "form_key": key}).status_code
        == 302
    )
    response = client_as(second).post("/themes/new", data={"name": "Waiting times", "form_key": key})
    assert (
        response.status_code == 200 and count(Theme) == 1
    )  # refused as a theme of that name, as without a key
    assert ALREADY_SAVED not in response.get_data(as_text=True)
