"""The generated partnership's self-evaluation: a statement for every criterion of the framework, with a
few versions each, citing live evidence, measures and surveys, most of them signed off by a leader.

A stage of tracker_dev.generate, run after the criteria (generate_frameworks): it reads the criteria and
live records the earlier stages wrote, and adds rows and audit events through the generator's writer.
"""

from datetime import timedelta

import sqlalchemy as sa

from tracker.evidence.models import EvidenceItem
from tracker.extensions import db
from tracker.frameworks.models import Criterion
from tracker.measures.models import Measure
from tracker.sef.models import CitedKind, SefCitation, SefSignOff, SefVersion
from tracker.surveys.models import Survey

VERSIONS = (1, 4)  # versions per statement, from-to
CITED = {CitedKind.EVIDENCE: (3, 15), CitedKind.MEASURE: (0, 3), CitedKind.SURVEY: (0, 2)}
WORDS = (
    "Families tell us {n} in {m} plans now reflect what matters to them.",
    "Waiting times in the east of the area are still too long; {n} families waited over {m} weeks.",
    "A joint triage panel meets weekly; {n} cases were reviewed in the last {m} weeks.",
)


def statements(gen) -> None:
    rng, out = gen.rng("sef"), gen.out
    criteria = db.session.scalars(sa.select(Criterion.id).order_by(Criterion.id)).all()
    pools = {
        kind: db.session.scalars(
            sa.select(model.id).where(model.archived_at.is_(None)).order_by(model.id)
        ).all()
        for kind, model in (
            (CitedKind.EVIDENCE, EvidenceItem),
            (CitedKind.MEASURE, Measure),
            (CitedKind.SURVEY, Survey),
        )
    }
    writers, leaders = gen.people["officer"] + gen.people["leader"], gen.people["leader"]
    for criterion_id in criteria:
        day = gen.day(rng, gen.start, gen.today - timedelta(days=60))
        for number in range(1, rng.randint(*VERSIONS) + 1):
            at, who = gen.moment(day, rng), rng.choice(writers)
            version_id = out.next_id(SefVersion.__table__)
            parts = {
                name: WORDS[index].format(n=rng.randint(2, 40), m=rng.randint(3, 12))
                for index, name in enumerate(("working_well", "to_improve", "being_done"))
            }
            out.add(
                SefVersion.__table__,
                {
                    "id": version_id,
                    "criterion_id": criterion_id,
                    "number": number,
                    "author_id": who,
                    "created_at": at,
                    **parts,
                },
            )
            cited: list[str] = []
            for kind, (low, high) in CITED.items():
                for target in rng.sample(pools[kind], min(len(pools[kind]), rng.randint(low, high))):
                    out.add(
                        SefCitation.__table__,
                        {
                            "id": out.next_id(SefCitation.__table__),
                            "version_id": version_id,
                            "kind": kind.value,
                            "position": len(cited),
                            "evidence_id": None,
                            "measure_id": None,
                            "survey_id": None,
                            kind.column: target,
                        },
                    )
                    cited.append(f"{kind.value}:{target}")
            out.event(
                "sef_version.saved",
                "sef_version",
                version_id,
                at,
                actor=who,
                after={"number": number, **parts, "cited": cited},
            )
            if rng.random() < 0.6:
                leader = rng.choice(leaders)
                signed_day = min(gen.today - timedelta(days=1), day + timedelta(days=rng.randint(1, 10)))
                signed_at = max(at + timedelta(hours=1), gen.moment(signed_day, rng))
                sign_off_id = out.next_id(SefSignOff.__table__)
                out.add(
                    SefSignOff.__table__,
                    {
                        "id": sign_off_id,
                        "version_id": version_id,
                        "criterion_id": criterion_id,
                        "signed_by_id": leader,
                        "signed_at": signed_at,
                    },
                )
                out.event(
                    "sef_sign_off.signed_off",
                    "sef_sign_off",
                    sign_off_id,
                    signed_at,
                    actor=leader,
                    after={"number": number},
                )
                day = signed_at.date()
            day = min(gen.today - timedelta(days=1), day + timedelta(days=rng.randint(5, 40)))
