"""The self-evaluation's rules: versions and their sign-off history, citations refused when archived or not
visible, flags for returned, archived and past-review evidence (today and as at an earlier date), and the
exports as at a date (a real reader: python-docx for Word, pypdf for the PDF's tags)."""

import io
from datetime import datetime, timedelta, timezone

import docx
import pypdf
import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.exports.sef import export_sef
from tracker.exports.services import SYSTEM, ExportError, RestrictedRefused
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.services import set_archived
from tracker.sef.models import CitedKind, SefSignOff, SefVersion
from tracker.sef.services import (
    DRAFT,
    NOT_STARTED,
    SIGNED_OFF,
    SefConflict,
    SefError,
    StatementText,
    save_draft,
    sef_at,
    sign_off,
    statement,
)


@pytest.fixture
def world():
    leader = factories.UserFactory(role=Role.LEADER, name="Lena Leader")
    officer = factories.UserFactory(role=Role.OFFICER, name="Omar Officer")
    criterion = factories.CriterionFactory(key="A3", title="The right help at the right time")
    other = factories.CriterionFactory(
        area=criterion.area, framework=criterion.framework, key="A4", title="Next steps"
    )
    accepted = factories.EvidenceFactory(title="Autism pathway audit", status=EvidenceStatus.ACCEPTED)
    db.session.commit()
    return leader, officer, criterion, other, accepted


def text(words="Families wait less.", evidence=(), measures=(), surveys=()):
    return StatementText(
        words,
        "Waits in the east.",
        "A new triage.",
        {
            CitedKind.EVIDENCE: list(evidence),
            CitedKind.MEASURE: list(measures),
            CitedKind.SURVEY: list(surveys),
        },
    )


def backdate(days: int, *rows):
    when = datetime.now(timezone.utc) - timedelta(days=days)
    for row in rows:
        if isinstance(row, SefSignOff):
            row.signed_at = when
        else:
            row.created_at = when
    db.session.commit()


def test_each_save_is_a_new_version_and_a_sign_off_is_kept_on_its_version(world):
    leader, officer, criterion, _, accepted = world
    first = save_draft(officer, criterion, 0, text("First words.", [accepted.id]))
    assert sef_at(leader).entries[0].status == DRAFT
    sign_off(leader, criterion, 1)
    assert sef_at(leader).entries[0].status == SIGNED_OFF
    second = save_draft(officer, criterion, 1, text("Second words."))
    entry = sef_at(leader).entries[0]
    assert (entry.status, entry.version.number, entry.last_signed.version_id) == (DRAFT, 2, first.id)
    page = statement(leader, criterion)
    assert [v.number for v in page.versions] == [2, 1]
    assert page.versions[1].sign_off.signed_by.name == "Lena Leader" and page.versions[0].sign_off is None
    assert [c.label for c in page.last_signed_cited] == ["Autism pathway audit"]
    assert (
        db.session.get(SefVersion, first.id).working_well == "First words."
    )  # the signed-off version is unchanged
    assert second.author.name == "Omar Officer"
    verbs = db.session.scalars(
        sa.select(AuditEvent.verb).where(AuditEvent.verb.like("sef%")).order_by(AuditEvent.id)
    ).all()
    assert verbs == ["sef_version.saved", "sef_sign_off.signed_off", "sef_version.saved"]


def test_a_save_from_an_old_form_is_refused_and_saves_nothing(world):
    _, officer, criterion, _, _ = world
    save_draft(officer, criterion, 0, text())
    with pytest.raises(SefConflict, match="saved version 1"):
        save_draft(officer, criterion, 0, text("Mine."))
    assert db.session.scalar(sa.select(sa.func.count(SefVersion.id))) == 1


def test_signing_off_nothing_or_an_old_version_is_refused(world):
    leader, officer, criterion, _, _ = world
    with pytest.raises(SefError, match="There is no statement for A3 to sign off yet"):
        sign_off(leader, criterion, 0)
    with pytest.raises(SefError, match="Write at least one part"):
        save_draft(officer, criterion, 0, StatementText(" ", "", "\n"))
    save_draft(officer, criterion, 0, text())
    save_draft(officer, criterion, 1, text("Newer."))
    with pytest.raises(SefConflict):
        sign_off(leader, criterion, 1)
    with pytest.raises(SefError, match="Only leaders"):
        sign_off(officer, criterion, 2)
    assert db.session.scalar(sa.select(sa.func.count(SefSignOff.id))) == 0


def test_citing_an_archived_or_restricted_record_is_refused_and_saves_nothing(world):
    leader, officer, criterion, _, accepted = world
    measure = factories.MeasureFactory(name="Weeks waited")
    hidden = factories.EvidenceFactory(
        title="Child's plan", sensitivity=Sensitivity.RESTRICTED, uploaded_by=leader
    )
    set_archived(leader, measure, True)
    with pytest.raises(SefError, match="Measure \u201cWeeks waited\u201d is archived") as refused:
        save_draft(officer, criterion, 0, text(evidence=[accepted.id], measures=[measure.id]))
    assert refused.value.field == "measure_ids"
    with pytest.raises(SefError, match="Choose the evidence to cite"):
        save_draft(officer, criterion, 0, text(evidence=[hidden.id]))
    assert db.session.scalar(sa.select(sa.func.count(SefVersion.id))) == 0
    save_draft(leader, criterion, 0, text(evidence=[hidden.id]))  # a leader may see and cite it
    assert [c.label for c in sef_at(officer).entries[0].cited] == []
    assert [c.label for c in sef_at(leader).entries[0].cited] == ["Child's plan"]


def test_returned_archived_and_past_review_evidence_flag_the_statement_with_the_reason(world):
    leader, officer, criterion, other, accepted = world
    returned = factories.EvidenceFactory(title="Returned audit", status=EvidenceStatus.RETURNED)
    archived = factories.EvidenceFactory(title="Old report", status=EvidenceStatus.ACCEPTED)
    expired = factories.EvidenceFactory(
        title="Last year's survey", status=EvidenceStatus.ACCEPTED, review_by=today() - timedelta(days=1)
    )
    db.session.commit()
    save_draft(officer, criterion, 0, text(evidence=[accepted.id, returned.id, archived.id, expired.id]))
    save_draft(officer, other, 0, text(evidence=[accepted.id]))
    set_archived(leader, archived, True)
    flags = sef_at(leader).entries[0].flags
    assert flags == [
        "Cited evidence \u201cReturned audit\u201d was returned by its reviewer.",
        "Cited evidence \u201cOld report\u201d has been archived.",
        f"Cited evidence \u201cLast year's survey\u201d passed its review-by date, {expired.review_by.day} "
        f"{expired.review_by:%B %Y}.",
    ]
    assert sef_at(leader).entries[1].flags == []


def test_the_sef_as_at_an_earlier_date_shows_the_version_sign_off_and_flags_of_then(world):
    leader, officer, criterion, _, accepted = world
    first = save_draft(officer, criterion, 0, text("Then.", [accepted.id]))
    signed = sign_off(leader, criterion, 1)
    backdate(10, first, signed)
    save_draft(officer, criterion, 1, text("Now.", [accepted.id]))
    set_archived(leader, accepted, True)  # today: archived, so today's statement is flagged
    before = sef_at(leader, today() - timedelta(days=5)).entries[0]
    assert (before.version.working_well, before.status, before.flags) == ("Then.", SIGNED_OFF, [])
    now = sef_at(leader).entries[0]
    assert (now.version.working_well, now.status, len(now.flags)) == ("Now.", DRAFT, 1)
    assert sef_at(leader, today() - timedelta(days=20)).entries[0].status == NOT_STARTED


def test_the_word_export_as_at_a_date_has_real_headings_the_older_version_and_a_numbered_evidence_index(
    world,
):
    leader, officer, criterion, _, accepted = world
    measure, survey = (
        factories.MeasureFactory(name="Weeks waited"),
        factories.SurveyFactory(title="Parents' survey"),
    )
    first = save_draft(officer, criterion, 0, text("Older words.", [accepted.id], [measure.id], [survey.id]))
    signed = sign_off(leader, criterion, 1)
    backdate(10, first, signed)
    save_draft(officer, criterion, 1, text("Newer words."))
    export = export_sef(leader, today() - timedelta(days=3), "docx")
    document = docx.Document(io.BytesIO(export.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", criterion.area.title) in headings
    assert ("Heading 2", "A3: The right help at the right time") in headings
    assert ("Heading 3", "What is working well") in headings and ("Heading 1", "Evidence index") in headings
    body = [p.text for p in document.paragraphs]
    assert "Older words." in body and "Newer words." not in body
    assert "Cites: [1] Autism pathway audit; [2] Weeks waited; [3] Parents' survey." in body
    assert "[2] Measure: Weeks waited." in body and "[3] Survey results: Parents' survey." in body
    assert any(line.startswith("[1] Evidence: Autism pathway audit. Accepted") for line in body)
    assert any("Signed off by Lena Leader" in line for line in body)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "export.sef")).one()
    assert len(event.after["sha256"]) == 64 and event.after["format"] == "docx"


def test_restricted_evidence_is_left_out_of_the_export_unless_a_leader_includes_it(world):
    leader, officer, criterion, _, accepted = world
    hidden = factories.EvidenceFactory(
        title="Child's plan",
        sensitivity=Sensitivity.RESTRICTED,
        uploaded_by=leader,
        status=EvidenceStatus.ACCEPTED,
    )
    save_draft(leader, criterion, 0, text(evidence=[accepted.id, hidden.id]))
    left_out = "\n".join(
        p.text for p in docx.Document(io.BytesIO(export_sef(leader, today(), "docx").content)).paragraphs
    )
    assert "Autism pathway audit" in left_out and "Child's plan" not in left_out
    included = export_sef(leader, today(), "docx", include_restricted=True).content
    assert "Child's plan" in "\n".join(p.text for p in docx.Document(io.BytesIO(included)).paragraphs)
    with pytest.raises(RestrictedRefused):
        export_sef(officer, today(), "docx", include_restricted=True)
    with pytest.raises(ExportError, match="today or in the past"):
        export_sef(SYSTEM, today() + timedelta(days=1), "pdf")


def test_the_pdf_is_tagged_titled_and_holds_the_statement(world):
    leader, officer, criterion, _, accepted = world
    save_draft(officer, criterion, 0, text("Families #wait *less* [here].", [accepted.id]))
    reader = pypdf.PdfReader(io.BytesIO(export_sef(leader, today(), "pdf").content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB" and reader.metadata.title == "Self-evaluation"
    words = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert (
        "Families #wait *less* [here]." in words
        and "Evidence index" in words
        and "Autism pathway audit" in words
    )
