"""The demo partnership: built from the two source documents with a history,
and loading twice changes nothing."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from tracker.audit import AuditEvent, verify_chain
from tracker.dates import today
from tracker.demo import data
from tracker.demo.services import load_demo
from tracker.extensions import db
from tracker.models_registry import Action, Finding, Measure, MeasureReading, Survey, SurveyReply, User
from tracker.readiness.models import ReadinessSnapshot
from tracker.readiness.services import TREND_DAYS, Scope, plan_as_at, readiness_trend
from tracker.surveys.services import group_counts, question_summaries


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_loading_twice_changes_nothing():
    assert load_demo("demo-password-2026") is True
    before = {
        model: count(model)
        for model in (User, Finding, Action, Measure, MeasureReading, Survey, SurveyReply, AuditEvent)
    }
    assert load_demo("demo-password-2026") is False
    assert {model: count(model) for model in before} == before


def test_one_demo_user_per_role(demo):
    roles = {user.email: user.role.value for user in db.session.scalars(sa.select(User))}
    for role in ("admin", "leader", "officer", "viewer"):
        assert roles[f"{role}@demo.example"] == role


def test_the_survey_has_exactly_its_published_figures(demo):
    survey = db.session.scalar(sa.select(Survey))
    groups = {g.group.audience.value: (g.replies, g.respondents) for g in group_counts(survey)}
    assert groups == {"sencos": (39, 29), "parents_carers": (22, None)}
    assert sum(replies for replies, _ in groups.values()) == 61
    answers = {
        (s.group.audience.value, s.question.text): {a.value: (a.count, a.base, a.percent) for a in s.answers}
        for s in question_summaries(survey)
    }
    assert answers[("sencos", "Are you very satisfied with the level of support received from the team?")][
        "Yes"
    ] == (32, 39, 82)
    assert answers[("parents_carers", "Would you recommend the service to others?")]["No"] == (3, 22, 14)
    assert answers[("parents_carers", "Did the service meet the needs of your child or young person?")][
        "No"
    ] == (7, 22, 32)


def test_the_plan_tells_the_reports_story(demo):
    wording = " ".join(db.session.scalars(sa.select(Finding.wording)))
    assert "difficult to navigate" in wording
    assert "one child waited for over a year for an assessment for autism spectrum disorder" in wording
    assert "more than 20 weeks to access an occupational therapy service" in wording
    assert "beginning to reduce" in wording
    assert "a significant increase in the number of children and young people" in wording
    autism = db.session.scalar(
        sa.select(Measure).where(Measure.name == "Longest wait for an autism assessment")
    )
    values = [reading.value for reading in autism.readings]
    assert values[0] > 52 and values == sorted(values, reverse=True)


def test_the_demo_has_real_documents_in_every_status_and_a_restricted_item(demo):
    import hashlib

    from tracker import storage
    from tracker.evidence.models import EvidenceFile, EvidenceItem

    files = db.session.scalars(sa.select(EvidenceFile)).all()
    assert {f.filename for f in files} == {"spot-survey-you-said-we-did.pdf", "childrens-ot-leaflet.pdf"}
    for stored in files:
        content = storage.path_of(stored.storage_key).read_bytes()
        assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == stored.sha256
        assert stored.content_type == "application/pdf"
    items = db.session.scalars(sa.select(EvidenceItem)).all()
    assert {item.status.value for item in items} == {"submitted", "accepted", "returned"}
    assert any(item.is_restricted for item in items)
    assert any(
        item.review_by and item.review_by < today() and item.status.value == "accepted" for item in items
    )


def test_a_load_that_fails_part_way_keeps_nothing_of_the_plan_and_the_next_one_loads_it(monkeypatch):
    from tracker import storage
    from tracker.demo import documents
    from tracker.evidence.models import EvidenceFile, EvidenceItem

    def switched_off(dated):
        raise RuntimeError("the machine was switched off")

    monkeypatch.setattr(
        documents, "ot_leaflet", switched_off
    )  # the second document: the first is already stored
    with pytest.raises(RuntimeError):
        load_demo("demo-password-2026")
    assert count(Finding) == count(Action) == count(EvidenceItem) == count(ReadinessSnapshot) == 0
    assert not any(
        path.is_file() for path in storage.root().rglob("*")
    )  # the first document was removed again
    monkeypatch.undo()
    assert load_demo("demo-password-2026") is True
    assert count(EvidenceItem) == len(data.EVIDENCE) and count(EvidenceFile) == 2
    assert load_demo("demo-password-2026") is False


def test_snapshots_stopped_part_way_are_completed_by_the_next_load(monkeypatch):
    from tracker.demo import services

    real, calls = services.take_snapshot, []

    def stops_on_the_tenth(actor, on):
        calls.append(on)
        if len(calls) == 10:
            raise RuntimeError("the machine was switched off")
        return real(actor, on=on)

    monkeypatch.setattr(services, "take_snapshot", stops_on_the_tenth)
    with pytest.raises(RuntimeError):
        load_demo("demo-password-2026")
    assert calls[:2] == [today(), today() - timedelta(days=1)]  # newest first
    assert snapshot_days() == set(calls[:9])
    monkeypatch.undo()
    assert load_demo("demo-password-2026") is True
    assert snapshot_days() == every_day_since_the_findings()
    assert load_demo("demo-password-2026") is False


# The demo's history: the plan as at any day shows what existed and had been done by then --------------------


def leader() -> User:
    return db.session.scalar(sa.select(User).where(User.email == "leader@demo.example"))


def readiness_by_finding(as_at: date) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {f.reference: (f.readiness, f.readiness_reasons) for f in plan_as_at(as_at, leader()).findings}


def snapshot_days() -> set[date]:
    return set(db.session.scalars(sa.select(ReadinessSnapshot.taken_on).distinct()))


def every_day_since_the_findings() -> set[date]:
    first = data.INSPECTION["published_on"]
    return {first + timedelta(days=n) for n in range((today() - first).days + 1)}


def test_a_month_after_the_report_the_readiness_differs_from_today(demo):
    month_after = data.INSPECTION["published_on"] + timedelta(days=31)
    then, now = readiness_by_finding(month_after), readiness_by_finding(today())
    assert set(then) == {ref for ref, *_ in data.FINDINGS}  # the self-evaluation's finding came in June 2026
    assert set(now) == set(then) | {"SI1"}
    changed = [ref for ref in then if then[ref][0] != now[ref][0]]
    assert changed, "at least one finding's colour has moved since"
    # then, the areas for improvement with no action yet were red for it; today each has actions
    assert then["AFI1"] == ("red", ("no actions to address it", "no accepted evidence"))
    assert "no actions to address it" not in now["AFI1"][1]


def test_the_past_shows_what_had_been_done_by_then(demo):
    july = plan_as_at(date(2026, 7, 1), leader())
    a1 = next(a for a in july.actions.values() if a.reference == "A1")
    assert (a1.status_value, a1.percent_complete, a1.latest_update_on) == (
        "in_progress",
        60,
        date(2026, 6, 20),
    )
    a6 = next(a for a in july.actions.values() if a.reference == "A6")
    assert a6.due_date == date(2026, 9, 30)  # revised to March 2027 in September
    autism = next(m for m in july.measures.values() if m.name == "Longest wait for an autism assessment")
    assert [value for _, value in autism.readings] == [56, 50]  # June's reading was entered in mid-July
    audit = next(e for e in july.evidence.values() if e.title == "EHC plan audit, spring term 2026")
    assert audit.status == "accepted" and audit.current
    april = plan_as_at(date(2026, 4, 25), leader())
    assert next(e for e in april.evidence.values() if e.title == audit.title).status == "submitted"
    now = plan_as_at(today(), leader())
    a1 = next(a for a in now.actions.values() if a.reference == "A1")
    assert (a1.status_value, a1.percent_complete) == ("complete", 100)
    assert not next(
        e for e in now.evidence.values() if e.title == audit.title
    ).current  # its review-by date passed


def test_before_the_inspection_the_plan_has_no_findings(demo):
    before = plan_as_at(data.INSPECTION["start_date"] - timedelta(days=1), leader())
    assert before.findings == () and before.actions == {} and before.evidence == {}


def test_a_snapshot_was_taken_for_every_day_since_the_findings_and_the_trend_moves(demo):
    assert snapshot_days() == every_day_since_the_findings()
    trend = readiness_trend(today(), Scope())
    assert len(trend) == TREND_DAYS
    assert len({tuple(counts.values()) for _, counts in readiness_trend(date(2026, 8, 31), Scope())}) > 1


def test_the_audit_log_is_whole_and_tells_the_history_in_order_after_loading(demo):
    report = verify_chain()
    assert report.whole, report.problem
    assert report.checked == count(AuditEvent)
    history = (
        db.session.execute(
            sa.select(AuditEvent.occurred_at)
            .where(AuditEvent.occurred_at < datetime.combine(today(), time.min, timezone.utc))
            .order_by(AuditEvent.chain_seq)
        )
        .scalars()
        .all()
    )
    assert history == sorted(history)  # the past was written in the order it happened
    assert history[0].date() == data.INSPECTION["published_on"]
