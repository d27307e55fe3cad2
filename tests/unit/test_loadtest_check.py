"""The load test's checker (loadtest/check.py): an accepted write that is not in the database is lost, one
whose file, fingerprint, author or audit event is missing is incomplete, and one saved after the person was
told it was not is counted; read from a real database written through the services."""

import hashlib
import io

from loadtest.check import compare, compare_sign_ins, read_database, upload_problems
from tests import factories
from tracker import storage
from tracker.auth.services import authenticate
from tracker.dates import today
from tracker.evidence.models import EvidenceKind, Sensitivity
from tracker.evidence.services import EvidenceData, Upload, create_evidence
from tracker.models import Role
from tracker.plan.models import ActionStatus
from tracker.plan.services import add_progress_update

SAVED, LOST, REFUSED_BUT_SAVED = "loadtest-" + "a" * 32, "loadtest-" + "b" * 32, "loadtest-" + "c" * 32


def attempt(token: str, outcome: str, email: str = "priya@council.example", **more) -> dict:
    return {"kind": "progress", "token": token, "email": email, "outcome": outcome, **more}


def test_an_accepted_write_missing_from_the_database_is_lost_and_refused_ones_are_not():
    stored = {
        SAVED: {"email": "priya@council.example"},
        REFUSED_BUT_SAVED: {"email": "priya@council.example"},
    }
    attempts = [
        attempt(SAVED, "accepted"),
        attempt(LOST, "accepted"),
        attempt("loadtest-" + "d" * 32, "refused"),
        attempt("loadtest-" + "e" * 32, "no answer"),
        attempt(REFUSED_BUT_SAVED, "failed", status=503),
    ]
    result = compare(attempts, stored, audited={SAVED})
    assert (result["attempted"], result["accepted"], result["found"], result["lost"]) == (5, 2, 1, [LOST])
    assert (result["refused"], result["failed"], result["no answer"]) == (1, 1, 1)
    assert result["incomplete"] == []
    assert result["said_not_saved_but_saved"] == [
        {"token": REFUSED_BUT_SAVED, "outcome": "failed", "status": 503}
    ]


def test_a_row_without_its_audit_event_or_by_someone_else_is_incomplete():
    result = compare(
        [attempt(SAVED, "accepted")], {SAVED: {"email": "someone@council.example"}}, audited=set()
    )
    assert result["lost"] == [] and result["found"] == 1
    assert result["incomplete"] == [
        {
            "token": SAVED,
            "problems": ["saved as someone@council.example, sent by priya@council.example", "no audit event"],
        }
    ]


def test_an_upload_whose_stored_file_differs_from_what_was_sent_is_incomplete():
    sent = {"sha256": "1" * 64, "size": 10}
    assert upload_problems(sent, {"sha256": "1" * 64, "size": 10, "file_sha256": "1" * 64}) == []
    assert upload_problems(sent, {"sha256": "1" * 64, "size": 10, "file_sha256": None}) == [
        "its file is missing from storage"
    ]
    assert upload_problems(sent, {"sha256": "2" * 64, "size": 10, "file_sha256": "2" * 64}) == [
        "its recorded fingerprint or size is not the file that was sent",
        "the stored file is not the file that was sent",
    ]


def test_sign_ins_are_counted_by_their_audit_events():
    attempts = [
        {"email": "a@x.example", "accepted": True},
        {"email": "b@x.example", "accepted": True},
        {"email": "b@x.example", "accepted": False},
    ]
    assert compare_sign_ins(attempts, {"a@x.example": 1, "b@x.example": 1})["lost"] == 0
    assert compare_sign_ins(attempts, {"a@x.example": 1}) == {
        "attempted": 3,
        "accepted": 2,
        "lost": 1,
        "people_short": ["b@x.example"],
    }


def test_what_the_services_wrote_is_read_back_from_the_database(app, database_uri):
    officer = factories.UserFactory(
        role=Role.OFFICER, email="priya@council.example", password_hash=factories.PASSWORD_HASH
    )
    action = factories.ActionFactory(owner=officer, findings=[factories.FindingFactory()])
    add_progress_update(officer, action, today(), f"{SAVED}: met the forum.", 20, ActionStatus.IN_PROGRESS)
    content = b"board minutes\n" * 10
    create_evidence(
        officer,
        EvidenceData(
            kind=EvidenceKind.DOCUMENT,
            title=f"{LOST} board minutes",
            description="",
            about_date=today(),
            sensitivity=Sensitivity.INTERNAL,
            action_ids=[action.id],
        ),
        Upload(io.BytesIO(content), "minutes.txt"),
    )
    authenticate("priya@council.example", factories.PASSWORD)

    held = read_database(database_uri, storage.root())
    assert held["progress"] == {SAVED: {"action_id": action.id, "email": "priya@council.example"}}
    upload = held["upload"][LOST]
    assert upload["sha256"] == upload["file_sha256"] == hashlib.sha256(content).hexdigest() and upload[
        "size"
    ] == len(content)
    assert held["audited"] == {"progress": {SAVED}, "upload": {LOST}}
    assert held["sign_ins"] == {"priya@council.example": 1}
    assert (held["orphan_files"], held["temporary_files"]) == (0, 0)


def test_a_not_saved_answer_that_a_retry_with_the_same_key_found_saved_is_counted_and_could_not_tell_is_not():
    retried = attempt(SAVED, "accepted", told=["not saved", "already saved"], told_not_saved_but_saved=True)
    unsure = attempt(REFUSED_BUT_SAVED, "failed", status=503, told=["could not tell"] * 5)
    honest = attempt(LOST, "accepted", told=["not saved", "saved"])
    stored = {
        SAVED: {"email": "priya@council.example"},
        REFUSED_BUT_SAVED: {"email": "priya@council.example"},
        LOST: {"email": "priya@council.example"},
    }
    result = compare([retried, unsure, honest], stored, audited={SAVED, LOST})
    assert [each["token"] for each in result["said_not_saved_but_saved"]] == [SAVED]
    assert (result["retried"], result["told"]) == (
        3,
        {"not saved": 2, "already saved": 1, "could not tell": 5, "saved": 1},
    )


def test_a_write_saved_twice_is_found_by_its_token_in_two_rows(app, database_uri):
    officer = factories.UserFactory(role=Role.OFFICER, email="priya@council.example")
    action = factories.ActionFactory(owner=officer, findings=[factories.FindingFactory()])
    for _ in range(2):
        add_progress_update(
            officer, action, today(), f"{SAVED}: met the forum.", 20, ActionStatus.IN_PROGRESS
        )
    held = read_database(database_uri, storage.root())
    assert held["progress"][SAVED]["rows"] == 2
    assert compare([attempt(SAVED, "accepted")], held["progress"], audited={SAVED})["saved_twice"] == [SAVED]
