"""Changing an id, in an address or in a form, never reaches someone else's restricted record and never
lets anyone act on an object they may not.

The role-by-route table (test_routes.py) asks each route once with ids the role may use, and
test_evidence_access.py walks the pages that list evidence. Here every route with an id in its path
(read from the app's URL map, so a new route is covered without anyone remembering to) is asked by an
officer who owns nothing and by a viewer, with the ids of someone else's restricted evidence, action,
measure, reading and user record in each place an id goes. Then forms that carry ids in their body are
sent ids their sender may not use.
"""

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.fuzz.html_forms import read_forms
from tracker.api.tokens import make_token
from tracker.audit import AuditEvent
from tracker.auth.models import SsoRequiredDomain, UserSession
from tracker.auth.sessions import hash_key, open_session_record
from tracker.dates import today
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import EvidenceData, Upload, create_evidence
from tracker.extensions import db
from tracker.frameworks.models import CriterionLink, LinkKind
from tracker.information_requests.models import (
    InformationRequest,
    InspectionPeriod,
    RequestCategory,
    RequestEvidence,
)
from tracker.measures.models import MeasureReading
from tracker.models import Role, utcnow
from tracker.plan.models import Action
from tracker.plan.services import create_theme
from tracker.reminders.models import TeamsChannel
from tracker.sef.models import CitedKind, SefCitation, SefVersion
from tracker.surveys.models import YouSaidWeDid

SECRET = "Case review of child M"
SECRET_FILE = "child-m-case-review.pdf"


@pytest.fixture
def world():
    """A restricted document added by one officer, linked to their action,
    finding and a reading of their measure."""
    uploader = factories.UserFactory(role=Role.OFFICER, name="Una Uploader")
    people = {
        "other officer": factories.UserFactory(role=Role.OFFICER),
        "viewer": factories.UserFactory(role=Role.VIEWER),
        "leader": factories.UserFactory(role=Role.LEADER),
        "uploader": uploader,
    }
    finding = factories.FindingFactory(title="Autism waits")
    action = factories.ActionFactory(owner=uploader, findings=[finding])
    measure = factories.MeasureFactory(owner=uploader)
    secret = create_evidence(
        uploader,
        EvidenceData(
            EvidenceKind.DOCUMENT,
            SECRET,
            "About one child.",
            date(2026, 6, 1),
            Sensitivity.RESTRICTED,
            finding_ids=[finding.id],
            action_ids=[action.id],
        ),
        Upload(io.BytesIO(factories.PDF_BYTES), SECRET_FILE),
    )
    reading = factories.ReadingFactory(measure=measure, entered_by=uploader, evidence_id=secret.id)
    internal, _ = factories.document_evidence(
        content=b"%PDF-1.4\n% internal\n",
        uploaded_by=uploader,
        findings=[finding],
        status=EvidenceStatus.RETURNED,
    )
    comment = factories.SurveyCommentFactory()
    response = factories.YouSaidWeDidFactory(survey_id=comment.survey_id)
    create_theme(people["leader"], "Communication", "")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "evidence_item.created"))
    uploaders_session = db.session.scalar(
        sa.select(UserSession).where(
            UserSession.key_hash == hash_key(open_session_record(uploader.id, "Test client"))
        )
    )
    criterion = factories.CriterionFactory()  # with the restricted evidence linked to it
    criterion_link = CriterionLink(criterion_id=criterion.id, kind=LinkKind.EVIDENCE, evidence_id=secret.id)
    db.session.add(criterion_link)
    db.session.flush()
    # a self-evaluation statement citing the restricted evidence, which its page must not show to others
    statement = SefVersion(
        criterion_id=criterion.id, number=1, working_well="Families wait less.", author_id=uploader.id
    )
    db.session.add(statement)
    db.session.flush()
    db.session.add(SefCitation(version_id=statement.id, kind=CitedKind.EVIDENCE, evidence_id=secret.id))
    # an information request naming the child, owned by the uploader, with the restricted evidence attached
    period = InspectionPeriod(notified_on=date(2026, 6, 1), opened_by_id=people["leader"].id)
    db.session.add(period)
    db.session.flush()
    info_request = InformationRequest(
        period_id=period.id,
        number=1,
        wording=SECRET,
        category=RequestCategory.CASE_SAMPLING,
        owner_id=uploader.id,
        due_at=utcnow() + timedelta(days=2),
        names_child=True,
    )
    db.session.add(info_request)
    db.session.flush()
    db.session.add(RequestEvidence(request_id=info_request.id, evidence_id=secret.id))
    channel = TeamsChannel(name="SEND leaders", webhook_url="https://teams.example.org/hook/abcd")
    sso_domain = SsoRequiredDomain(domain="nhs.example")
    db.session.add_all([channel, sso_domain])
    db.session.commit()
    token, _ = make_token(uploader, "Power BI", today() + timedelta(days=30))  # the uploader's API token
    ids = {
        "evidence_id": secret.id,
        "file_id": secret.files[0].id,
        "action_id": action.id,
        "finding_id": finding.id,
        "measure_id": measure.id,
        "reading_id": reading.id,
        "user_id": uploader.id,
        "inspection_id": finding.inspection_id,
        "theme_id": finding.theme_id,
        "survey_id": comment.survey_id,
        "comment_id": comment.id,
        "response_id": response.id,
        "event_id": event.id,
        "session_id": uploaders_session.id,
        "criterion_id": criterion.id,
        "link_id": criterion_link.id,
        "period_id": period.id,
        "request_id": info_request.id,
        "channel_id": channel.id,
        "domain_id": sso_domain.id,
        "token_id": token.id,
    }
    return {
        "people": people,
        "ids": ids,
        "secret": secret,
        "internal": internal,
        "action": action,
        "measure": measure,
        "finding": finding,
        "reading": reading,
    }


# any officer drafts the self-evaluation's statements and imports a survey's replies: an empty form is shown
# again with its errors (an empty confirmation goes back to the upload as expired), nothing saved
OPEN_TO_OFFICERS = re.compile(r"/self-evaluation/[0-9]+/edit|/surveys/[0-9]+/import(/confirm)?")


def _snapshot() -> dict:
    """Every row of every table: what a refused request must leave exactly as it was."""
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(sa.select(table)).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


def _addresses(app, ids: dict) -> list[tuple[str, str, dict]]:
    """(method, address, ids in it) for every route with an id in its path: first with the restricted record's
    own ids, then with each id replaced in turn by the id of the restricted evidence,
    someone else's action and a user."""
    crossed = (ids["evidence_id"], ids["action_id"], ids["user_id"])
    found = []
    for rule in app.url_map.iter_rules():
        converters = {name: type(rule._converters.get(name)).__name__ for name in rule.arguments}
        numbered = [name for name, kind in converters.items() if kind == "DatabaseIdConverter"]
        if not numbered:
            continue
        assert rule.arguments == set(numbered), f"{rule.rule}: teach this test to fill its other arguments"
        assert set(numbered) <= set(ids), (
            f"{rule.rule}: add an id for {sorted(set(numbered) - set(ids))} to the world"
        )
        variants = [{name: ids[name] for name in numbered}]
        variants += [
            {**variants[0], name: other} for name in numbered for other in crossed if other != ids[name]
        ]
        with app.test_request_context():
            urls = {app.url_for(rule.endpoint, **values): values for values in variants}
        found += [
            (method, url, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
            for url, values in urls.items()
        ]
    return found


@pytest.mark.parametrize("who", ["other officer", "viewer"])
def test_no_address_with_someone_elses_id_shows_restricted_evidence_or_changes_anything(
    app, client_as, world, who
):
    client = client_as(world["people"][who])
    addresses = _addresses(app, world["ids"])
    assert len(addresses) > 50
    for method, url, values in addresses:
        before = _snapshot() if method == "POST" else None
        response = client.open(url, method=method, data={})
        body = response.get_data().decode("utf-8", "replace")
        response.close()
        assert SECRET not in body and SECRET_FILE not in body, (
            f"{method} {url} shows the restricted evidence to the {who}"
        )
        if method == "POST" and who == "other officer" and OPEN_TO_OFFICERS.fullmatch(url):
            assert response.status_code in (200, 302) and _snapshot() == before, (
                f"{method} {url} changed the database"
            )
        elif method == "POST":
            assert response.status_code in (403, 404), (
                f"{method} {url} answered {response.status_code} to the {who}"
            )
            assert _snapshot() == before, f"{method} {url} changed the database for the {who}"
        elif values.get("evidence_id") == world["ids"]["evidence_id"] and url.startswith("/evidence/"):
            assert response.status_code in (403, 404), (
                f"{method} {url}: the restricted evidence answered {response.status_code}"
            )
        else:
            assert response.status_code in (200, 403, 404), f"{method} {url} answered {response.status_code}"


@pytest.mark.parametrize("who", ["other officer", "viewer"])
def test_ids_in_the_query_string_do_not_reach_restricted_evidence(client_as, world, who):
    client = client_as(world["people"][who])
    ids, reference = world["ids"], world["action"].reference
    for url in [
        f"/evidence?uploader={ids['user_id']}",
        f"/evidence?finding={ids['finding_id']}",
        f"/evidence?action={reference}",
        f"/evidence?uploader={ids['user_id']}&sensitivity=restricted&status=submitted",
        f"/actions?owner={ids['user_id']}",
        f"/?inspection={ids['inspection_id']}",
        f"/evidence/new?kind=note&finding={ids['finding_id']}&action={ids['action_id']}",
        f"/exports/evidence.csv?uploader={ids['user_id']}&finding={ids['finding_id']}",
        "/exports/findings.csv",
        "/evidence?added_by=Una",
        "/evidence?added_by=Una&sensitivity=restricted",
        "/actions?owner=Una",
        "/exports/evidence.csv?added_by=Una&restricted=0",
        f"/exports/actions.csv?owner={ids['user_id']}",
        "/requests",
        "/requests/mine",
        f"/requests/periods/{ids['period_id']}",
        f"/requests?page={ids['request_id']}",
    ]:
        response = client.open(
            url, method="POST" if url.startswith("/exports/") else "GET"
        )  # a download is a POST
        body = response.get_data().decode("utf-8-sig", "replace")
        assert response.status_code in (200, 403), url
        assert SECRET not in body and SECRET_FILE not in body, url


def test_a_child_record_is_reached_only_through_its_own_parent_even_by_a_leader(client_as, world):
    """A reading, comment, response or file addressed through another measure,
    survey or evidence item is a 404."""
    client = client_as(world["people"]["leader"])
    other_measure = factories.MeasureFactory()
    other_survey = factories.SurveyFactory()
    ids = world["ids"]
    for method, url in [
        ("GET", f"/measures/{other_measure.id}/readings/{ids['reading_id']}/edit"),
        ("POST", f"/measures/{other_measure.id}/readings/{ids['reading_id']}/edit"),
        ("GET", f"/surveys/{other_survey.id}/comments/{ids['comment_id']}"),
        ("POST", f"/surveys/{other_survey.id}/comments/{ids['comment_id']}"),
        ("GET", f"/surveys/{other_survey.id}/responses/{ids['response_id']}/edit"),
        ("POST", f"/surveys/{other_survey.id}/responses/{ids['response_id']}/edit"),
        ("GET", f"/evidence/{world['internal'].id}/files/{ids['file_id']}"),
    ]:
        before = _snapshot()
        response = client.open(
            url,
            method=method,
            data={"value": "1", "reason": "Typo", "you_said": "x", "we_did": "y", "status": "published"},
        )
        response.close()
        assert response.status_code == 404, f"{method} {url}"
        assert _snapshot() == before, f"{method} {url}"


# Ids in the body of a form ------------------------------------------------------------------------


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_evidence_cannot_be_linked_to_archived_or_unknown_findings_and_actions(client_as, world):
    officer = client_as(world["people"]["other officer"])
    archived_finding = factories.FindingFactory(archived_at=utcnow())
    archived_action = factories.ActionFactory(findings=[world["finding"]], archived_at=utcnow())
    form = {
        "title": "Minutes",
        "note": "What we agreed.",
        "about_date": ["1", "6", "2026"],
        "sensitivity": "internal",
    }
    for links in [
        {"finding_ids": str(archived_finding.id)},
        {"action_ids": str(archived_action.id)},
        {"finding_ids": "999999"},
        {"action_ids": "1 OR 1=1"},
        {"finding_ids": "99999999999999999999"},
        {"finding_ids": [str(world["finding"].id), str(archived_finding.id)]},
    ]:
        before = _snapshot()
        response = officer.post("/evidence/new?kind=note", data={**form, **links})
        assert response.status_code == 200 and "There is a problem" in _page(response), links
        assert _snapshot() == before, links


def test_an_uploader_cannot_lift_the_restriction_or_move_their_restricted_item_onto_archived_records(
    client_as, world
):
    uploader = client_as(world["people"]["uploader"])
    secret = world["secret"]
    archived_action = factories.ActionFactory(findings=[world["finding"]], archived_at=utcnow())
    form = {
        "title": SECRET,
        "description": "About one child.",
        "about_date": ["1", "6", "2026"],
        "sensitivity": "restricted",
        "finding_ids": str(world["finding"].id),
    }
    for change in [
        {"sensitivity": "public"},
        {"sensitivity": "internal"},
        {"action_ids": str(archived_action.id)},
    ]:
        before = _snapshot()
        page = _page(uploader.post(f"/evidence/{secret.id}/edit", data={**form, **change}))
        assert "There is a problem" in page, change
        assert _snapshot() == before, change
    assert db.session.get(EvidenceItem, secret.id).sensitivity is Sensitivity.RESTRICTED


def test_a_request_attaches_only_live_evidence_its_sender_may_see(client_as, world):
    officer = world["people"]["other officer"]
    client = client_as(officer)
    period = db.session.get(InspectionPeriod, world["ids"]["period_id"])
    own = InformationRequest(
        period_id=period.id,
        number=2,
        wording="Board minutes",
        category=RequestCategory.PARTNERSHIP,
        owner_id=officer.id,
        due_at=utcnow() + timedelta(days=1),
    )
    db.session.add(own)
    db.session.commit()
    archived = factories.EvidenceFactory(archived_at=utcnow())
    for chosen in [str(world["secret"].id), str(archived.id), "999999", "1 OR 1=1", "99999999999999999999"]:
        before = _snapshot()
        response = client.post(f"/requests/{own.id}/evidence", data={"evidence_ids": chosen})
        assert response.status_code == 200 and "There is a problem" in _page(response), chosen
        assert SECRET not in _page(response), chosen
        assert _snapshot() == before, chosen


def test_a_response_links_only_its_own_surveys_comments_and_live_actions(client_as, world):
    leader = client_as(world["people"]["leader"])
    survey = factories.SurveyFactory()
    elsewhere = factories.SurveyCommentFactory()  # a comment on another survey
    archived = factories.ActionFactory(findings=[world["finding"]], archived_at=utcnow())
    form = {"you_said": "Hard to find", "we_did": "One page", "status": "published"}
    for links in [
        {"comment_ids": str(elsewhere.id)},
        {"action_ids": str(archived.id)},
        {"action_ids": "0"},
        {"comment_ids": "-1"},
    ]:
        before = _snapshot()
        response = leader.post(f"/surveys/{survey.id}/responses/new", data={**form, **links})
        assert response.status_code == 200 and "There is a problem" in _page(response), links
        assert _snapshot() == before, links
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YouSaidWeDid)) == 1  # the world's own


def test_a_comment_is_tagged_only_with_offered_themes_and_findings(client_as, world):
    leader = client_as(world["people"]["leader"])
    ids = world["ids"]
    archived = factories.FindingFactory(archived_at=utcnow())
    for tags in [{"finding_ids": str(archived.id)}, {"theme_ids": "999999"}, {"finding_ids": "x"}]:
        before = _snapshot()
        response = leader.post(f"/surveys/{ids['survey_id']}/comments/{ids['comment_id']}", data=tags)
        assert response.status_code == 200 and "There is a problem" in _page(response), tags
        assert _snapshot() == before, tags


def _action_form(action: Action, **changes) -> dict:
    form = {
        "version": str(action.version),
        "reference": action.reference,
        "title": action.title,
        "intended_outcome": "Better",
        "finding_ids": [str(f.id) for f in action.findings],
        "owner_id": str(action.owner_id),
        "partner": "council",
        "priority": "medium",
        "due_date": ["31", "3", "2027"],
        "status": "in_progress",
        "percent_complete": "10",
    }
    return {**form, **changes}


def test_an_action_links_only_offered_measures_and_contributors(client_as, world):
    leader = client_as(world["people"]["leader"])
    action = world["action"]
    archived_measure = factories.MeasureFactory(archived_at=utcnow())
    inactive = factories.UserFactory(active=False)
    for change in [
        {"measure_ids": str(archived_measure.id)},
        {"contributor_ids": str(inactive.id)},
        {"owner_id": str(inactive.id)},
        {"finding_ids": "424242"},
    ]:
        before = _snapshot()
        response = leader.post(
            f"/actions/{action.id}/edit", data=_action_form(action, title="Changed", **change)
        )
        assert response.status_code == 200 and "There is a problem" in _page(response), change
        assert _snapshot() == before, change


@pytest.mark.parametrize("version", ["0", "2", "abc", "-1", "99999999999", "", "1.0"])
def test_a_version_that_is_not_the_records_own_is_an_edit_conflict_not_a_change(client_as, world, version):
    leader = client_as(world["people"]["leader"])
    action = world["action"]
    other = factories.ActionFactory(findings=[world["finding"]])
    other.title = "Saved again"  # another action, saved twice: its version is 2
    db.session.commit()
    before = _snapshot()
    response = leader.post(
        f"/actions/{action.id}/edit", data=_action_form(action, title="Changed", version=version)
    )
    page = _page(response)
    assert response.status_code == 200 and "since you opened it" in page and "Changed" in page
    assert _snapshot() == before


def test_a_measure_cannot_be_owned_by_a_viewer_or_evidence_archived_findings(client_as, world):
    leader = client_as(world["people"]["leader"])
    archived = factories.FindingFactory(archived_at=utcnow())
    form = {
        "name": "Days to first contact",
        "unit": "days",
        "direction": "lower_is_better",
        "target_value": "5",
        "frequency": "monthly",
        "owner_id": str(world["people"]["uploader"].id),
    }
    for change in [
        {"owner_id": str(world["people"]["viewer"].id)},
        {"owner_id": "999999"},
        {"owner_id": "abc"},
        {"finding_ids": str(archived.id)},
        {"finding_ids": "999999"},
    ]:
        before = _snapshot()
        response = leader.post("/measures/new", data={**form, **change})
        assert response.status_code == 200 and "There is a problem" in _page(response), change
        assert _snapshot() == before, change


def test_a_reading_cannot_point_to_archived_or_unknown_evidence(client_as, world):
    owner = client_as(world["people"]["uploader"])
    archived = factories.EvidenceFactory(uploaded_by=world["people"]["uploader"], archived_at=utcnow())
    for evidence_id in [str(archived.id), "999999", "abc", "-5"]:
        before = _snapshot()
        response = owner.post(
            f"/measures/{world['ids']['measure_id']}/readings/new",
            data={"period_end": ["30", "9", "2026"], "value": "16", "evidence_id": evidence_id},
        )
        assert response.status_code == 200 and "There is a problem" in _page(response), evidence_id
        assert _snapshot() == before, evidence_id


# Imports: the kept file travels as a token in a hidden field -----------------------------------

PLAN = (
    "reference,title,intended_outcome,findings,owner_email,partner,due_date,status,percent_complete\n"
    "A90,Publish leaflets,Parents know where to go,{finding},{owner},council,2027-03-31,in progress,20\n"
)


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]*)"', page).group(1)


def test_an_import_is_confirmed_only_by_the_person_who_previewed_it(client_as, world):
    first, second = client_as(Role.LEADER), client_as(Role.LEADER)
    text = PLAN.format(finding=world["finding"].reference, owner=world["people"]["uploader"].email)
    preview = _page(
        first.post(
            "/actions/import",
            data={"file": (io.BytesIO(text.encode()), "plan.csv")},
            content_type="multipart/form-data",
        )
    )
    token = _token(preview)
    before = _snapshot()
    response = second.post(
        "/actions/import/confirm", data={"token": token, "name": "plan.csv"}, follow_redirects=True
    )
    assert "That import has expired. Upload the file again." in _page(response)
    survey = world["ids"]["survey_id"]
    response = second.post(
        f"/surveys/{survey}/import/confirm", data={"token": token, "name": "plan.csv"}, follow_redirects=True
    )
    assert "That import has expired. Upload the file again." in _page(response)
    assert _snapshot() == before
    [mapping] = [
        form for form in read_forms(preview, "/actions/import") if form.action == "/actions/import/confirm"
    ]
    done = first.post(
        "/actions/import/confirm",
        data={**dict(mapping.defaults()), "submit": "Import these actions"},
        follow_redirects=True,
    )
    assert "Imported plan.csv: 1 created" in _page(done)


@pytest.mark.parametrize("token", ["../../etc/passwd", "a" * 64 + ".csv", "", "x" * 5000, "\u202e.csv"])
def test_a_made_up_import_token_imports_nothing(client_as, world, token):
    leader = client_as(world["people"]["leader"])
    before = _snapshot()
    response = leader.post(
        "/actions/import/confirm", data={"token": token, "name": "../plan.csv"}, follow_redirects=True
    )
    assert response.status_code == 200 and "That import has expired. Upload the file again." in _page(
        response
    )
    assert _snapshot() == before


def test_the_world_is_what_the_tests_above_assume(world):
    assert db.session.scalar(sa.select(MeasureReading.evidence_id)) == world["secret"].id
    assert (
        db.session.scalar(
            sa.select(EvidenceFile.filename).where(EvidenceFile.evidence_id == world["secret"].id)
        )
        == SECRET_FILE
    )
