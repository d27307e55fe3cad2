"""Restricted evidence is seen by leaders and its uploader only:
on every page and download that could show it."""

import pytest

from tests import factories
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.models import Role

SECRET = "Child A case review"


@pytest.fixture
def restricted(client_as):
    uploader = factories.UserFactory(role=Role.OFFICER)
    finding = factories.FindingFactory(title="Autism waits")
    action = factories.ActionFactory(findings=[finding], owner=uploader)
    item, revision = factories.document_evidence(
        title=SECRET,
        sensitivity=Sensitivity.RESTRICTED,
        uploaded_by=uploader,
        findings=[finding],
        actions=[action],
        status=EvidenceStatus.ACCEPTED,
    )
    return {"uploader": uploader, "finding": finding, "action": action, "item": item, "file": revision}


def pages(r) -> list[str]:
    return [
        "/evidence",
        "/evidence?sensitivity=restricted",
        "/evidence?text=child",
        "/evidence/mine",
        "/evidence/review",
        "/evidence/gaps",
        "/findings",
        f"/findings/{r['finding'].id}",
        f"/actions/{r['action'].id}",
        "/",
    ]


@pytest.mark.parametrize("who", [Role.VIEWER, Role.OFFICER])
def test_others_never_see_restricted_evidence(client_as, restricted, who):
    client = client_as(who)
    for url in pages(restricted):
        response = client.get(url)
        assert SECRET not in response.get_data(as_text=True), url
    item, revision = restricted["item"], restricted["file"]
    for url in [
        f"/evidence/{item.id}",
        f"/evidence/{item.id}/files/{revision.id}",
        f"/evidence/{item.id}/edit",
        f"/evidence/{item.id}/versions/new",
    ]:
        response = client.get(url)
        assert response.status_code in (403, 404) and SECRET not in response.get_data(as_text=True), url
        response.close()
    for url in [
        f"/evidence/{item.id}/archive",
        f"/evidence/{item.id}/resubmit",
        f"/evidence/{item.id}/review",
    ]:
        assert client.post(url).status_code in (403, 404), url


def test_others_see_the_finding_as_lacking_evidence_and_a_count_without_it(client_as, restricted):
    viewer = client_as(Role.VIEWER).get("/evidence/gaps").get_data(as_text=True)
    leader = client_as(Role.LEADER).get("/evidence/gaps").get_data(as_text=True)
    assert "Autism waits" in viewer and "Autism waits" not in leader


@pytest.mark.parametrize("who", ["leader", "uploader"])
def test_leaders_and_the_uploader_see_it_everywhere(client_as, restricted, who):
    client = client_as(Role.LEADER if who == "leader" else restricted["uploader"])
    item, revision = restricted["item"], restricted["file"]
    for url in [
        "/evidence",
        f"/findings/{restricted['finding'].id}",
        f"/actions/{restricted['action'].id}",
        f"/evidence/{item.id}",
    ]:
        assert SECRET in client.get(url).get_data(as_text=True), url
    response = client.get(f"/evidence/{item.id}/files/{revision.id}")
    assert response.status_code == 200
    response.close()
