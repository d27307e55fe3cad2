"""The self-evaluation's pages: the overview and a statement's page with status and flags, drafting with
citations (an archived citation refused with its reason and the input kept, a stale form caught), sign-off
(refused with nothing to sign), viewers reading only, the exports' GET-shows / POST-makes pages and bad dates,
and `flask export sef`."""

import io
import re
from datetime import timedelta

import docx
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.services import set_archived
from tracker.sef.models import SefCitation, SefSignOff, SefVersion


def _criterion():
    criterion = factories.CriterionFactory(key="A3", title="The right help at the right time")
    db.session.commit()
    return criterion


def _draft(client, criterion, version="0", **more):
    data = {
        "version": version,
        "working_well": "Families wait less.",
        "to_improve": "Waits in the east.",
        "being_done": "A new triage panel.",
    } | more
    return client.post(f"/self-evaluation/{criterion.id}/edit", data=data, follow_redirects=True)


def test_a_leader_drafts_citing_evidence_then_signs_off_and_the_overview_shows_it(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    evidence = factories.EvidenceFactory(title="Autism pathway audit", status=EvidenceStatus.ACCEPTED)
    db.session.commit()
    page = _draft(leader, criterion, evidence_ids=[str(evidence.id)]).get_data(as_text=True)
    assert "Version 1 of the statement for A3 is saved as a draft." in page and "Autism pathway audit" in page
    assert "Sign off this version" in page
    page = leader.post(
        f"/self-evaluation/{criterion.id}/sign-off", data={"version": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Version 1 of the statement for A3 is signed off." in page
    overview = leader.get("/self-evaluation").get_data(as_text=True)
    assert "A3: The right help at the right time" in overview and "Signed off" in overview


def test_signing_off_with_no_statement_says_so_and_saves_nothing(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    response = leader.post(f"/self-evaluation/{criterion.id}/sign-off", data={"version": "0"})
    assert response.status_code == 200
    assert "There is no statement for A3 to sign off yet" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SefSignOff.id))) == 0


def test_citing_archived_evidence_is_refused_beside_the_field_and_the_words_are_kept(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    old = factories.EvidenceFactory(title="Old report")
    db.session.commit()
    set_archived(leader.user, old, True)
    page = _draft(leader, criterion, working_well="Our own words.", evidence_ids=[str(old.id)]).get_data(
        as_text=True
    )
    assert "govuk-error-summary" in page and "Evidence \u201cOld report\u201d is archived" in page
    assert "Our own words." in page
    assert db.session.scalar(sa.select(sa.func.count(SefVersion.id))) == 0


def test_a_save_from_a_form_opened_before_someone_elses_save_is_caught(client_as):
    officer, other = client_as(Role.OFFICER), client_as(Role.LEADER)
    criterion = _criterion()
    _draft(other, criterion)
    page = _draft(officer, criterion, version="0", working_well="Mine.").get_data(as_text=True)
    assert "saved version 1 of this statement" in page and "Mine." in page
    assert db.session.scalars(sa.select(SefVersion.working_well)).all() == ["Families wait less."]


def test_a_save_from_a_form_that_saw_a_version_there_is_not_is_caught_not_a_500(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    response = _draft(leader, criterion, version="3", working_well="Mine.")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this statement while you were editing" in page and "Mine." in page
    assert db.session.scalars(sa.select(SefVersion)).all() == []


def test_flags_show_on_the_statement_page_and_the_overview(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    returned = factories.EvidenceFactory(title="Returned audit", status=EvidenceStatus.ACCEPTED)
    db.session.commit()
    _draft(leader, criterion, evidence_ids=[str(returned.id)])
    returned.status = EvidenceStatus.RETURNED
    db.session.commit()
    reason = "Cited evidence \u201cReturned audit\u201d was returned by its reviewer."
    assert reason in leader.get(f"/self-evaluation/{criterion.id}").get_data(as_text=True)
    assert reason in leader.get("/self-evaluation").get_data(as_text=True)


def test_viewers_read_but_see_no_edit_or_sign_off_and_restricted_citations_stay_hidden(client_as):
    leader, viewer = client_as(Role.LEADER), client_as(Role.VIEWER)
    criterion = _criterion()
    hidden = factories.EvidenceFactory(
        title="Restricted child plan", sensitivity=Sensitivity.RESTRICTED, uploaded_by=leader.user
    )
    db.session.commit()
    _draft(leader, criterion, evidence_ids=[str(hidden.id)])
    page = viewer.get(f"/self-evaluation/{criterion.id}").get_data(as_text=True)
    assert "Families wait less." in page and "Restricted child plan" not in page
    assert "Edit the statement" not in page and "Sign off this version" not in page
    assert viewer.post(f"/self-evaluation/{criterion.id}/edit", data={"version": "1"}).status_code == 403
    assert "Restricted child plan" in leader.get(f"/self-evaluation/{criterion.id}").get_data(as_text=True)


def test_the_export_address_shows_first_and_makes_the_word_file_only_on_post(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    _draft(leader, criterion)
    shown = leader.get(f"/exports/self-evaluation.docx?as_at={today().isoformat()}")
    assert shown.status_code == 200 and "Download the self-evaluation as a Word document" in shown.get_data(
        as_text=True
    )
    made = leader.post(f"/exports/self-evaluation.docx?as_at={today().isoformat()}")
    assert made.headers["Content-Disposition"].startswith("attachment")
    text = [p.text for p in docx.Document(io.BytesIO(made.data)).paragraphs]
    assert "A3: The right help at the right time" in text and "Families wait less." in text


def test_bad_as_at_dates_are_refused_as_the_other_exports_are(client_as, runner, tmp_path):
    leader = client_as(Role.LEADER)
    assert leader.get("/exports/self-evaluation.pdf?as_at=2026-02-30").status_code == 400
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert leader.post(f"/exports/self-evaluation.pdf?as_at={tomorrow}").status_code == 400
    page = leader.post(
        "/exports/self-evaluation", data={"what": "docx", "as_at": ["31", "2", "2026"]}
    ).get_data(as_text=True)
    assert "govuk-error-summary" in page and "The as-at date must be a real date" in page
    result = runner.invoke(
        args=["export", "sef", "--format", "docx", "--as-at", "2026-13-01", "--out", str(tmp_path / "s.docx")]
    )
    assert result.exit_code == 1 and "The as-at date must be a real date" in result.output


def test_flask_export_sef_writes_the_word_file(runner, tmp_path):
    criterion = _criterion()
    out = tmp_path / "sef.docx"
    result = runner.invoke(args=["export", "sef", "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    headings = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"{criterion.key}: {criterion.title}"]


def _citations_column(page: str) -> dict[int, int]:
    """The versions table: version number -> its Citations cell."""
    table = page.split('id="versions"', 1)[1]
    rows = re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(\d+)</td>.*?'
        r'<td class="govuk-table__cell">(\d+)</td>\s*</tr>',
        table,
        re.S,
    )
    return {int(number): int(count) for number, count in rows}


def _cite_restricted_and_open(leader, criterion):
    secret = factories.EvidenceFactory(
        title="Restricted child plan", sensitivity=Sensitivity.RESTRICTED, uploaded_by=leader.user
    )
    opened = [factories.EvidenceFactory(title=f"Open audit {n}") for n in (1, 2)]
    db.session.commit()
    _draft(leader, criterion, evidence_ids=[str(secret.id)] + [str(item.id) for item in opened])
    return secret, opened


def test_the_versions_table_counts_only_the_citations_the_reader_may_see(client_as):
    leader = client_as(Role.LEADER)
    criterion = _criterion()
    _cite_restricted_and_open(leader, criterion)
    assert _citations_column(leader.get(f"/self-evaluation/{criterion.id}").get_data(as_text=True)) == {1: 3}
    for role in (Role.VIEWER, Role.OFFICER):
        page = client_as(role).get(f"/self-evaluation/{criterion.id}").get_data(as_text=True)
        assert (
            _citations_column(page) == {1: 2}
            and "Open audit 1" in page
            and "Restricted child plan" not in page
        )


def _cited(number: int) -> list[int]:
    return db.session.scalars(
        sa.select(SefCitation.evidence_id)
        .join(SefVersion)
        .where(SefVersion.number == number)
        .order_by(SefCitation.position)
    ).all()


def test_an_officers_save_keeps_the_citations_they_cannot_see_says_so_and_audits_it(client_as):
    leader, officer = client_as(Role.LEADER), client_as(Role.OFFICER)
    criterion = _criterion()
    secret, (first, second) = _cite_restricted_and_open(leader, criterion)
    form = officer.get(f"/self-evaluation/{criterion.id}/edit").get_data(as_text=True)
    assert "1 citation you cannot see is kept" in form and "Restricted child plan" not in form
    page = _draft(
        officer, criterion, version="1", working_well="Officer's words.", evidence_ids=[str(second.id)]
    ).get_data(as_text=True)  # takes the first open audit out
    assert (
        "Version 2 of the statement for A3 is saved as a draft." in page
        and "Restricted child plan" not in page
    )
    assert _cited(2) == [second.id, secret.id]
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "sef_version.saved").order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["cited"] == [f"evidence:{second.id}", f"evidence:{secret.id}"]
    assert event.after["kept_unseen"] == [f"evidence:{secret.id}"]
    assert "Restricted child plan" in leader.get(f"/self-evaluation/{criterion.id}").get_data(as_text=True)
    # a leader sees it in the form, is told nothing is kept, and can take it out
    assert "you cannot see" not in leader.get(f"/self-evaluation/{criterion.id}/edit").get_data(as_text=True)
    _draft(leader, criterion, version="2", evidence_ids=[str(second.id)])
    assert _cited(3) == [second.id]
    assert "you cannot see" not in officer.get(f"/self-evaluation/{criterion.id}/edit").get_data(as_text=True)
