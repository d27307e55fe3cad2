"""The generated partnership's inspection under way: a period notified six working days before the
reference day, with two requests per finding of the scale (a county's 120), and an earlier closed period
with half as many. Owners are leaders and officers (officer1 owns some, for "My requests"); those due
before the reference day are mostly sent or closed, a few still open (overdue); about one in twenty names
a child; each has up to three evidence items attached.

A stage of tracker_dev.generate, run last: it reads the people and live evidence the earlier stages wrote,
and adds rows and audit events through the generator's writer.
"""

from collections.abc import Sequence
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from tracker.dates import LONDON, add_working_days
from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.information_requests.models import (
    InformationRequest,
    InspectionPeriod,
    RequestCategory,
    RequestEvidence,
    RequestStatus,
)

WORDING = (
    "Person-level list of children and young people with SEND, as of {d}.",
    "Minutes of the last {n} SEND partnership board meetings.",
    "EHC needs assessment timeliness for the last {n} months, by locality.",
    "Health commissioning template, completed for {n} services.",
    "Alternative provision commissioned in the last {n} months, with quality assurance.",
    "Case file documents for tracking case {n}.",
    "Parent carer forum feedback from the last {n} months.",
)
CATEGORIES = (
    RequestCategory.DATA,
    RequestCategory.PARTNERSHIP,
    RequestCategory.DATA,
    RequestCategory.COMMISSIONING,
    RequestCategory.COMMISSIONING,
    RequestCategory.CASE_SAMPLING,
    RequestCategory.VOICE,
)


def periods(gen) -> None:
    rng = gen.rng("requests")
    evidence = db.session.scalars(
        sa.select(EvidenceItem.id).where(EvidenceItem.archived_at.is_(None)).order_by(EvidenceItem.id)
    ).all()
    owners = gen.people["officer"] + gen.people["leader"]
    earlier = add_working_days(gen.today, -260)
    _period(gen, rng, earlier, max(1, gen.scale.findings), owners, evidence, closed=True)
    _period(
        gen,
        rng,
        add_working_days(gen.today, -6),
        max(2, 2 * gen.scale.findings),
        owners,
        evidence,
        closed=False,
    )


def _period(
    gen, rng, notified_on, count: int, owners: list[int], evidence: Sequence[int], closed: bool
) -> None:
    out, leader = gen.out, gen.people["leader"][0]
    opened_at = datetime.combine(notified_on, time(10), tzinfo=LONDON)
    period_id = out.next_id(InspectionPeriod.__table__)
    closed_at = (
        datetime.combine(add_working_days(notified_on, 15), time(17), tzinfo=LONDON) if closed else None
    )
    out.add(
        InspectionPeriod.__table__,
        {
            "id": period_id,
            "notified_on": notified_on,
            "inspection_id": None,
            "opened_by_id": leader,
            "opened_at": opened_at,
            "closed_by_id": leader if closed else None,
            "closed_at": closed_at,
            "open_marker": None if closed else True,
        },
    )
    out.event(
        "inspection_period.opened",
        "inspection_period",
        period_id,
        opened_at,
        actor=leader,
        after={"notified_on": notified_on.isoformat(), "inspection": None},
    )
    now = datetime.combine(gen.today, time(12), tzinfo=LONDON)
    for number in range(1, count + 1):
        logged = opened_at + timedelta(minutes=10 * number % (5 * 24 * 60))
        due = datetime.combine(
            add_working_days(notified_on, rng.randint(1, 12)), time(rng.choice((10, 12, 17))), tzinfo=LONDON
        )
        status = _status(rng, due < now or closed)
        owner = owners[0] if number % 5 == 0 else rng.choice(owners)  # officer1 owns every fifth
        request_id = out.next_id(InformationRequest.__table__)
        kind = rng.randrange(len(WORDING))
        row = {
            "id": request_id,
            "period_id": period_id,
            "number": number,
            "wording": WORDING[kind].format(n=rng.randint(2, 12), d=notified_on.isoformat()),
            "category": CATEGORIES[kind].value,
            "owner_id": owner,
            "due_at": due,
            "status": status.value,
            "response": "Sent to the lead inspector by secure email." if status.is_answered else "",
            "names_child": CATEGORIES[kind] is RequestCategory.CASE_SAMPLING and rng.random() < 0.4,
            "logged_by_id": leader,
            "version": 1,
            "created_at": logged,
            "updated_at": logged,
        }
        out.add(InformationRequest.__table__, row)
        out.event(
            "information_request.logged",
            "information_request",
            request_id,
            logged,
            actor=leader,
            after={
                "reference": f"R{number}",
                "wording": row["wording"],
                "owner_id": owner,
                "due_at": due.isoformat(),
                "status": "open",
            },
        )
        for evidence_id in rng.sample(evidence, min(len(evidence), rng.randint(0, 3))):
            out.add(
                RequestEvidence.__table__,
                {
                    "request_id": request_id,
                    "evidence_id": evidence_id,
                    "uploaded_for": False,
                    "attached_by_id": owner,
                    "attached_at": logged + timedelta(hours=1),
                },
            )
        if status is not RequestStatus.OPEN:
            out.event(
                "information_request.updated",
                "information_request",
                request_id,
                logged + timedelta(hours=2),
                actor=owner,
                before={"status": "open"},
                after={"status": status.value, "response": row["response"]},
            )
        out.checkpoint()
    if closed:
        out.event(
            "inspection_period.closed",
            "inspection_period",
            period_id,
            closed_at,
            actor=leader,
            before={"closed": False},
            after={"closed": True},
        )


def _status(rng, past_due: bool) -> RequestStatus:
    if past_due:
        return rng.choices((RequestStatus.CLOSED, RequestStatus.SENT, RequestStatus.OPEN), (6, 3, 1))[0]
    return rng.choices((RequestStatus.OPEN, RequestStatus.IN_PROGRESS, RequestStatus.SENT), (5, 4, 1))[0]
