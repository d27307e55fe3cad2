"""Survey summaries that state their denominators, computed in SQL from the stored replies."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.surveys.models import Survey, SurveyAnswer, SurveyGroup, SurveyQuestion, SurveyReply

SMALL_BASE = 10


@dataclass
class GroupCount:
    group: SurveyGroup
    replies: int
    respondents: int | None  # None when the replies carry no respondent identifier


@dataclass
class AnswerCount:
    value: str
    count: int
    base: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.base) if self.base else 0


@dataclass
class QuestionSummary:
    question: SurveyQuestion
    group: SurveyGroup
    answers: list[AnswerCount] = field(default_factory=list)

    @property
    def base(self) -> int:
        return self.answers[0].base if self.answers else 0

    @property
    def small_base(self) -> bool:
        return self.base < SMALL_BASE


def list_surveys() -> list[Survey]:
    return db.session.scalars(
        sa.select(Survey).where(Survey.archived_at.is_(None)).order_by(Survey.opened_on.desc(), Survey.title)
    ).all()


def load_survey(survey_id: int) -> Survey:
    return db.first_or_404(
        sa.select(Survey)
        .where(Survey.id == survey_id, Survey.archived_at.is_(None))
        .options(selectinload(Survey.groups), selectinload(Survey.questions), selectinload(Survey.responses))
    )


def group_counts(survey: Survey) -> list[GroupCount]:
    """Replies and distinct respondents per group: '39 replies from 29 SENCOs'."""
    rows = db.session.execute(
        sa.select(
            SurveyReply.group_id,
            sa.func.count(SurveyReply.id),
            sa.func.count(sa.distinct(SurveyReply.respondent_key)),
            sa.func.count(SurveyReply.respondent_key),
        )
        .where(SurveyReply.survey_id == survey.id)
        .group_by(SurveyReply.group_id)
    ).all()
    by_group = {group_id: (replies, distinct, keyed) for group_id, replies, distinct, keyed in rows}
    counts = []
    for group in survey.groups:
        replies, distinct, keyed = by_group.get(group.id, (0, 0, 0))
        counts.append(GroupCount(group, replies, distinct if keyed == replies and replies else None))
    return counts


def question_summaries(survey: Survey) -> list[QuestionSummary]:
    """For each question and group that answered it: each answer's count over the group's answers."""
    rows = db.session.execute(
        sa.select(SurveyAnswer.question_id, SurveyReply.group_id, SurveyAnswer.value, sa.func.count())
        .join(SurveyReply, SurveyReply.id == SurveyAnswer.reply_id)
        .where(SurveyReply.survey_id == survey.id)
        .group_by(SurveyAnswer.question_id, SurveyReply.group_id, SurveyAnswer.value)
    ).all()
    tallies: dict[tuple[int, int], dict[str, int]] = {}
    for question_id, group_id, value, count in rows:
        tallies.setdefault((question_id, group_id), {})[value] = count
    summaries = []
    for question in survey.questions:
        for group in survey.groups:
            tally = tallies.get((question.id, group.id))
            if not tally:
                continue
            base = sum(tally.values())
            answers = [AnswerCount(value, count, base) for value, count in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]
            summaries.append(QuestionSummary(question, group, answers))
    return summaries
