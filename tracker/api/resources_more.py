"""The API's further resources: progress updates, evidence metadata, measures with their readings, and survey
summaries (docs/api.md). The same pattern as resources.py: `as_at_of()`, the page's own filter reader, the
plan as at the day (`plan_for`) or a query, one page by cursor, and `answer(...)`. A page is read in a fixed
number of queries whatever its size: the rows of the page, then one query for each kind of thing hanging off
them (selectinload or a grouped query), never one per row."""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.api import schemas_more as schemas
from tracker.api.lists import (
    Param,
    Slice,
    answer,
    as_at_of,
    next_link,
    offered,
    operation,
    page_in_sql,
    page_of,
    plan_for,
    whole_number,
)
from tracker.api.problems import bad_parameter
from tracker.api.resources import _values
from tracker.auth.models import User
from tracker.dates import today
from tracker.evidence.forms import read_evidence_filters
from tracker.evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import evidence_conditions
from tracker.extensions import db
from tracker.measures.models import Direction, Measure, MeasureReading, ReadingCorrection
from tracker.permissions import visible_evidence_clause
from tracker.plan.models import Action, ProgressUpdate
from tracker.readiness.services import end_of, measures_today
from tracker.surveys.models import Audience, Survey, SurveyComment, SurveyGroup, SurveyReply
from tracker.surveys.services import SummaryFilters, group_counts_of, question_summaries_of

# Progress updates ----------------------------------------------------------------------------------------

UPDATE_FILTERS = [
    Param(
        "action",
        {"type": "integer", "minimum": 1},
        "Only this action's updates (its id), as the action's page lists them.",
    ),
]


@operation("/progress-updates", "Progress updates on the actions", schemas.ProgressUpdateList, UPDATE_FILTERS)
def progress_updates():
    """Each progress update written by the end of `as_at` (dated that day or earlier, and entered by then) on
    an action the actions list holds as at that day, by id. Updates are never changed once written."""
    day = as_at_of()
    action = whole_number("action")
    live: sa.Select | list[int]
    if day == today():  # today's actions are the live ones: no plan to work out, as the actions list
        chosen = [Action.id == action] if action else []
        live = sa.select(Action.id).where(Action.archived_at.is_(None), *chosen)
    else:
        plan = plan_for(day)
        live = [action] if action in plan.actions else [] if action else sorted(plan.actions)
    query = (
        sa.select(ProgressUpdate)
        .where(
            ProgressUpdate.action_id.in_(live),
            ProgressUpdate.written_on <= day,
            ProgressUpdate.created_at <= end_of(day),
        )
        .options(
            selectinload(ProgressUpdate.author),
            selectinload(ProgressUpdate.action).load_only(Action.reference),
        )
    )
    page = page_in_sql(query, ProgressUpdate.id)
    return answer(
        schemas.ProgressUpdateList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.ProgressUpdate(
                    id=update.id,
                    action_id=update.action_id,
                    action_reference=update.action.reference,
                    written_on=update.written_on,
                    author=update.author.name,
                    body=update.body,
                    percent_complete=update.percent_complete,
                    status=update.status,
                    status_label=update.status.label,
                    rag_note=update.rag_note,
                )
                for update in page.items
            ],
        )
    )


# Evidence metadata ---------------------------------------------------------------------------------------

EVIDENCE_FILTERS = [
    Param(
        "include_restricted",
        {"type": "boolean"},
        "true: include restricted evidence the token's maker may see (leaders: all; anyone else: what they "
        "added). Left out or false: no restricted item, even to a leader.",
    ),
    Param("status", _values(EvidenceStatus), "Only evidence with this status."),
    Param("kind", _values(EvidenceKind), "Only documents, links or notes."),
    Param("sensitivity", _values(Sensitivity), "Only evidence of this sensitivity."),
    Param(
        "finding",
        {"type": "integer", "minimum": 1},
        "Only evidence supporting this finding (its id) or its live actions, as the evidence list filters.",
    ),
    Param(
        "action", {"type": "string", "maxLength": 40}, "Only evidence supporting this action (its reference)."
    ),
    Param(
        "added_by", {"type": "string", "maxLength": 254}, "Part of the name or email address of who added it."
    ),
    Param("about_from", {"type": "string", "format": "date"}, "Only evidence about this day or later."),
    Param("about_to", {"type": "string", "format": "date"}, "Only evidence about this day or earlier."),
    Param("text", {"type": "string", "maxLength": 200}, "Words in the title or description."),
    Param(
        "expired",
        {"type": "string", "enum": ["1"]},
        "1: only evidence whose review-by date has passed, as the evidence list's filter.",
    ),
]
BOOLEAN = {"true": True, "false": False}


def _evidence_args() -> MultiDict:
    """The request's filters as the evidence list's address carries them, for its one reader
    (`read_evidence_filters`): the API takes a day as YYYY-MM-DD, the page as day, month and year. A value the
    page would ignore is a 400 here, since a report should know its filter did nothing."""
    args = MultiDict(request.args)
    for name in ("about_from", "about_to"):
        raw = request.args.get(name)
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise bad_parameter(name, f"{name} must be a date: YYYY-MM-DD.") from None
            if day.year < 1900:
                raise bad_parameter(name, f"{name} must be 1900 or later.")
            args.setlist(name, [str(day.day), str(day.month), str(day.year)])
    for name, kind in (("status", EvidenceStatus), ("kind", EvidenceKind), ("sensitivity", Sensitivity)):
        offered(name, [member.value for member in kind])
    whole_number("finding")
    offered("expired", ["1"])
    if request.args.get("include_restricted", "") not in ("", *BOOLEAN):
        raise bad_parameter("include_restricted", "include_restricted must be true or false.")
    return args


@operation(
    "/evidence", "Evidence: its metadata, never a file's content", schemas.EvidenceList, EVIDENCE_FILTERS
)
def evidence():
    """Each live item of evidence the token's maker may see that was added by the end of `as_at`, filtered as
    the evidence list filters (the same reader and conditions), by id. Titles, status and links are as they
    are now. Restricted evidence only with include_restricted=true, and then only what the maker may see. No
    file's content, description, note or address: a file's name, size and type at most."""
    day = as_at_of()
    _, filters = read_evidence_filters(_evidence_args())
    include_restricted = BOOLEAN.get(request.args.get("include_restricted", ""), False)
    if filters.sensitivity is Sensitivity.RESTRICTED and not include_restricted:
        raise bad_parameter(
            "sensitivity", "Restricted evidence is listed only with include_restricted=true: add it."
        )
    cutoff = end_of(day)
    conditions = [*evidence_conditions(current_user, filters), EvidenceItem.created_at <= cutoff]
    if not include_restricted:
        conditions.append(EvidenceItem.sensitivity != Sensitivity.RESTRICTED)
    # visible_evidence_clause is in evidence_conditions already; said again here, where the API's one rule on
    # restricted evidence is read (docs/api.md): leaders all, anyone else only what they added
    conditions.append(visible_evidence_clause(current_user, EvidenceItem))
    query = (
        sa.select(EvidenceItem)
        .where(*conditions)
        .options(
            selectinload(EvidenceItem.uploaded_by),
            selectinload(EvidenceItem.findings),
            selectinload(EvidenceItem.actions),
            selectinload(EvidenceItem.files),
        )
    )
    page = page_in_sql(query, EvidenceItem.id)
    data = []
    for item in page.items:
        files = [found for found in item.files if found.uploaded_at <= cutoff]
        latest = files[-1] if files else None
        data.append(
            schemas.EvidenceMetadata(
                id=item.id,
                title=item.title,
                kind=item.kind,
                kind_label=item.kind.label,
                status=item.status,
                status_label=item.status.label,
                sensitivity=item.sensitivity,
                sensitivity_label=item.sensitivity.label,
                about_date=item.about_date,
                review_by=item.review_by,
                expired=item.review_by is not None and item.review_by < day,
                uploaded_by=item.uploaded_by.name,
                added_on=item.created_at.date(),
                finding_ids=sorted(finding.id for finding in item.findings),
                action_ids=sorted(action.id for action in item.actions),
                file=schemas.EvidenceFileMetadata(
                    name=latest.filename,
                    size_bytes=latest.size_bytes,
                    content_type=latest.content_type,
                    version=latest.version,
                )
                if latest
                else None,
                page=url_for("evidence.detail", evidence_id=item.id, _external=True),
            )
        )
    return answer(schemas.EvidenceList(as_at=day, next=next_link(page.next_after, day), data=data))


# Measures with their readings ----------------------------------------------------------------------------


@operation("/measures", "Measures with their readings and corrections", schemas.MeasureList)
def measures():
    """Each live measure as at the end of `as_at`, with its status and why as on its page, and its readings
    entered by then, each with the value it had then and the corrections made by then (the figure each
    replaced, why, when and by whom), by id. The measures page has no filters, so neither has this."""
    day = as_at_of()
    if request.args.get("archived"):
        raise bad_parameter(
            "archived", "The API lists live measures only: archived measures are on the measures page."
        )
    if day == today():  # the live measures, paged in SQL, and only the page's worked out
        rows = page_in_sql(sa.select(Measure).where(Measure.archived_at.is_(None)), Measure.id)
        worked_out = measures_today(
            sa.select(Measure.id).where(Measure.id.in_([row.id for row in rows.items]))
        )
        page = Slice([worked_out[row.id] for row in rows.items], rows.next_after)
    else:
        page = page_of(list(plan_for(day).measures.values()), lambda measure: measure.id)
    ids, cutoff = [measure.id for measure in page.items], end_of(day)
    owners = dict(
        db.session.execute(
            sa.select(Measure.id, User.name)
            .join(User, User.id == Measure.owner_id)
            .where(Measure.id.in_(ids))
        )
        .tuples()
        .all()
    )
    readings: dict[int, list[MeasureReading]] = defaultdict(list)
    for reading in db.session.scalars(
        sa.select(MeasureReading)
        .where(MeasureReading.measure_id.in_(ids), MeasureReading.entered_at <= cutoff)
        .options(
            selectinload(MeasureReading.entered_by),
            selectinload(MeasureReading.corrections).selectinload(ReadingCorrection.corrected_by),
        )
        .order_by(MeasureReading.period_end)
    ):
        readings[reading.measure_id].append(reading)
    linked = {reading.evidence_id for found in readings.values() for reading in found if reading.evidence_id}
    # a reading's evidence, as its page links it, for those who may see it; never a restricted item's id
    shown = set(
        db.session.scalars(
            sa.select(EvidenceItem.id).where(
                EvidenceItem.id.in_(linked),
                EvidenceItem.archived_at.is_(None),
                EvidenceItem.sensitivity != Sensitivity.RESTRICTED,
                visible_evidence_clause(current_user, EvidenceItem),
            )
        )
    )
    return answer(
        schemas.MeasureList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.Measure(
                    id=measure.id,
                    name=measure.name,
                    unit=measure.unit,
                    direction=Direction(measure.direction),
                    owner=owners.get(measure.id, ""),
                    baseline=schemas.Baseline(on=measure.baseline[0], value=measure.baseline[1])
                    if measure.baseline
                    else None,
                    target=schemas.Target(on=measure.target[0], value=measure.target[1])
                    if measure.target
                    else None,
                    latest=measure.latest,
                    status=measure.status,
                    status_reason=measure.status_reason,
                    readings=[_reading(reading, cutoff, shown) for reading in readings[measure.id]],
                )
                for measure in page.items
            ],
        )
    )


def _reading(reading: MeasureReading, cutoff, shown: set[int]) -> schemas.Reading:
    """A reading as it stood at `cutoff`: a correction made later is undone (the earliest later one holds the
    figure it had then), and only corrections made by then are listed."""
    made = [correction for correction in reading.corrections if correction.corrected_at <= cutoff]
    later = [correction for correction in reading.corrections if correction.corrected_at > cutoff]
    value, note = reading.value, reading.note
    if later:
        value, note = later[0].previous_value, later[0].previous_note
    return schemas.Reading(
        id=reading.id,
        period_end=reading.period_end,
        value=value,
        note=note,
        entered_by=reading.entered_by.name,
        evidence_id=reading.evidence_id if reading.evidence_id in shown else None,
        corrections=[
            schemas.ReadingCorrection(
                previous_value=correction.previous_value,
                previous_note=correction.previous_note,
                reason=correction.reason,
                corrected_on=correction.corrected_at.date(),
                corrected_by=correction.corrected_by.name,
            )
            for correction in made
        ],
    )


# Survey summaries ----------------------------------------------------------------------------------------

SURVEY_FILTERS = [
    Param("group", _values(Audience), "Only this group's replies, as the survey page's group filter."),
    Param(
        "team",
        {"type": "string", "maxLength": 120},
        "Only the replies naming this team, as the survey page's team filter (a survey with no such team "
        "counts none).",
    ),
]


@operation(
    "/survey-summaries",
    "Survey summaries: replies and answers counted",
    schemas.SurveySummaryList,
    SURVEY_FILTERS,
)
def survey_summaries():
    """Each live survey made by the end of `as_at`, with the figures its page shows: replies and distinct
    respondents per group, and each counted question's answers over the replies that answered it, by id.
    Counts only: no comment's text (restricted or not) and no reply's answers one by one. Replies carry no
    date they were entered, so the counts are as they are now."""
    day = as_at_of()
    audience = offered("group", [member.value for member in Audience])
    team = request.args.get("team", "").strip()
    if len(team) > 120:
        raise bad_parameter("team", "team must be 120 characters or fewer.")
    filters = SummaryFilters(Audience(audience) if audience else None, team)
    query = (
        sa.select(Survey)
        .where(Survey.archived_at.is_(None), Survey.created_at <= end_of(day))
        .options(selectinload(Survey.groups), selectinload(Survey.questions), selectinload(Survey.findings))
    )
    page = page_in_sql(query, Survey.id)
    groups, summaries = group_counts_of(page.items, filters), question_summaries_of(page.items, filters)
    comments = _comment_counts([survey.id for survey in page.items], filters)
    return answer(
        schemas.SurveySummaryList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.SurveySummary(
                    id=survey.id,
                    title=survey.title,
                    service=survey.service,
                    opened_on=survey.opened_on,
                    closed_on=survey.closed_on,
                    finding_ids=sorted(finding.id for finding in survey.findings),
                    groups=[
                        schemas.GroupReplies(
                            audience=count.group.audience,
                            audience_label=count.group.audience.label,
                            replies=count.replies,
                            respondents=count.respondents,
                            small_base=count.small_base,
                            in_words=count.in_words,
                        )
                        for count in groups[survey.id]
                    ],
                    questions=[
                        schemas.QuestionSummary(
                            question_id=summary.question.id,
                            question=summary.question.text,
                            kind=summary.question.kind,
                            audience=summary.group.audience,
                            base=summary.base,
                            small_base=summary.small_base,
                            answers=[
                                schemas.AnswerCount(value=got.value, count=got.count, percent=got.percent)
                                for got in summary.answers
                            ],
                        )
                        for summary in summaries[survey.id]
                    ],
                    comments=comments.get(survey.id, 0),
                )
                for survey in page.items
            ],
        )
    )


def _comment_counts(survey_ids: list[int], filters: SummaryFilters) -> dict[int, int]:
    """How many comments each survey has, of the group and team asked for, in one query: a count, as the
    comments page tells those who may not read a restricted comment how many there are."""
    query = (
        sa.select(SurveyComment.survey_id, sa.func.count())
        .join(SurveyGroup, SurveyGroup.id == SurveyComment.group_id)
        .outerjoin(SurveyReply, SurveyReply.id == SurveyComment.reply_id)
        .where(SurveyComment.survey_id.in_(survey_ids))
        .group_by(SurveyComment.survey_id)
    )
    if filters.audience:
        query = query.where(SurveyGroup.audience == filters.audience)
    if filters.team:
        query = query.where(SurveyReply.team == filters.team)
    return dict(db.session.execute(query).tuples().all())
