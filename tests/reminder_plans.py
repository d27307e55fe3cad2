"""Plans for the reminder tests: one with every reason worth telling someone, on a fixed day, and the settings
that point the job at the tests' own servers."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tests import factories
from tracker.auth.models import User
from tracker.dates import LONDON
from tracker.evidence.models import EvidenceItem, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.information_requests.models import InformationRequest, InspectionPeriod, RequestCategory
from tracker.models import Role
from tracker.plan.models import Action

TUESDAY = date(2026, 12, 1)  # in the past, so that `--as-of` takes it
MONDAY = date(2026, 11, 30)
BASE = "https://tracker.example.gov.uk"
CHILD = "Alex Example"  # a child's name: never in any message


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """That London time as the job is given it, in UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(UTC)


NOW = at(TUESDAY)


def configure(app, monkeypatch, settings: dict) -> None:
    for name, value in ({"TRACKER_BASE_URL": BASE, "TRACKER_REMINDER_HOUR": "7"} | settings).items():
        monkeypatch.setitem(app.config, name, value)


@dataclass
class EveryReason:
    officer: User
    leader: User
    due_30: Action
    due_7: Action
    due_1: Action
    overdue: Action
    stale: Action
    returned: EvidenceItem
    waiting: EvidenceItem
    past_review: EvidenceItem
    measure_id: int
    request_due: InformationRequest
    request_overdue: InformationRequest


def every_reason(on: date = TUESDAY, now: datetime = NOW) -> EveryReason:
    """An officer with one item for every reason the issue lists, and a leader with evidence to review."""
    officer = factories.UserFactory(name="Sam Officer", email="sam.officer@council.example")
    leader = factories.UserFactory(name="Lee Leader", email="lee.leader@council.example", role=Role.LEADER)
    factories.UserFactory(name="Ada Admin", email="ada@council.example", role=Role.ADMIN)

    def action(reference: str, title: str, due: date, **more) -> Action:
        return factories.ActionFactory(owner=officer, reference=reference, title=title, due_date=due, **more)

    plan = EveryReason(
        officer=officer,
        leader=leader,
        due_30=action("A30", "Publish the Local Offer refresh", on + timedelta(days=30)),
        due_7=action("A7", "Agree the joint commissioning plan", on + timedelta(days=7)),
        due_1=action("A1", "Send the EHCP timeliness report", on + timedelta(days=1)),
        overdue=action("A0", "Recruit two educational psychologists", on - timedelta(days=3)),
        stale=action(
            "AS", "Review the SEND ranges", on + timedelta(days=90), created_at=now - timedelta(days=60)
        ),
        returned=factories.EvidenceFactory(
            uploaded_by=officer,
            title="Parent carer forum minutes",
            status=EvidenceStatus.RETURNED,
            reviewed_at=now - timedelta(days=1),
        ),
        waiting=factories.EvidenceFactory(uploaded_by=officer, title="Annual review audit"),
        past_review=factories.EvidenceFactory(
            uploaded_by=officer,
            title="Joint commissioning strategy",
            status=EvidenceStatus.ACCEPTED,
            review_by=on - timedelta(days=1),
        ),
        measure_id=factories.MeasureFactory(
            owner=officer, name="EHC plans issued within 20 weeks", created_at=now - timedelta(days=200)
        ).id,
        request_due=None,  # type: ignore[arg-type]
        request_overdue=None,  # type: ignore[arg-type]
    )
    period = InspectionPeriod(notified_on=on - timedelta(days=2))
    db.session.add(period)
    db.session.flush()
    plan.request_due = _request(period, officer, 1, now + timedelta(hours=3))
    plan.request_overdue = _request(period, officer, 2, now - timedelta(hours=2))
    db.session.commit()
    return plan


def _request(period, owner, number: int, due_at: datetime) -> InformationRequest:
    request = InformationRequest(
        period_id=period.id,
        number=number,
        wording=f"The case file for {CHILD}, with the last annual review",
        category=RequestCategory.CASE_SAMPLING,
        owner_id=owner.id,
        due_at=due_at,
        names_child=True,
    )
    db.session.add(request)
    return request


def restricted_evidence(uploader: User, **more) -> EvidenceItem:
    return factories.EvidenceFactory(
        uploaded_by=uploader, title=f"{CHILD}'s EHC plan review", sensitivity=Sensitivity.RESTRICTED, **more
    )
