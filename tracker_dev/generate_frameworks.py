"""The generated partnership's criteria: the shipped framework, and its findings, actions, measures,
evidence and surveys linked to the criteria, as leaders would link them.

A stage of tracker_dev.generate, run after the surveys: it takes the running generator for its random
stream, its findings and actions, and its writer of rows and audit events.
"""

import hashlib
from datetime import datetime, timezone

from tracker.frameworks.loader import SHIPPED, read_framework
from tracker.frameworks.models import Criterion, CriterionLink, EvaluationArea, Framework, LinkKind

# how many records of each kind a criterion has linked, from-to: a few criteria gather many links
LINKS_PER_CRITERION = {
    LinkKind.FINDING: (1, 4),
    LinkKind.ACTION: (3, 25),
    LinkKind.MEASURE: (0, 3),
    LinkKind.EVIDENCE: (2, 40),
    LinkKind.SURVEY: (0, 2),
}


def criteria(gen) -> None:
    """The shipped framework as `flask frameworks load` would load it, then each criterion's links."""
    rng, out = gen.rng("frameworks"), gen.out
    content = SHIPPED.read_bytes()
    shape = read_framework(content)
    loaded = datetime(gen.start.year, gen.start.month, gen.start.day, 9, tzinfo=timezone.utc)
    framework_id = out.next_id(Framework.__table__)
    source = shape.source
    out.add(
        Framework.__table__,
        {
            "id": framework_id,
            "key": shape.key,
            "version": shape.version,
            "name": shape.name,
            "source": f"{source.title}, {source.publisher}, {source.date}",
            "source_url": shape.source_url,
            "wording_note": shape.wording_note,
            "published_on": shape.published_on,
            "outcomes": [outcome.model_dump() for outcome in shape.outcomes],
            "file_sha256": hashlib.sha256(content).hexdigest(),
            "loaded_at": loaded,
            "created_at": loaded,
            "updated_at": loaded,
        },
    )
    out.event(
        "framework.loaded",
        "framework",
        framework_id,
        loaded,
        after={"source": "generated", "label": shape.version},
    )
    areas = {}
    for position, area in enumerate(shape.areas):
        areas[area.key] = out.next_id(EvaluationArea.__table__)
        out.add(
            EvaluationArea.__table__,
            {
                "id": areas[area.key],
                "framework_id": framework_id,
                "key": area.key,
                "title": area.title,
                "description": area.description,
                "position": position,
            },
        )
        out.created("evaluation_area", areas[area.key], loaded, area.key)
    criterion_ids = []
    for position, criterion in enumerate(shape.criteria):
        criterion_ids.append(out.next_id(Criterion.__table__))
        out.add(
            Criterion.__table__,
            {
                "id": criterion_ids[-1],
                "framework_id": framework_id,
                "area_id": areas[criterion.area],
                "key": criterion.key,
                "title": criterion.title,
                "wording": criterion.wording,
                "guidance": criterion.guidance,
                "position": position,
            },
        )
        out.created("criterion", criterion_ids[-1], loaded, criterion.key)
    pools = {
        LinkKind.FINDING: [finding.id for finding in gen.findings],
        LinkKind.ACTION: [action.id for action in gen.actions],
        LinkKind.MEASURE: list(range(1, out.counts["measure"] + 1)),
        LinkKind.EVIDENCE: list(range(1, out.counts["evidence_item"] + 1)),
        LinkKind.SURVEY: list(range(1, out.counts["survey"] + 1)),
    }
    leaders = gen.people["leader"]
    for criterion_id in criterion_ids:
        for kind, (low, high) in LINKS_PER_CRITERION.items():
            pool = pools[kind]
            wanted = min(len(pool), low + int((high - low) * rng.random() ** 2))
            for target in sorted(rng.sample(pool, wanted)):
                link_id, who = out.next_id(CriterionLink.__table__), rng.choice(leaders)
                at = gen.moment(gen.day(rng, gen.start, gen.today), rng)
                out.add(
                    CriterionLink.__table__,
                    {
                        "id": link_id,
                        "criterion_id": criterion_id,
                        "kind": kind.value,
                        "finding_id": None,
                        "action_id": None,
                        "measure_id": None,
                        "evidence_id": None,
                        "survey_id": None,
                        kind.column: target,
                        "created_by_id": who,
                        "created_at": at,
                    },
                )
                out.event(
                    "criterion.linked",
                    "criterion",
                    criterion_id,
                    at,
                    actor=who,
                    after={"link": link_id, "kind": kind.value, "record_id": target},
                )
