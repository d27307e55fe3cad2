"""The criteria pages: what is linked to each criterion, its evidence gap, linking and unlinking by leaders
only, archived and duplicate links refused, restricted evidence kept from those who may not see it,
the demo mapped."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.frameworks.loader import SHIPPED, load_framework
from tracker.frameworks.models import Criterion, CriterionLink, LinkKind
from tracker.models import Role, utcnow
from tracker.plan.services import set_archived


@pytest.fixture
def criterion():
    load_framework(SHIPPED.read_bytes())
    return db.session.scalar(sa.select(Criterion).where(Criterion.key == "A3"))


def links() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CriterionLink))


def page(client, criterion) -> str:
    response = client.get(f"/criteria/{criterion.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_leader_links_each_kind_and_unlinks_and_every_change_is_audited(leader_client, criterion):
    finding = factories.FindingFactory(title="Families wait too long")
    records = {
        "finding": finding,
        "action": factories.ActionFactory(title="Cut the OT wait", findings=[finding]),
        "measure": factories.MeasureFactory(name="Average OT wait"),
        "evidence": factories.EvidenceFactory(title="OT waiting list extract"),
        "survey": factories.SurveyFactory(title="Parents' survey 2026"),
    }
    for kind, record in records.items():
        chooser = leader_client.get(f"/criteria/{criterion.id}/links/new?kind={kind}").get_data(as_text=True)
        assert f'<option value="{record.id}">' in chooser
        response = leader_client.post(
            f"/criteria/{criterion.id}/links/new?kind={kind}", data={"target": str(record.id)}
        )
        assert response.status_code == 302
    shown = page(leader_client, criterion)
    for text in (
        "Families wait too long",
        "Cut the OT wait",
        "Average OT wait",
        "OT waiting list extract",
        "Parents&#39; survey 2026",
    ):
        assert text in shown
    assert links() == 5
    listed = leader_client.get("/criteria").get_data(as_text=True)
    assert "A3: The right help at the right time" in listed
    link = db.session.scalar(sa.select(CriterionLink).where(CriterionLink.kind == LinkKind.MEASURE))
    assert leader_client.post(f"/criteria/{criterion.id}/links/{link.id}/remove").status_code == 302
    assert links() == 4 and "Average OT wait" not in page(leader_client, criterion)
    verbs = db.session.scalars(
        sa.select(AuditEvent.verb).where(
            AuditEvent.entity_type == "criterion", AuditEvent.verb.like("criterion.%linked")
        )
    ).all()
    assert verbs.count("criterion.linked") == 5 and verbs.count("criterion.unlinked") == 1


def test_linking_an_archived_record_or_twice_is_refused_and_saves_nothing(leader_client, criterion):
    action = factories.ActionFactory(reference="A7", title="Old action", archived_at=utcnow())
    response = leader_client.post(
        f"/criteria/{criterion.id}/links/new?kind=action", data={"target": str(action.id)}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in text
    assert "Action A7: Old action is archived: restore it before linking it to a criterion." in text
    assert links() == 0
    live = factories.ActionFactory(reference="A8", title="Live action")
    assert (
        leader_client.post(
            f"/criteria/{criterion.id}/links/new?kind=action", data={"target": str(live.id)}
        ).status_code
        == 302
    )
    again = leader_client.post(
        f"/criteria/{criterion.id}/links/new?kind=action", data={"target": str(live.id)}
    )
    assert again.status_code == 200 and "Action A8: Live action is already linked to A3." in again.get_data(
        as_text=True
    )
    assert links() == 1
    nothing = leader_client.post(f"/criteria/{criterion.id}/links/new?kind=action", data={"target": "99999"})
    assert "Choose the action to link." in nothing.get_data(as_text=True) and links() == 1
    wrong_kind = leader_client.get(f"/criteria/{criterion.id}/links/new?kind=child")
    assert wrong_kind.status_code == 200 and "govuk-error-summary" in wrong_kind.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VIEWER, Role.ADMIN])
def test_only_leaders_link_and_unlink(client_as, criterion, role):
    finding = factories.FindingFactory()
    link = CriterionLink(criterion_id=criterion.id, kind=LinkKind.FINDING, finding_id=finding.id)
    db.session.add(link)
    db.session.commit()
    client = client_as(role)
    assert (
        client.post(
            f"/criteria/{criterion.id}/links/new?kind=finding", data={"target": str(finding.id)}
        ).status_code
        == 403
    )
    assert client.post(f"/criteria/{criterion.id}/links/{link.id}/remove").status_code == 403
    assert links() == 1
    if role is not Role.ADMIN:
        shown = page(client, criterion)
        assert finding.title in shown and "Unlink" not in shown and "Link a record" not in shown


def _link(criterion, **target):
    kind = next(iter(target)).removesuffix("_id")
    db.session.add(CriterionLink(criterion_id=criterion.id, kind=LinkKind(kind), **target))
    db.session.commit()


def test_gaps_no_evidence_only_stale_then_current(leader_client, criterion):
    assert "No evidence is linked to this criterion" in page(leader_client, criterion)
    finding = factories.FindingFactory()
    _link(criterion, finding_id=finding.id)
    expired = factories.EvidenceFactory(
        title="Old audit",
        status=EvidenceStatus.ACCEPTED,
        review_by=today() - timedelta(days=1),
        findings=[finding],
    )
    returned = factories.EvidenceFactory(title="Returned extract", status=EvidenceStatus.RETURNED)
    _link(criterion, evidence_id=returned.id)
    shown = page(leader_client, criterion)
    assert "Only stale evidence" in shown and "None of the 2 evidence items" in shown
    listed = leader_client.get("/criteria").get_data(as_text=True)
    assert "Only stale evidence" in listed and "No evidence" in listed  # A3 stale, the others empty
    action = factories.ActionFactory(findings=[finding])
    factories.EvidenceFactory(
        title="New audit",
        status=EvidenceStatus.ACCEPTED,
        review_by=today() + timedelta(days=30),
        actions=[action],
    )
    _link(criterion, action_id=action.id)
    shown = page(leader_client, criterion)
    assert "Current evidence" in shown and "1 of the 3 evidence items" in shown
    assert expired.title not in shown  # evidence of a linked finding is counted, not listed


def test_restricted_evidence_is_not_shown_to_an_officer_who_may_not_see_it(client_as, criterion):
    uploader = factories.UserFactory(role=Role.OFFICER)
    secret = factories.EvidenceFactory(
        title="Case review of Child A",
        sensitivity=Sensitivity.RESTRICTED,
        status=EvidenceStatus.ACCEPTED,
        uploaded_by=uploader,
    )
    _link(criterion, evidence_id=secret.id)
    for who, sees in ((Role.OFFICER, False), (Role.VIEWER, False), (uploader, True), (Role.LEADER, True)):
        shown = page(client_as(who), criterion)
        assert ("Case review of Child A" in shown) is sees
        assert ("Current evidence" in shown) is sees and ("No evidence" in shown) is not sees
        listed = client_as(who).get("/criteria").get_data(as_text=True)
        assert ("1 of 1 current" in listed) is sees


def row_counts(listed: str, key: str) -> dict[str, int]:
    """The criteria list's counts for one criterion: kind's label -> number, as the table shows them."""
    row = re.search(rf'<tr class="govuk-table__row">\s*<td[^>]*><a[^>]*>{key}: .*?</tr>', listed, re.S).group(
        0
    )
    numbers = [int(n) for n in re.findall(r'govuk-table__cell--numeric">(\d+)</td>', row)]
    return dict(zip((kind.label for kind in LinkKind), numbers, strict=True))


def test_the_list_counts_only_the_evidence_links_a_reader_may_see(client_as, criterion):
    leader = client_as(Role.LEADER)
    secret = factories.EvidenceFactory(
        title="Case review of Child B",
        sensitivity=Sensitivity.RESTRICTED,
        status=EvidenceStatus.ACCEPTED,
        uploaded_by=leader.user,
    )
    open_item = factories.EvidenceFactory(title="Waiting list extract", status=EvidenceStatus.ACCEPTED)
    db.session.commit()
    for item in (secret, open_item):
        assert (
            leader.post(
                f"/criteria/{criterion.id}/links/new?kind=evidence", data={"target": str(item.id)}
            ).status_code
            == 302
        )
    assert row_counts(leader.get("/criteria").get_data(as_text=True), "A3")["Evidence"] == 2
    for role in (Role.VIEWER, Role.OFFICER):
        reader = client_as(role)
        assert row_counts(reader.get("/criteria").get_data(as_text=True), "A3")["Evidence"] == 1
        shown = page(reader, criterion)
        assert "Waiting list extract" in shown and "Case review of Child B" not in shown


@pytest.mark.parametrize(
    "linked, archived",
    [("finding", "finding"), ("action", "action"), ("action", "evidence"), ("finding", "action")],
)
def test_an_archived_finding_or_action_and_archived_evidence_count_nothing_for_a_criterion(
    leader_client, criterion, linked, archived
):
    finding = factories.FindingFactory()
    action = factories.ActionFactory(findings=[finding])
    evidence = factories.EvidenceFactory(
        title="Audit of the pathway",
        actions=[action],
        status=EvidenceStatus.ACCEPTED,
        review_by=today() + timedelta(days=30),
    )
    records = {"finding": finding, "action": action, "evidence": evidence}
    _link(criterion, **{f"{linked}_id": records[linked].id})
    assert "Current evidence" in page(leader_client, criterion)
    set_archived(leader_client.user, records[archived], True)
    shown = page(leader_client, criterion)
    assert "Current evidence" not in shown and "No evidence is linked to this criterion" in shown
    row = leader_client.get("/criteria").get_data(as_text=True).split("A3: ", 1)[1].split("</tr>", 1)[0]
    assert "No evidence" in row


def test_the_criteria_list_shows_another_loaded_version(leader_client, criterion):
    later = load_framework(
        (SHIPPED.parents[2] / "tests/data/frameworks/area-send-2027-draft.yaml").read_bytes()
    ).framework
    listed = leader_client.get("/criteria").get_data(as_text=True)
    assert (
        "A1: Needs identified and assessed in a timely way" in listed
        and "I1: Early identification" not in listed
    )
    assert "(version 2027-draft)" in listed  # in the version selector
    other = leader_client.get(f"/criteria?framework={later.id}").get_data(as_text=True)
    assert (
        "I1: Early identification" in other
        and "A1: Needs" not in other
        and "Not the current version" in other
    )


def test_before_any_framework_is_loaded_the_list_says_how_to_load_one(viewer_client):
    assert "flask frameworks load" in viewer_client.get("/criteria").get_data(as_text=True)


def test_the_demo_is_mapped_to_the_criteria(demo, client_as):
    a1 = db.session.scalar(sa.select(Criterion).where(Criterion.key == "A1"))
    leader = page(client_as(Role.LEADER), a1)
    for text in (
        "AFI3: Autism assessment waits of over a year",
        "A6: Reduce the longest wait",
        "Longest wait for an autism assessment",
        "Occupational therapy waiting times, September 2026",
    ):
        assert text in leader
    a2 = db.session.scalar(sa.select(Criterion).where(Criterion.key == "A2"))
    assert "SPOT service survey, May 2026" in page(client_as(Role.VIEWER), a2)
    listed = client_as(Role.VIEWER).get("/criteria").get_data(as_text=True)
    assert "B1: Ambitious leaders" in listed and "No evidence" in listed
