"""Evidence through the pages: attach, review, return, resubmit, versions, downloads and restriction."""

import hashlib
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import storage
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role

PDF = factories.PDF_BYTES


def evidence_form(finding, **changes) -> dict:
    form = {
        "title": "SPOT leaflets",
        "description": "",
        "about_day": "",
        "sensitivity": "internal",
        "about_date": [str(today().day), str(today().month), str(today().year)],
        "finding_ids": [str(finding.id)],
    }
    form.update(changes)
    return form


def upload(client, finding, content=PDF, name="leaflet.pdf", **changes):
    data = evidence_form(finding, **changes)
    data["file"] = (io.BytesIO(content), name)
    return client.post(
        "/evidence/new?kind=document", data=data, content_type="multipart/form-data", follow_redirects=True
    )


def stored_files() -> list:
    return (
        sorted(p.name for p in (storage.root() / "files").rglob("*") if p.is_file())
        if (storage.root() / "files").exists()
        else []
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_officer_attaches_a_pdf_and_its_fingerprint_is_recorded(officer_client):
    finding = factories.FindingFactory(reference="AFI1")
    page = upload(officer_client, finding).get_data(as_text=True)
    assert "“SPOT leaflets” added. A leader will review it." in page
    revision = db.session.scalar(sa.select(EvidenceFile))
    assert revision.sha256 == hashlib.sha256(PDF).hexdigest() and revision.size_bytes == len(PDF)
    assert revision.content_type == "application/pdf" and revision.sha256 in page
    assert storage.path_of(revision.storage_key).read_bytes() == PDF
    assert "evidence_item.created" in db.session.scalars(sa.select(AuditEvent.verb)).all()


POLYGLOT = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,
            "report.pdf",
            "The selected file must be a PDF, Word, Excel",
        ),
        (b"", "empty.pdf", "The selected file is empty."),
        # scripts that libmagic reads as plain text, refused by their names;
        # a PDF that is also a web page, by its name
        (b"alert(document.cookie);\n", "leaflet.js", "Scripts, programs and web pages cannot be evidence."),
        (b'MsgBox "Hello"\n', "macro.vbs", "Scripts, programs and web pages cannot be evidence."),
        (b"Get-ChildItem C:\\\n", "tidy.ps1", "Scripts, programs and web pages cannot be evidence."),
        (b"@echo off\r\ndel *.*\r\n", "run.cmd", "Scripts, programs and web pages cannot be evidence."),
        (
            b"Windows Registry Editor Version 5.00\r\n",
            "settings.reg",
            "Scripts, programs and web pages cannot be evidence.",
        ),
        (POLYGLOT, "report.html", "Scripts, programs and web pages cannot be evidence."),
        (b"<html><body>Minutes</body></html>", "minutes.txt", "its name must end as its type does"),
    ],
)
def test_refused_files_leave_nothing_behind(officer_client, content, name, message):
    finding = factories.FindingFactory()
    page = upload(officer_client, finding, content=content, name=name).get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert 'value="SPOT leaflets"' in page  # what was typed is kept
    assert count(EvidenceItem) == 0 and stored_files() == []


def test_an_oversize_file_is_refused_with_a_clear_page(app, officer_client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(officer_client, factories.FindingFactory(), content=PDF + b"0" * 4096)
    assert response.status_code == 413 and "The file is too large" in response.get_data(as_text=True)
    assert count(EvidenceItem) == 0 and stored_files() == []


def test_a_path_traversal_name_is_cleaned(officer_client):
    upload(officer_client, factories.FindingFactory(), name="../../etc/passwd.pdf")
    revision = db.session.scalar(sa.select(EvidenceFile))
    assert "/" not in revision.filename and ".." not in revision.filename


def test_a_database_failure_after_the_file_is_written_removes_the_file(officer_client, monkeypatch):
    finding = factories.FindingFactory()

    def refuse(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("tracker.evidence.services.audit.record", refuse)
    response = upload(officer_client, finding)
    assert response.status_code == 500 and "Sorry, there is a problem with the service" in response.get_data(
        as_text=True
    )
    assert count(EvidenceItem) == 0 and stored_files() == []


def test_uploading_a_file_already_stored_says_where_it_is(officer_client):
    finding = factories.FindingFactory()
    upload(officer_client, finding)
    page = upload(officer_client, finding, title="Same leaflet again").get_data(as_text=True)
    assert "This file is already stored as version 1 of “SPOT leaflets”" in page
    assert count(EvidenceItem) == 1 and len(stored_files()) == 1


def test_a_duplicate_of_restricted_evidence_is_neither_named_nor_hinted_at(client_as):
    secret, _ = factories.document_evidence(title="Child A case file", sensitivity=Sensitivity.RESTRICTED)
    page = upload(client_as(Role.OFFICER), factories.FindingFactory()).get_data(as_text=True)
    assert (
        "added. A leader will review it." in page and "already stored" not in page and "Child A" not in page
    )
    keys = db.session.scalars(sa.select(EvidenceFile.storage_key)).all()
    assert len(keys) == 2 and len(set(keys)) == 1 and len(stored_files()) == 1  # one file, shared


def test_only_a_leader_can_lift_restriction(client_as):
    officer = client_as(Role.OFFICER)
    finding = factories.FindingFactory()
    item = factories.EvidenceFactory(
        uploaded_by=officer.user, findings=[finding], sensitivity=Sensitivity.RESTRICTED
    )
    page = officer.post(
        f"/evidence/{item.id}/edit", data=evidence_form(finding, sensitivity="public", note="x")
    ).get_data(as_text=True)
    assert "Only a leader can make restricted evidence visible to others." in page
    db.session.refresh(item)
    assert item.sensitivity is Sensitivity.RESTRICTED


def test_malformed_links_and_kinds_are_explained_not_errors(officer_client):
    finding = factories.FindingFactory()
    for url in ["http://[::1", "https://x]y/"]:
        page = officer_client.post("/evidence/new?kind=link", data=evidence_form(finding, url=url)).get_data(
            as_text=True
        )
        assert "Enter a link that starts with http:// or https://" in page
    assert officer_client.get("/evidence/new?kind=bogus&finding=1").status_code == 200


def test_a_leader_returns_evidence_the_uploader_resubmits_and_the_leader_accepts(client_as):
    officer, leader = client_as(Role.OFFICER), client_as(Role.LEADER)
    item, _ = factories.document_evidence(
        uploaded_by=officer.user, findings=[factories.FindingFactory()], title="OT waiting figures"
    )
    page = leader.post(f"/evidence/{item.id}/review", data={"decision": "return", "comment": ""}).get_data(
        as_text=True
    )
    assert "Say what the uploader needs to change before you return it." in page
    leader.post(
        f"/evidence/{item.id}/review", data={"decision": "return", "comment": "Add the date of the extract."}
    )
    page = officer.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert "Returned by" in page and "Add the date of the extract." in page and "Resubmit for review" in page
    officer.post(
        f"/evidence/{item.id}/versions/new",
        data={"file": (io.BytesIO(PDF + b"% v2\n"), "figures-v2.pdf")},
        content_type="multipart/form-data",
    )
    db.session.refresh(item)
    assert item.status is EvidenceStatus.SUBMITTED and [f.version for f in item.files] == [1, 2]
    assert "OT waiting figures" in leader.get("/evidence/review").get_data(as_text=True)
    leader.post(f"/evidence/{item.id}/review", data={"decision": "accept", "comment": ""})
    db.session.refresh(item)
    assert item.status is EvidenceStatus.ACCEPTED
    verbs = db.session.scalars(
        sa.select(AuditEvent.verb).where(AuditEvent.entity_type == "evidence_item")
    ).all()
    assert verbs == [
        "evidence_item.returned",
        "evidence_item.version_added",
        "evidence_item.submitted",
        "evidence_item.accepted",
    ]


def test_downloads_are_attachments_with_the_sniffed_type(viewer_client):
    item, revision = factories.document_evidence(
        filename="figures.pdf", findings=[factories.FindingFactory()]
    )
    response = viewer_client.get(f"/evidence/{item.id}/files/{revision.id}")
    body = response.data
    response.close()
    assert body == PDF
    assert (
        response.headers["Content-Disposition"].startswith("attachment")
        and "figures.pdf" in response.headers["Content-Disposition"]
    )
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_expired_evidence_stops_counting_as_current(viewer_client):
    finding = factories.FindingFactory(title="Options are difficult to navigate")
    factories.EvidenceFactory(
        findings=[finding],
        status=EvidenceStatus.ACCEPTED,
        about_date=today() - timedelta(days=400),
        review_by=today() - timedelta(days=1),
    )
    assert "Options are difficult to navigate" in viewer_client.get("/evidence/gaps").get_data(as_text=True)
    factories.EvidenceFactory(findings=[finding], status=EvidenceStatus.ACCEPTED, review_by=today())
    assert "Options are difficult to navigate" not in viewer_client.get("/evidence/gaps").get_data(
        as_text=True
    )


def test_links_must_be_http_or_https(officer_client):
    finding = factories.FindingFactory()
    page = officer_client.post(
        "/evidence/new?kind=link", data=evidence_form(finding, url="javascript:alert(1)")
    ).get_data(as_text=True)
    assert "Enter a link that starts with http:// or https://" in page
    officer_client.post(
        "/evidence/new?kind=link", data=evidence_form(finding, url="https://localoffer.example/page")
    )
    assert db.session.scalar(sa.select(EvidenceItem.url)) == "https://localoffer.example/page"


def test_evidence_filters_and_pages(viewer_client):
    finding = factories.FindingFactory()
    for number in range(30):
        factories.EvidenceFactory(
            title=f"Minutes {number:02d}",
            findings=[finding],
            about_date=date(2026, 1, 1) + timedelta(days=number),
        )
    factories.EvidenceFactory(title="Survey results", findings=[finding], status=EvidenceStatus.ACCEPTED)
    assert "Survey results" in viewer_client.get("/evidence?status=accepted").get_data(as_text=True)
    assert "Minutes 03" not in viewer_client.get("/evidence?status=accepted").get_data(as_text=True)
    assert "Minutes 29" in viewer_client.get("/evidence?text=minutes").get_data(as_text=True)
    assert "Minutes 29" not in viewer_client.get("/evidence?text=min_tes").get_data(
        as_text=True
    )  # not a wildcard
    page = viewer_client.get(
        "/evidence?about_from=1&about_from=1&about_from=2026&about_to=5&about_to=1&about_to=2026"
    ).get_data(as_text=True)
    assert "Minutes 00" in page and "Minutes 04" in page and "Minutes 05" not in page
    assert viewer_client.get("/evidence?page=2&text=minutes").status_code == 200


def test_evidence_is_filtered_by_part_of_the_uploaders_name_or_email(viewer_client):
    finding = factories.FindingFactory()
    priya = factories.UserFactory(name="Priya Shah", email="p.shah@council.example", role=Role.OFFICER)
    factories.EvidenceFactory(title="Panel minutes", findings=[finding], uploaded_by=priya)
    factories.EvidenceFactory(title="Waiting list audit", findings=[finding])
    for typed in ("shah", "PRIYA", "p.shah@"):
        page = viewer_client.get(f"/evidence?added_by={typed}").get_data(as_text=True)
        assert "Panel minutes" in page and "Waiting list audit" not in page, typed
        assert f'value="{typed}"' in page  # what was typed stays in the box
    assert "Panel minutes" not in viewer_client.get("/evidence?added_by=nobody").get_data(as_text=True)


def test_an_officer_changing_accepted_evidence_sends_it_back_for_review(client_as):
    officer = client_as(Role.OFFICER)
    finding = factories.FindingFactory()
    item = factories.EvidenceFactory(
        uploaded_by=officer.user, findings=[finding], status=EvidenceStatus.ACCEPTED, title="Old"
    )
    officer.post(f"/evidence/{item.id}/edit", data=evidence_form(finding, title="New", note="Changed words."))
    db.session.refresh(item)
    assert item.title == "New" and item.status is EvidenceStatus.SUBMITTED


def test_expired_evidence_can_be_listed(viewer_client):
    factories.EvidenceFactory(
        title="Old audit",
        findings=[factories.FindingFactory()],
        about_date=today() - timedelta(days=60),
        review_by=today() - timedelta(days=1),
    )
    factories.EvidenceFactory(title="Fresh audit", findings=[factories.FindingFactory()])
    page = viewer_client.get("/evidence?expired=1").get_data(as_text=True)
    assert "Old audit" in page and "Fresh audit" not in page
