"""`flask demo generate`: a made-up partnership, the same for a seed, matching storage,
usable and historically true."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.conftest import _empty_all_tables, _empty_folder
from tracker import audit, storage
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.dates import today
from tracker.evidence.commands import storage_problems
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.measures.models import Measure, MeasureReading
from tracker.plan.models import Action, ActionStatus, DueDateRevision, Finding, Inspection, ProgressUpdate
from tracker.plan.queries import ActionFilters, list_actions
from tracker.plan.services import add_progress_update, create_theme
from tracker.readiness.services import plan_as_at
from tracker.surveys.models import Survey, SurveyComment, SurveyReply, YouSaidWeDid
from tracker_dev.generate import SCALES, generate

SMALL = SCALES["county"].times(0.05)
PASSWORD = "generated-password-2026"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def digest() -> str:
    """Every row of every table (password hashes apart: each has its own salt, and so the audit fingerprints,
    which fingerprint the user rows that hold them) and every stored file."""
    content = hashlib.sha256()
    salted = {"password_hash", "row_hash", "hash", "prev_hash", "last_hash", "mac"}
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.c if column.name not in salted]
        for row in db.session.execute(sa.select(*columns).order_by(*table.primary_key.columns)):
            content.update(repr(tuple(row)).encode())
    content.update(repr(sorted(storage.stored_keys())).encode())
    return content.hexdigest()


def empty_everything() -> None:
    db.session.rollback()
    _empty_all_tables()
    _empty_folder(Path(current_app.config["TRACKER_STORAGE_DIR"]))


@pytest.fixture
def generated():
    return generate(SMALL, seed=1, password=PASSWORD)


def test_the_same_seed_and_day_make_the_same_data():
    day = today()
    generate(SMALL, seed=7, password=PASSWORD, reference_day=day)
    first = digest()
    empty_everything()
    generate(SMALL, seed=7, password=PASSWORD, reference_day=day)
    assert digest() == first
    empty_everything()
    generate(SMALL, seed=8, password=PASSWORD, reference_day=day)
    assert digest() != first


def test_the_counts_are_the_scales(generated):
    assert SMALL.actions == 30 and SMALL.documents == 100
    assert {
        model.__tablename__: count(model)
        for model in (
            Inspection,
            Finding,
            Action,
            ProgressUpdate,
            EvidenceItem,
            EvidenceFile,
            Measure,
            MeasureReading,
            Survey,
            SurveyReply,
            User,
        )
    } == {
        "inspection": SMALL.inspections,
        "finding": SMALL.findings,
        "action": SMALL.actions,
        "progress_update": SMALL.updates,
        "evidence_item": SMALL.evidence,
        "evidence_file": SMALL.documents,
        "measure": SMALL.measures,
        "measure_reading": SMALL.measures * 36,
        "survey": SMALL.surveys,
        "survey_reply": SMALL.surveys * SMALL.replies_per_survey,
        "user": SMALL.users,
    }
    assert generated.counts["action"] == SMALL.actions
    assert "8 users" in generated.line() and "30 actions" in generated.line()


def test_a_region_is_ten_counties_and_small_scales_keep_one_of_everything():
    county, region = SCALES["county"], SCALES["region"]
    assert region.actions == 10 * county.actions and region.evidence == 10 * county.evidence
    tiny = county.times(0.001)
    assert (
        tiny.inspections == tiny.measures == tiny.surveys == 1
        and tiny.users == 4
        and tiny.readings_per_measure == 36
    )


def test_officer1_owns_the_most_actions(generated):
    owners = db.session.execute(
        sa.select(User.email, sa.func.count(Action.id))
        .join(Action, Action.owner_id == User.id)
        .group_by(User.email)
        .order_by(sa.func.count(Action.id).desc())
    ).all()
    assert owners[0][0] == "officer1@generated.example"
    assert owners[0][1] > owners[1][1]
    roles = {
        role: db.session.scalar(sa.select(sa.func.count()).where(User.role == role))
        for role in ("admin", "leader", "officer", "viewer")
    }
    assert roles["admin"] == 1 and roles["leader"] >= 1 and roles["officer"] > roles["viewer"] >= 1


def test_the_plan_has_overdue_and_stale_actions_revised_dates_and_every_review_status(generated):
    assert list_actions(ActionFilters(overdue=True)).total > 0
    assert list_actions(ActionFilters(stale=True)).total > 0
    assert list_actions(ActionFilters(status=ActionStatus.COMPLETE)).total > 0
    revision = db.session.scalars(sa.select(DueDateRevision)).first()
    assert revision.reason and revision.new_due_date > revision.previous_due_date
    statuses = set(db.session.scalars(sa.select(EvidenceItem.status).distinct()))
    assert statuses == set(EvidenceStatus)
    restricted = count(
        sa.select(EvidenceItem).where(EvidenceItem.sensitivity == Sensitivity.RESTRICTED).subquery()
    )
    internal = count(
        sa.select(EvidenceItem).where(EvidenceItem.sensitivity == Sensitivity.INTERNAL).subquery()
    )
    assert 0 < restricted < SMALL.evidence * 0.15 and internal > SMALL.evidence / 2
    assert all(40 <= len(title) <= 90 for title in db.session.scalars(sa.select(Action.title)))


def test_every_action_and_survey_is_linked(generated):
    assert all(action.findings for action in db.session.scalars(sa.select(Action)))
    assert all(
        measure.actions and len(measure.readings) == 36 for measure in db.session.scalars(sa.select(Measure))
    )
    assert count(SurveyComment) > 0 and count(YouSaidWeDid) > 0


def test_full_inspections_carry_one_of_the_frameworks_outcomes_and_the_others_none(generated):
    from tracker.plan.models import Inspection, InspectionType

    rows = db.session.execute(sa.select(Inspection.type, Inspection.outcome, Inspection.report_summary)).all()
    assert {outcome for kind, outcome, _ in rows if kind is InspectionType.FULL} - {None} and all(
        outcome is not None for kind, outcome, _ in rows if kind is InspectionType.FULL
    )
    assert all(outcome is None for kind, outcome, _ in rows if kind is not InspectionType.FULL)
    assert all(summary for _, _, summary in rows)


def test_every_file_is_in_storage_with_its_hash(generated, runner):
    assert storage_problems() == (SMALL.documents, [])
    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    file = db.session.scalars(sa.select(EvidenceFile)).first()
    assert storage.hash_file(storage.path_of(file.storage_key)) == file.sha256
    assert 1024 <= file.size_bytes <= 20 * 1024


def test_the_plan_as_at_a_past_day_is_what_the_updates_said_then(generated):
    """Which actions existed and their statuses then come from creation dates and audit events,
    not today's rows."""
    made = sorted(db.session.scalars(sa.select(Action.created_at)))
    middle = made[len(made) // 2].date()
    assert 0 < len(plan_as_at(middle, user("leader1@generated.example")).actions) < SMALL.actions
    past = today() - timedelta(days=365)
    plan = plan_as_at(past, user("leader1@generated.example"))
    assert all(db.session.get(Action, action_id).created_at.date() <= past for action_id in plan.actions)
    changed = 0
    for action in plan.actions.values():
        said = db.session.execute(
            sa.select(ProgressUpdate.status, ProgressUpdate.percent_complete)
            .where(ProgressUpdate.action_id == action.id, ProgressUpdate.written_on <= past)
            .order_by(ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc())
            .limit(1)
        ).first()
        assert (action.status_value, action.percent_complete) == (
            (said[0].value, said[1]) if said else ("not_started", 0)
        )
        changed += db.session.get(Action, action.id).percent_complete != action.percent_complete
    assert changed > 0  # the past differs from today


def test_every_created_record_has_its_audit_event(generated):
    events = count(sa.select(AuditEvent).where(AuditEvent.verb == "action.created").subquery())
    assert events == SMALL.actions
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "progress_update.created")
    ).first()
    assert event.after["source"] == "generated" and event.actor_label.endswith("@generated.example")


def test_the_generated_audit_events_form_a_whole_chain(generated):
    report = audit.verify_chain()
    assert report.whole and report.checked == count(sa.select(AuditEvent).subquery())


def test_leader1_can_use_every_list(generated, client_as):
    leader = client_as(user("leader1@generated.example"))
    action = db.session.scalars(
        sa.select(Action).where(Action.owner_id == user("officer1@generated.example").id)
    ).first()
    pages = [
        "/",
        "/actions",
        "/actions/mine",
        "/evidence",
        "/evidence/review",
        "/evidence/gaps",
        "/findings",
        "/measures",
        "/surveys",
        f"/actions/{action.id}",
        f"/findings/{action.findings[0].id}",
        "/measures/1",
        "/surveys/1",
        "/surveys/1/comments",
        "/evidence/1",
        "/actions?overdue=1&sort=rag",
    ]
    for page in pages:
        assert leader.get(page).status_code == 200, page


def test_new_records_can_be_added_after_generating(generated):
    """On PostgreSQL the id sequences must have been moved past the generated ids."""
    leader, officer = user("leader1@generated.example"), user("officer1@generated.example")
    theme = create_theme(leader, "Preparing for adulthood", "Young people moving to adult services.")
    assert theme.id == 7
    action = db.session.scalars(sa.select(Action).where(Action.owner_id == officer.id)).first()
    update = add_progress_update(
        officer, action, today(), "Met the team and agreed the plan.", 50, ActionStatus.IN_PROGRESS
    )
    assert update.id == SMALL.updates + 1


def test_the_command_generates_and_says_how_to_sign_in(runner, monkeypatch):
    monkeypatch.setitem(SCALES, "county", SMALL)
    result = runner.invoke(
        args=["demo", "generate", "--scale", "county", "--seed", "3", "--password", "another-password-1"]
    )
    assert result.exit_code == 0, result.output
    assert "Generated 1 inspection, 3 findings, 30 actions" in result.output
    assert "leader1@generated.example" in result.output and "officer1@generated.example" in result.output
    assert "another-password-1" in result.output


def test_a_database_with_data_is_refused_in_one_line(generated, runner):
    before = count(Action)
    result = runner.invoke(args=["demo", "generate", "--scale", "county"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(
        "Error: The database is not empty (action, action_contributor, action_figures and "
    )
    assert line.endswith("more tables have rows): generate only into an empty, migrated database.")
    assert count(Action) == before


def test_an_unknown_scale_and_a_weak_password_are_refused(runner):
    result = runner.invoke(args=["demo", "generate", "--scale", "country"])
    assert result.exit_code == 2 and "'country' is not one of 'county', 'region'" in result.output
    result = runner.invoke(args=["demo", "generate", "--scale", "county", "--password", "short"])
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert count(User) == 0


def test_generated_data_matches_its_audit_log(generated):
    """The bulk loader's events fingerprint the rows they are about, so `flask audit verify --data` passes."""
    from tracker import audit

    assert audit.verify_chain().whole
    report = audit.verify_data()
    assert report.problems == [] and report.checked > 0
