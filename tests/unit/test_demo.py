"""The demo partnership: built from the two source documents, and loading twice changes nothing."""

from datetime import date

import sqlalchemy as sa

from tracker.audit import AuditEvent
from tracker.demo.services import load_demo
from tracker.extensions import db
from tracker.models_registry import Action, Finding, Measure, MeasureReading, Survey, SurveyReply, User
from tracker.surveys.services import group_counts, question_summaries


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_loading_twice_changes_nothing():
    assert load_demo("demo-password-2026") is True
    before = {model: count(model) for model in (User, Finding, Action, Measure, MeasureReading, Survey, SurveyReply, AuditEvent)}
    assert load_demo("demo-password-2026") is False
    assert {model: count(model) for model in before} == before


def test_one_demo_user_per_role():
    load_demo("demo-password-2026")
    roles = {user.email: user.role.value for user in db.session.scalars(sa.select(User))}
    for role in ("admin", "leader", "officer", "viewer"):
        assert roles[f"{role}@demo.example"] == role


def test_the_survey_has_exactly_its_published_figures():
    load_demo("demo-password-2026")
    survey = db.session.scalar(sa.select(Survey))
    groups = {g.group.audience.value: (g.replies, g.respondents) for g in group_counts(survey)}
    assert groups == {"sencos": (39, 29), "parents_carers": (22, None)}
    assert sum(replies for replies, _ in groups.values()) == 61
    answers = {
        (s.group.audience.value, s.question.text): {a.value: (a.count, a.base, a.percent) for a in s.answers}
        for s in question_summaries(survey)
    }
    assert answers[("sencos", "Are you very satisfied with the level of support received from the team?")]["Yes"] == (32, 39, 82)
    assert answers[("parents_carers", "Would you recommend the service to others?")]["No"] == (3, 22, 14)
    assert answers[("parents_carers", "Did the service meet the needs of your child or young person?")]["No"] == (7, 22, 32)


def test_the_plan_tells_the_reports_story():
    load_demo("demo-password-2026")
    wording = " ".join(db.session.scalars(sa.select(Finding.wording)))
    assert "difficult to navigate" in wording
    assert "one child waited for over a year for an assessment for autism spectrum disorder" in wording
    assert "more than 20 weeks to access an occupational therapy service" in wording
    assert "beginning to reduce" in wording
    assert "a significant increase in the number of children and young people" in wording
    autism = db.session.scalar(sa.select(Measure).where(Measure.name == "Longest wait for an autism assessment"))
    values = [reading.value for reading in autism.readings]
    assert values[0] > 52 and values == sorted(values, reverse=True)


def test_the_demo_has_real_documents_in_every_status_and_a_restricted_item():
    import hashlib

    from tracker import storage
    from tracker.evidence.models import EvidenceFile, EvidenceItem

    load_demo("demo-password-2026")
    files = db.session.scalars(sa.select(EvidenceFile)).all()
    assert {f.filename for f in files} == {"spot-survey-you-said-we-did.pdf", "childrens-ot-leaflet.pdf"}
    for stored in files:
        content = storage.path_of(stored.storage_key).read_bytes()
        assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == stored.sha256
        assert stored.content_type == "application/pdf"
    items = db.session.scalars(sa.select(EvidenceItem)).all()
    assert {item.status.value for item in items} == {"submitted", "accepted", "returned"}
    assert any(item.is_restricted for item in items)
    assert any(item.review_by and item.review_by < date.today() and item.status.value == "accepted" for item in items)


def test_an_interrupted_load_is_completed_by_the_next_one(monkeypatch):
    from tracker.demo import services
    from tracker.evidence.models import EvidenceItem

    real = services.create_evidence
    calls = {"n": 0}

    def fail_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the machine was switched off")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "create_evidence", fail_on_third)
    try:
        load_demo("demo-password-2026")
    except RuntimeError:
        pass
    monkeypatch.setattr(services, "create_evidence", real)
    assert count(EvidenceItem) == 2
    assert load_demo("demo-password-2026") is True
    assert count(EvidenceItem) == len(services.data.EVIDENCE)
    assert load_demo("demo-password-2026") is False
