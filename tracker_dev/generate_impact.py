"""The generated partnership's impact: measures with monthly readings, evidence with files, surveys with
replies.

Each stage takes the running generator (tracker_dev.generate) for its random streams, its people, findings
and actions, and its writer of rows and audit events.
"""

import random
from datetime import date, datetime, timedelta

from tracker.evidence.models import EvidenceItem, Sensitivity, evidence_action, evidence_finding
from tracker.measures.models import (
    Direction,
    Frequency,
    Measure,
    MeasureMilestone,
    MeasureReading,
    measure_finding,
)
from tracker.plan.models import FindingKind, action_measure
from tracker.surveys.importer import respondent_key
from tracker.surveys.models import (
    Audience,
    PublicationStatus,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyGroup,
    SurveyQuestion,
    SurveyReply,
    YouSaidWeDid,
    comment_finding,
    comment_theme,
    response_action,
    response_comment,
    survey_finding,
)
from tracker_dev import generate_text as words

SENSITIVITY = {Sensitivity.INTERNAL: 75, Sensitivity.PUBLIC: 20, Sensitivity.RESTRICTED: 5}
REVIEW = {"accepted": 65, "submitted": 20, "returned": 15}


def _month_ends(before: date, count: int) -> list[date]:
    """The last `count` month ends before the month of `before`, oldest first."""
    ends: list[date] = []
    day = before.replace(day=1) - timedelta(days=1)
    while len(ends) < count:
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return ends[::-1]


def _rounded(unit: str, value: float) -> float:
    value = min(100.0, max(0.0, value)) if unit == "%" else max(0.0, value)
    return float(round(value)) if unit in ("count", "days") else round(value, 1)


def _concerns(gen) -> list:
    return [f for f in gen.findings if f.kind is not FindingKind.STRENGTH] or gen.findings


def _person(gen, rng: random.Random) -> int:
    """An officer, more often one of the busy ones, or now and then a leader."""
    if rng.random() < 0.2:
        return rng.choice(gen.people["leader"])
    officers = gen.people["officer"]
    return officers[min(int(rng.paretovariate(1.2)) - 1, len(officers) - 1)]


# Measures -----------------------------------------------------------------------------------------


def measures(gen) -> None:
    rng, specs = gen.rng("measures"), words.MEASURES
    areas = words.AREAS[: max(1, min(len(words.AREAS), -(-gen.scale.inspections // 3)))]
    places = [f"{area} {part}".strip() for area in areas for part in words.LOCALITIES]
    readings = 0
    for index in range(gen.scale.measures):
        name, unit, direction, baseline_range, target_range, description = specs[index % len(specs)]
        where = index // len(specs)
        name = f"{name} ({places[where] if where < len(places) else f'group {where + 1}'})"
        lag = rng.choice((2, 3)) if rng.random() < 0.1 else 0  # a few have stopped reporting: stale
        ends = _month_ends(gen.today, gen.scale.readings_per_measure + lag)[: gen.scale.readings_per_measure]
        baseline_on = ends[0].replace(day=1) - timedelta(days=1)
        baseline, target = (
            _rounded(unit, rng.uniform(*baseline_range)),
            _rounded(unit, rng.uniform(*target_range)),
        )
        target_on = (
            ends[-1] + timedelta(days=rng.randint(90, 400))
            if rng.random() < 0.85
            else ends[0] + timedelta(days=rng.randint(500, 900))
        )
        owner, measure_id = _person(gen, rng), index + 1
        # defined once its finding was known, with the figures since the baseline brought in at that moment
        created = min(
            max(
                gen.moment(baseline_on + timedelta(days=rng.randint(7, 20)), rng),
                _measure_links(gen, measure_id, rng) + timedelta(days=rng.randint(1, 20)),
            ),
            gen.moment(gen.today - timedelta(days=1), rng, 8, 8),
        )
        gen.out.add(
            Measure.__table__,
            {
                "id": measure_id,
                "name": name,
                "description": description,
                "unit": unit,
                "direction": Direction(direction),
                "baseline_value": baseline,
                "baseline_date": baseline_on,
                "target_value": target,
                "target_date": target_on,
                "frequency": Frequency.MONTHLY,
                "source": rng.choice(words.SOURCES),
                "owner_id": owner,
                "archived_at": None,
                "created_at": created,
                "updated_at": created,
            },
        )
        gen.out.created("measure", measure_id, created, name)
        _milestones(gen, measure_id, unit, (baseline_on, baseline), (target_on, target), rng)
        readings += _readings(
            gen,
            (measure_id, name, unit, owner, created),
            ends,
            (baseline_on, baseline),
            (target_on, target),
            rng,
        )
        gen.out.checkpoint()
    gen.say(f"Measures: {gen.scale.measures:,}, readings: {readings:,}")


def _milestones(
    gen,
    measure_id: int,
    unit: str,
    baseline: tuple[date, float],
    target: tuple[date, float],
    rng: random.Random,
) -> None:
    span = (target[0] - baseline[0]).days
    if span < 4 or rng.random() < 0.5:
        return
    for share in sorted(rng.sample((0.25, 0.5, 0.75), rng.randint(1, 2))):
        gen.out.add(
            MeasureMilestone.__table__,
            {
                "id": gen.out.next_id(MeasureMilestone.__table__),
                "measure_id": measure_id,
                "due_on": baseline[0] + timedelta(days=int(span * share)),
                "label": f"{int(share * 100)}% of the way",
                "value": _rounded(unit, baseline[1] + (target[1] - baseline[1]) * share),
            },
        )


def _measure_links(gen, measure_id: int, rng: random.Random) -> datetime:
    """Link the measure to one or two concerns and to actions answering them; returns when the latest was
    made."""
    findings = rng.sample(_concerns(gen), min(len(_concerns(gen)), rng.choice((1, 1, 2))))
    answering = sorted({action_id for finding in findings for action_id in finding.actions})
    actions = rng.sample(answering, min(len(answering), rng.randint(1, 3))) or [rng.choice(gen.actions).id]
    for finding in findings:
        gen.out.link(measure_finding, measure_id, finding.id)
    for action_id in sorted(actions):
        gen.out.link(action_measure, action_id, measure_id)
    return max(finding.made for finding in findings)


def _readings(
    gen,
    measure: tuple[int, str, str, int, datetime],
    ends: list[date],
    baseline: tuple[date, float],
    target: tuple[date, float],
    rng: random.Random,
) -> int:
    """Monthly figures: most measures keep near the straight path to their target, some fall behind or go
    backwards.

    Figures for months before the measure was defined were entered when it was.
    """
    measure_id, name, unit, owner, created = measure
    pull = rng.uniform(1.0, 1.4) if rng.random() < 0.7 else rng.uniform(-0.3, 0.7)
    gap, span = target[1] - baseline[1], (target[0] - baseline[0]).days
    for end in ends:
        value = (
            baseline[1] + gap * pull * min(1, (end - baseline[0]).days / span) + rng.gauss(0, abs(gap) * 0.04)
        )
        entered = gen.moment(
            min(end + timedelta(days=rng.randint(5, 20)), gen.today - timedelta(days=1)), rng, 9, 16
        )
        entered = max(entered, created + timedelta(minutes=1))
        reading_id = gen.out.next_id(MeasureReading.__table__)
        gen.out.add(
            MeasureReading.__table__,
            {
                "id": reading_id,
                "measure_id": measure_id,
                "period_end": end,
                "value": _rounded(unit, value),
                "note": "",
                "evidence_id": None,
                "entered_by_id": owner,
                "entered_at": entered,
            },
        )
        gen.out.created("measure_reading", reading_id, entered, f"{name}: {end.isoformat()}", actor=owner)
    return len(ends)


# Evidence -----------------------------------------------------------------------------------------


def evidence(gen) -> None:
    """Documents (each with its own small file), links and notes, for actions and findings, in every
    status."""
    rng, file_rng = gen.rng("evidence"), gen.rng("files")
    parts = words.Parts.make(file_rng)
    documents = set(rng.sample(range(gen.scale.evidence), gen.scale.documents))
    cumulative, total = [], 0
    for action in gen.actions:  # busy actions gather more evidence
        total += 1 + action.updates
        cumulative.append(total)
    finding_weights = [3 if f.kind is FindingKind.STRENGTH else 1 for f in gen.findings]
    for index in range(gen.scale.evidence):
        kind = "document" if index in documents else rng.choices(("link", "note"), (6, 4))[0]
        if rng.random() < 0.75:
            action = rng.choices(gen.actions, cum_weights=cumulative)[0]
            uploader = rng.choices(
                (action.owner, rng.choice(action.contributors or [action.owner]), _person(gen, rng)),
                (6, 2, 2),
            )[0]
            findings = [action.findings[0]] if rng.random() < 0.4 else []
            _item(
                gen,
                index + 1,
                kind,
                uploader,
                action.created.date(),
                findings,
                [action.id],
                rng,
                (file_rng, parts),
            )
        else:
            finding = rng.choices(gen.findings, finding_weights)[0]
            _item(
                gen,
                index + 1,
                kind,
                _person(gen, rng),
                finding.made.date(),
                [finding.id],
                [],
                rng,
                (file_rng, parts),
            )
        gen.out.checkpoint()
    gen.files.settle()
    gen.say(f"Evidence: {gen.scale.evidence:,} items, {gen.scale.documents:,} with files")


def _item(
    gen,
    item_id: int,
    kind: str,
    uploader: int,
    earliest: date,
    finding_ids: list[int],
    action_ids: list[int],
    rng: random.Random,
    files: tuple[random.Random, words.Parts],
) -> None:
    file_rng, parts = files
    yesterday = gen.today - timedelta(days=1)
    about = gen.day(rng, earliest, yesterday)
    created = gen.moment(min(about + timedelta(days=rng.randint(0, 10)), yesterday), rng)
    title, description, source = words.evidence_text(rng, kind, about)
    status = (
        "submitted"
        if (gen.today - created.date()).days <= 3
        else rng.choices(list(REVIEW), list(REVIEW.values()))[0]
    )
    reviewer = rng.choice(gen.people["leader"]) if status != "submitted" else None
    reviewed = (
        None
        if reviewer is None
        else min(
            created + timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 5)),
            gen.moment(yesterday, rng, 18, 20),
        )
    )
    comment = words.fill(rng, rng.choice(words.RETURN_COMMENTS)) if status == "returned" else None
    gen.out.add(
        EvidenceItem.__table__,
        {
            "id": item_id,
            "kind": kind,
            "title": title,
            "description": description,
            "source": source,
            "about_date": about,
            "url": f"{rng.choice(words.SITES)}/{words.slug(title)}-{item_id}" if kind == "link" else None,
            "note": words.sentences(rng, words.NOTES, 1, 3) if kind == "note" else None,
            "review_by": about + timedelta(days=rng.randint(180, 720)) if rng.random() < 0.35 else None,
            "status": status,
            "review_comment": comment,
            "reviewed_by_id": reviewer,
            "reviewed_at": reviewed,
            "sensitivity": rng.choices(list(SENSITIVITY), list(SENSITIVITY.values()))[0],
            "uploaded_by_id": uploader,
            "archived_at": None,
            "created_at": created,
            "updated_at": reviewed or created,
        },
    )
    gen.out.created("evidence_item", item_id, created, title, actor=uploader)
    if kind == "document":
        filename, content = words.document(file_rng, parts, item_id, title, about)
        gen.files.submit(
            filename, content, {"evidence_id": item_id, "uploaded_by_id": uploader, "uploaded_at": created}
        )
    for finding_id in finding_ids:
        gen.out.link(evidence_finding, item_id, finding_id)
    for action_id in action_ids:
        gen.out.link(evidence_action, item_id, action_id)
    if reviewer:
        gen.out.event(
            f"evidence_item.{status}",
            "evidence_item",
            item_id,
            reviewed,
            actor=reviewer,
            before={"status": "submitted", "review_comment": None},
            after={"status": status, "review_comment": comment},
        )


# Surveys ------------------------------------------------------------------------------------------


def surveys(gen) -> None:
    """Surveys of families and professionals, with their replies, answers, comments and "you said, we did"."""
    rng, titles = gen.rng("surveys"), set()
    span = (gen.today - timedelta(days=60) - gen.start).days
    areas = words.AREAS[: max(1, min(len(words.AREAS), -(-gen.scale.inspections // 3)))]
    for index in range(gen.scale.surveys):
        opened = gen.start + timedelta(
            days=span * (index + 1) // (gen.scale.surveys + 1) + rng.randint(-20, 20)
        )
        service = rng.choice(words.SURVEY_SERVICES)
        title = f"{service} survey in {areas[index % len(areas)]}, {opened:%B %Y}"
        title = title if title not in titles else f"{title} ({index + 1})"
        titles.add(title)
        _survey(gen, index + 1, title, service, opened, rng)
    gen.say(f"Surveys: {gen.scale.surveys:,}, replies: {gen.scale.surveys * gen.scale.replies_per_survey:,}")


def _survey(gen, survey_id: int, title: str, service: str, opened: date, rng: random.Random) -> None:
    closed, teams = opened + timedelta(days=rng.randint(21, 42)), rng.sample(words.TEAMS, 3)
    created = gen.moment(opened - timedelta(days=7), rng)
    gen.out.add(
        Survey.__table__,
        {
            "id": survey_id,
            "title": title,
            "service": service,
            "teams": ", ".join(teams),
            "opened_on": opened,
            "closed_on": closed,
            "archived_at": None,
            "created_at": created,
            "updated_at": created,
            "description": f"We asked families and professionals about {service.lower()} "
            "and what we could do better.",
        },
    )
    gen.out.created("survey", survey_id, created, title)
    audiences = [Audience.SENCOS, Audience.PARENTS_CARERS] + (
        [Audience.CHILDREN_YOUNG_PEOPLE] if rng.random() < 0.3 else []
    )
    groups = {}
    for position, audience in enumerate(audiences):
        groups[audience] = gen.out.next_id(SurveyGroup.__table__)
        gen.out.add(
            SurveyGroup.__table__,
            {"id": groups[audience], "survey_id": survey_id, "audience": audience, "position": position},
        )
    findings = rng.sample(gen.findings, min(len(gen.findings), rng.randint(1, 3)))
    for finding in findings:
        gen.out.link(survey_finding, survey_id, finding.id)
    questions = []
    for position, (text, kind) in enumerate(words.QUESTIONS):
        questions.append((gen.out.next_id(SurveyQuestion.__table__), QuestionKind(kind)))
        gen.out.add(
            SurveyQuestion.__table__,
            {
                "id": questions[-1][0],
                "survey_id": survey_id,
                "position": position,
                "text": text.format(service=service),
                "kind": kind,
                "source_column": "",
            },
        )
    comments = _replies(gen, survey_id, groups, questions, teams, findings, (opened, closed), rng)
    _responses(gen, survey_id, findings, comments, closed, rng)


def _replies(
    gen,
    survey_id: int,
    groups: dict,
    questions: list,
    teams: list[str],
    findings: list,
    period: tuple[date, date],
    rng: random.Random,
) -> list[int]:
    """The replies, each answering most questions; SENCOs may reply more than once. Returns the comment
    ids."""
    weights = {Audience.SENCOS: 6, Audience.PARENTS_CARERS: 4, Audience.CHILDREN_YOUNG_PEOPLE: 2}
    moods = {audience: rng.uniform(-1, 1) for audience in groups}
    keyed_parents, sencos = rng.random() < 0.5, max(1, round(gen.scale.replies_per_survey * 0.45))
    comments = []
    for _ in range(gen.scale.replies_per_survey):
        audience = rng.choices(list(groups), [weights[a] for a in groups])[0]
        reply_id = gen.out.next_id(SurveyReply.__table__)
        key = (
            f"senco-{rng.randrange(sencos)}"
            if audience is Audience.SENCOS
            else f"parent-{reply_id}"
            if audience is Audience.PARENTS_CARERS and keyed_parents
            else None
        )
        submitted = gen.moment(gen.day(rng, period[0], period[1]), rng, 7, 21)
        gen.out.add(
            SurveyReply.__table__,
            {
                "id": reply_id,
                "survey_id": survey_id,
                "group_id": groups[audience],
                "team": rng.choice(teams),
                "respondent_key": respondent_key(f"{survey_id}:{key}") if key else None,
                "source_row": f"generated:{reply_id}",
                "submitted_at": submitted,
                "respondent_name": None,
                "respondent_email": None,
                "import_id": None,
            },
        )
        for question_id, kind in questions:
            for value in _answer(kind, moods[audience], rng):
                if kind is QuestionKind.FREE_TEXT:
                    comments.append(
                        _comment(
                            gen,
                            survey_id,
                            groups[audience],
                            reply_id,
                            question_id,
                            value,
                            submitted,
                            findings,
                            rng,
                        )
                    )
                else:
                    gen.out.add(
                        SurveyAnswer.__table__,
                        {
                            "id": gen.out.next_id(SurveyAnswer.__table__),
                            "reply_id": reply_id,
                            "question_id": question_id,
                            "value": value,
                        },
                    )
        gen.out.checkpoint()
    return comments


def _answer(kind: QuestionKind, mood: float, rng: random.Random) -> list[str]:
    """What one reply says to one question: a happier group picks the better answers more often."""
    if kind is QuestionKind.FREE_TEXT:
        return [words.fill(rng, rng.choice(words.COMMENTS))] if rng.random() < 0.25 else []
    if rng.random() < 0.05:
        return []  # skipped
    if kind is QuestionKind.YES_NO:
        return ["Yes" if rng.random() < 0.75 + 0.15 * mood else "No"]
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return rng.sample(words.HELPED, rng.choices((1, 2, 3), (5, 3, 2))[0])
    scale = [max(1.0, weight * (1 + mood * (2 - i) * 0.3)) for i, weight in enumerate((30, 35, 15, 12, 8))]
    if kind is QuestionKind.RATING:
        return [str(5 - rng.choices(range(5), scale)[0])]
    return [rng.choices(words.SATISFACTION, scale)[0]]


def _comment(
    gen,
    survey_id: int,
    group_id: int,
    reply_id: int,
    question_id: int,
    text: str,
    at,
    findings: list,
    rng: random.Random,
) -> int:
    comment_id = gen.out.next_id(SurveyComment.__table__)
    gen.out.add(
        SurveyComment.__table__,
        {
            "id": comment_id,
            "survey_id": survey_id,
            "group_id": group_id,
            "reply_id": reply_id,
            "question_id": question_id,
            "text": text,
            "created_at": at,
        },
    )
    if rng.random() < 0.3:
        gen.out.link(comment_theme, comment_id, rng.randint(1, len(words.THEME_KEYS)))
    if rng.random() < 0.1:
        gen.out.link(comment_finding, comment_id, rng.choice(findings).id)
    return comment_id


def _responses(
    gen, survey_id: int, findings: list, comments: list[int], closed: date, rng: random.Random
) -> None:
    """'You said, we did' entries, each linked to the actions taken and the comments that prompted them."""
    answering = sorted({action_id for finding in findings for action_id in finding.actions}) or [
        a.id for a in gen.actions
    ]
    at = gen.moment(min(closed + timedelta(days=rng.randint(14, 60)), gen.today - timedelta(days=1)), rng)
    for position, (said, did) in enumerate(rng.sample(words.YOU_SAID, rng.randint(3, 5))):
        response_id = gen.out.next_id(YouSaidWeDid.__table__)
        gen.out.add(
            YouSaidWeDid.__table__,
            {
                "id": response_id,
                "survey_id": survey_id,
                "position": position,
                "you_said": words.fill(rng, said),
                "we_did": did,
                "status": PublicationStatus.PUBLISHED if rng.random() < 0.7 else PublicationStatus.DRAFT,
            },
        )
        gen.out.created("you_said_we_did", response_id, at, said[:60])
        for action_id in sorted(rng.sample(answering, min(len(answering), rng.randint(1, 2)))):
            gen.out.link(response_action, response_id, action_id)
        for comment_id in sorted(rng.sample(comments, min(len(comments), rng.randint(1, 3)))):
            gen.out.link(response_comment, response_id, comment_id)
