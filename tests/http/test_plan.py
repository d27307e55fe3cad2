"""Journeys 1 and 2 through the test client: record, plan, edit, report progress, override, archive."""

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Action, Finding, Inspection, ProgressUpdate


def date_fields(prefix: str, value: date) -> dict:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def action_form(finding_ids, owner, **changes) -> dict:
    form = {
        "reference": "A1",
        "title": "Publish the SEND leaflets",
        "description": "",
        "intended_outcome": "Parents know where to go.",
        "finding_ids": [str(i) for i in finding_ids],
        "owner_id": str(owner.id),
        "partner": "council",
        "priority": "high",
        "status": "in_progress",
        "percent_complete": "20",
        **date_fields("due_date", date(2027, 3, 31)),
    }
    form.update(changes)
    return form


def verbs() -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.verb).order_by(AuditEvent.id)).all()


def test_a_leader_records_an_inspection_two_findings_and_an_action_answering_both(leader_client):
    theme = factories.ThemeFactory(name="Communication with families")
    officer = factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    response = leader_client.post(
        "/inspections/new",
        data={
            "title": "Area SEND inspection, October 2025",
            "local_area": "Coventry",
            "inspectorates": "Ofsted and CQC",
            "type": "full",
            **date_fields("start_date", date(2025, 10, 6)),
            **date_fields("end_date", date(2025, 10, 10)),
        },
    )
    inspection = db.session.scalar(sa.select(Inspection))
    assert response.headers["Location"].endswith(f"/findings/new?inspection={inspection.id}")
    finding_ids = []
    for reference, words in [("AFI1", "options were difficult to navigate"), ("AFI2", "waiting too long")]:
        response = leader_client.post(
            "/findings/new",
            data={
                "inspection_id": str(inspection.id),
                "kind": "area_for_improvement",
                "theme_id": str(theme.id),
                "reference": reference,
                "title": words.capitalize(),
                "wording": f"Some parents told us {words}.",
                "accountable_partner": "council",
            },
        )
        assert response.status_code == 302
        finding_ids.append(db.session.scalar(sa.select(Finding.id).where(Finding.reference == reference)))
    response = leader_client.post(
        "/actions/new", data=action_form(finding_ids, officer), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert (
        "Action A1 added." in page and "AFI1: Options were difficult to navigate" in page and "AFI2" in page
    )
    assert "Priya Shah" in page
    assert verbs() == ["inspection.created", "finding.created", "finding.created", "action.created"]


def test_bad_action_input_is_explained_and_kept(leader_client):
    finding = factories.FindingFactory()
    owner = factories.UserFactory()
    page = leader_client.post("/actions/new", data=action_form([], owner, title="Keep this title")).get_data(
        as_text=True
    )
    assert (
        "Choose at least one finding that this action answers." in page and 'value="Keep this title"' in page
    )
    page = leader_client.post(
        "/actions/new", data=action_form([finding.id], owner, **date_fields("start_date", date(2027, 5, 1)))
    ).get_data(as_text=True)
    assert "The due date must be on or after the start date." in page
    page = leader_client.post(
        "/actions/new", data=action_form([finding.id], owner, due_date=["31", "2", "2027"])
    ).get_data(as_text=True)
    assert "Enter a real due date, like 31 3 2027." in page
    page = leader_client.post(
        "/actions/new", data=action_form([finding.id], owner, percent_complete="140")
    ).get_data(as_text=True)
    assert "Percent complete must be from 0 to 100." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


def test_changing_the_due_date_needs_a_reason_and_keeps_every_date(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()], due_date=date(2026, 9, 30))
    form = action_form(
        [action.findings[0].id],
        action.owner,
        reference=action.reference,
        version=str(action.version),
        **date_fields("due_date", date(2027, 3, 31)),
    )
    page = leader_client.post(f"/actions/{action.id}/edit", data=form).get_data(as_text=True)
    assert "Give a reason for changing the due date." in page
    form["due_date_reason"] = "Recruitment took longer than planned."
    page = leader_client.post(f"/actions/{action.id}/edit", data=form, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Originally due 30 September 2026" in page and "Recruitment took longer than planned." in page
    assert "31 March 2027" in page


def test_two_concurrent_edits_cannot_overwrite_each_other(client_as):
    first, second = client_as(Role.LEADER), client_as(Role.LEADER)
    second.user.name = "Helen Clarke"
    db.session.commit()
    action = factories.ActionFactory(findings=[factories.FindingFactory()], title="Original title")
    opened_version = str(action.version)  # both leaders open the edit page now
    base = action_form(
        [action.findings[0].id], action.owner, reference=action.reference, version=opened_version
    )
    assert (
        second.post(f"/actions/{action.id}/edit", data={**base, "title": "Helen's title"}).status_code == 302
    )
    page = first.post(f"/actions/{action.id}/edit", data={**base, "title": "My title"}).get_data(as_text=True)
    assert "This was changed by Helen Clarke at" in page and "since you opened it" in page
    assert 'value="My title"' in page  # the refused user's input is kept
    assert "The current saved values" in page and "Helen&#39;s title" in page
    db.session.refresh(action)
    assert action.title == "Helen's title"


def test_two_concurrent_finding_edits_cannot_overwrite_each_other(client_as):
    first, second = client_as(Role.LEADER), client_as(Role.LEADER)
    finding = factories.FindingFactory(title="Original")
    form = {
        "inspection_id": str(finding.inspection_id),
        "kind": "area_for_improvement",
        "theme_id": str(finding.theme_id),
        "reference": finding.reference,
        "wording": "Words.",
        "accountable_partner": "council",
        "version": str(finding.version),
    }
    assert second.post(f"/findings/{finding.id}/edit", data={**form, "title": "Theirs"}).status_code == 302
    page = first.post(f"/findings/{finding.id}/edit", data={**form, "title": "Mine"}).get_data(as_text=True)
    assert f"This was changed by {second.user.name}" in page and 'value="Mine"' in page
    db.session.refresh(finding)
    assert finding.title == "Theirs"


def test_an_owner_reports_progress_and_the_timeline_shows_it(client_as):
    owner = factories.UserFactory(role=Role.OFFICER, name="Priya Shah")
    action = factories.ActionFactory(owner=owner, findings=[factories.FindingFactory()], percent_complete=10)
    client = client_as(owner)
    form = {
        **date_fields("written_on", today()),
        "body": "Leaflets drafted and shared with the forum.",
        "percent_complete": "60",
        "status": "in_progress",
        "rag_note": "",
    }
    page = client.post(f"/actions/{action.id}/updates/new", data=form, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Update added to" in page and "Leaflets drafted and shared with the forum." in page
    assert "60% complete, in progress" in page and "by Priya Shah" in page
    db.session.refresh(action)
    assert action.percent_complete == 60
    future = {**form, **date_fields("written_on", today() + timedelta(days=2))}
    assert "The date of the update cannot be in the future." in client.post(
        f"/actions/{action.id}/updates/new", data=future
    ).get_data(as_text=True)
    complete = {**form, "status": "complete", "percent_complete": "90"}
    assert "A complete action is 100% complete" in client.post(
        f"/actions/{action.id}/updates/new", data=complete
    ).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 1


def test_a_leader_overrides_the_rag_only_with_a_reason_shown_beside_it(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()])
    page = leader_client.post(f"/actions/{action.id}/rag", data={"rag": "green", "reason": ""}).get_data(
        as_text=True
    )
    assert "Give a reason for overriding the RAG status." in page
    page = leader_client.post(
        f"/actions/{action.id}/rag",
        data={"rag": "green", "reason": "Funding agreed at the board."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Green. Set by a leader: Funding agreed at the board. Computed as " in page
    page = leader_client.post(
        f"/actions/{action.id}/rag", data={"rag": "", "reason": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Set by a leader" not in page


def test_archived_actions_are_hidden_unless_asked_for(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()], title="Old action")
    leader_client.post(f"/actions/{action.id}/archive", data={"archive": "1"})
    assert "Old action" not in leader_client.get("/actions").get_data(as_text=True)
    assert "Old action" in leader_client.get("/actions?archived=1").get_data(as_text=True)
    leader_client.post(f"/actions/{action.id}/archive", data={"archive": "0"})
    assert "Old action" in leader_client.get("/actions").get_data(as_text=True)
    assert verbs()[-2:] == ["action.archived", "action.restored"]


def test_the_history_shows_who_changed_which_field_from_what_to_what(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()], title="Before")
    form = action_form(
        [action.findings[0].id],
        action.owner,
        reference=action.reference,
        version=str(action.version),
        title="After",
    )
    leader_client.post(f"/actions/{action.id}/edit", data=form)
    page = leader_client.get(f"/actions/{action.id}/history").get_data(as_text=True)
    assert leader_client.user.email in page
    assert '<td class="govuk-table__cell">Title</td>' in page
    assert ">Before<" in page and ">After<" in page


def test_themes_are_editable_and_unique(leader_client):
    leader_client.post("/themes/new", data={"name": "Transitions to adulthood", "description": ""})
    page = leader_client.post(
        "/themes/new", data={"name": "transitions to adulthood", "description": ""}
    ).get_data(as_text=True)
    assert "There is already a theme called transitions to adulthood." in page
    assert "Transitions to adulthood" in leader_client.get("/themes").get_data(as_text=True)


def test_findings_list_counts_actions_overdue_and_evidence(leader_client):
    finding = factories.FindingFactory()
    factories.ActionFactory(findings=[finding], due_date=today() - timedelta(days=1))
    factories.ActionFactory(findings=[finding], due_date=today() + timedelta(days=30))
    factories.EvidenceFactory(findings=[finding])
    page = leader_client.get("/findings").get_data(as_text=True).replace("\n", "")
    assert f'>2<span class="govuk-visually-hidden"> actions for {finding.reference}' in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page


def test_a_findings_readiness_and_why_show_on_its_page_and_in_the_list(leader_client):
    finding = factories.FindingFactory(title="Families wait too long")
    factories.ActionFactory(findings=[finding], due_date=today() - timedelta(days=1))
    for url in ["/findings", f"/findings/{finding.id}"]:
        page = leader_client.get(url).get_data(as_text=True)
        assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page, url
        assert "1 action overdue; no accepted evidence" in page, url
    old = factories.FindingFactory(title="An archived finding")
    leader_client.post(f"/findings/{old.id}/archive", data={"archive": "1"})
    archived = leader_client.get("/findings?archived=1").get_data(as_text=True)
    assert (
        "An archived finding" in archived
        and '<th scope="col" class="govuk-table__header">Readiness</th>' not in archived
    )
    assert "Not worked out for an archived finding" in leader_client.get(f"/findings/{old.id}").get_data(
        as_text=True
    )


def test_evidence_accepted_on_an_action_counts_on_its_findings_pages(leader_client):
    finding = factories.FindingFactory(reference="AFI2")
    action = factories.ActionFactory(findings=[finding], due_date=today() + timedelta(days=90))
    factories.EvidenceFactory(
        actions=[action], title="Clinic waiting list minutes", status=EvidenceStatus.ACCEPTED
    )
    page = leader_client.get(f"/findings/{finding.id}").get_data(as_text=True)
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in page
    assert "1 action on track; 1 item of current accepted evidence" in page
    assert "Evidence for this finding and its actions" in page and "Clinic waiting list minutes" in page
    listed = leader_client.get("/findings").get_data(as_text=True).replace("\n", "")
    assert "1 item of current accepted evidence" in listed
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in listed  # its evidence count
    assert "Clinic waiting list minutes" in leader_client.get(f"/evidence?finding={finding.id}").get_data(
        as_text=True
    )


def test_a_stale_form_cannot_undo_a_change_of_links(client_as):
    first, second = client_as(Role.LEADER), client_as(Role.LEADER)
    helper = factories.UserFactory(name="Tom Reeves")
    action = factories.ActionFactory(findings=[factories.FindingFactory()])
    base = action_form(
        [action.findings[0].id],
        action.owner,
        reference=action.reference,
        title=action.title,
        version=str(action.version),
    )
    assert (
        second.post(
            f"/actions/{action.id}/edit", data={**base, "contributor_ids": [str(helper.id)]}
        ).status_code
        == 302
    )
    page = first.post(f"/actions/{action.id}/edit", data=base).get_data(as_text=True)
    assert "since you opened it" in page
    db.session.refresh(action)
    assert [person.name for person in action.contributors] == ["Tom Reeves"]


def test_an_unreadable_version_is_treated_as_out_of_date(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()])
    form = action_form([action.findings[0].id], action.owner, reference=action.reference, version="abc")
    page = leader_client.post(f"/actions/{action.id}/edit", data=form).get_data(as_text=True)
    assert "since you opened it" in page


def test_editing_keeps_links_to_archived_findings(leader_client):
    live, old = factories.FindingFactory(reference="AFI1"), factories.FindingFactory(reference="AFI9")
    action = factories.ActionFactory(findings=[live, old])
    leader_client.post(f"/findings/{old.id}/archive")
    page = leader_client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    assert "AFI9" in page
    form = action_form(
        [live.id, old.id], action.owner, reference=action.reference, version=str(action.version)
    )
    assert leader_client.post(f"/actions/{action.id}/edit", data=form).status_code == 302
    db.session.refresh(action)
    assert sorted(f.reference for f in action.findings) == ["AFI1", "AFI9"]


def test_archiving_twice_leaves_it_archived(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()], title="Old action")
    leader_client.post(f"/actions/{action.id}/archive", data={"archive": "1"})
    leader_client.post(f"/actions/{action.id}/archive", data={"archive": "1"})
    assert "Old action" not in leader_client.get("/actions").get_data(as_text=True)


def test_names_of_only_spaces_are_refused(leader_client):
    page = leader_client.post("/themes/new", data={"name": "   ", "description": ""}).get_data(as_text=True)
    assert "Enter the theme&#39;s name." in page or "Enter the theme's name." in page
    assert "Transitions" not in leader_client.get("/themes").get_data(as_text=True)


def test_reserved_query_names_do_not_break_sorting_links(viewer_client):
    factories.ActionFactory(findings=[factories.FindingFactory()])
    assert viewer_client.get("/actions?_anchor=x&_method=y&_scheme=z").status_code == 200
