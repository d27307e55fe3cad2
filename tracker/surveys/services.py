"""Survey rules and queries: surveys and their groups, summaries that state their denominators,
comment tags and "you said, we did" entries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import audit, charts
from tracker.auth.models import User
from tracker.errors import UserError
from tracker.extensions import db
from tracker.paging import Page, paginate
from tracker.permissions import can_view_restricted, visible_comment_clause
from tracker.plan.models import Action, Finding, Theme, reference_key
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
    survey_finding,
)
from tracker.surveys.scales import scale_order
from tracker.text import counted, plural

SMALL_BASE = 10

# singular and plural, as in "39 replies from 29 SENCOs"
RESPONDENT_NOUNS = {
    Audience.PARENTS_CARERS: ("parent or carer", "parents and carers"),
    Audience.SENCOS: ("SENCO", "SENCOs"),
    Audience.CHILDREN_YOUNG_PEOPLE: ("child or young person", "children and young people"),
    Audience.PRACTITIONERS: ("practitioner", "practitioners"),
}


class SurveyError(UserError):
    """A rule about surveys was broken; the message is shown to the user."""


def percent_of(count: int, base: int) -> int:
    """A whole percentage, halves rounded up (1 of 8 is 13%), as people expect;
    Python's round() would give 12."""
    return (200 * count + base) // (2 * base) if base else 0


# Summaries ---------------------------------------------------------------------------------


@dataclass
class SummaryFilters:
    """Which replies a summary counts: one group, one team, or all."""

    audience: Audience | None = None
    team: str = ""


def _reply_filter(surveys: Sequence[Survey], filters: SummaryFilters | None) -> list:
    survey_ids = [survey.id for survey in surveys]
    conditions: list[sa.ColumnElement[bool]] = [SurveyReply.survey_id.in_(survey_ids)]
    if filters and filters.audience:
        conditions.append(
            SurveyReply.group_id.in_(
                sa.select(SurveyGroup.id).where(
                    SurveyGroup.survey_id.in_(survey_ids), SurveyGroup.audience == filters.audience
                )
            )
        )
    if filters and filters.team:
        conditions.append(SurveyReply.team == filters.team)
    return conditions


def _wanted(group: SurveyGroup, filters: SummaryFilters | None) -> bool:
    return not (filters and filters.audience and group.audience is not filters.audience)


@dataclass
class GroupCount:
    group: SurveyGroup
    replies: int
    respondents: int | None  # None when the replies carry no respondent identifier

    @property
    def small_base(self) -> bool:
        return self.replies < SMALL_BASE

    @property
    def in_words(self) -> str:
        replies = counted(self.replies, "reply")
        if self.respondents is None:
            return f"{replies} from {RESPONDENT_NOUNS[self.group.audience][1]} who were not identified"
        return f"{replies} from {counted(self.respondents, *RESPONDENT_NOUNS[self.group.audience])}"


@dataclass
class AnswerCount:
    value: str
    count: int
    base: int
    reply_noun: str = ""

    @property
    def percent(self) -> int:
        return percent_of(self.count, self.base)

    @property
    def in_words(self) -> str:
        """'32 of 39 SENCO replies (82%)': the count, its base and who the base is."""
        return f"{self.count} of {counted(self.base, f'{self.reply_noun} reply')} ({self.percent}%)"


@dataclass
class QuestionSummary:
    question: SurveyQuestion
    group: SurveyGroup
    base: int = 0  # the replies from this group that answered the question
    answers: list[AnswerCount] = field(default_factory=list)

    @property
    def small_base(self) -> bool:
        return self.base < SMALL_BASE

    def chart(self) -> charts.BarChart:
        """The answers as horizontal bars, each a share of this group's replies that answered."""
        noun = plural(self.base, f"{self.group.audience.reply_noun} reply")
        return charts.bar_chart(
            f"{self.question.text} ({self.group.audience.label})",
            [(answer.value, answer.count, answer.base) for answer in self.answers],
            description=f"Shares of the {self.base} {noun} that answered.",
            chart_id=f"chart-question-{self.question.id}-group-{self.group.id}",
        )


def list_surveys(page: int = 1, per_page: int = 25):
    """One page of live surveys, newest first: a count and one query."""
    return paginate(
        sa.select(Survey)
        .where(Survey.archived_at.is_(None))
        .order_by(Survey.opened_on.desc(), Survey.title, Survey.id),
        page,
        per_page,
    )


def reply_totals(surveys: list[Survey]) -> dict[int, int]:
    """Replies to each of these surveys, in one aggregate query."""
    rows = db.session.execute(
        sa.select(SurveyReply.survey_id, sa.func.count())
        .where(SurveyReply.survey_id.in_([survey.id for survey in surveys]))
        .group_by(SurveyReply.survey_id)
    )
    return dict(rows.tuples().all())


def load_survey(survey_id: int) -> Survey:
    return db.first_or_404(
        sa.select(Survey)
        .where(Survey.id == survey_id, Survey.archived_at.is_(None))
        .options(
            selectinload(Survey.groups),
            selectinload(Survey.questions),
            selectinload(Survey.findings),
            selectinload(Survey.responses).selectinload(YouSaidWeDid.actions),
            selectinload(Survey.responses).selectinload(YouSaidWeDid.comments),
        )
    )


def teams_of(survey: Survey) -> Sequence[str]:
    """The teams named on the replies, for the team filter."""
    return db.session.scalars(
        sa.select(SurveyReply.team)
        .where(SurveyReply.survey_id == survey.id, SurveyReply.team != "")
        .distinct()
        .order_by(SurveyReply.team)
    ).all()


def group_counts(survey: Survey, filters: SummaryFilters | None = None) -> list[GroupCount]:
    """Replies and distinct respondents per group: '39 replies from 29 SENCOs'."""
    return group_counts_of([survey], filters)[survey.id]


def group_counts_of(
    surveys: Sequence[Survey], filters: SummaryFilters | None = None
) -> dict[int, list[GroupCount]]:
    """`group_counts` of each of these surveys (their groups loaded), in one query: for a list of surveys."""
    rows = db.session.execute(
        sa.select(
            SurveyReply.group_id,
            sa.func.count(SurveyReply.id),
            sa.func.count(sa.distinct(SurveyReply.respondent_key)),
            sa.func.count(SurveyReply.respondent_key),
        )
        .where(*_reply_filter(surveys, filters))
        .group_by(SurveyReply.group_id)
    ).all()
    by_group = {group_id: (replies, distinct, keyed) for group_id, replies, distinct, keyed in rows}
    found: dict[int, list[GroupCount]] = {}
    for survey in surveys:
        counts = found.setdefault(survey.id, [])
        for group in survey.groups:
            if not _wanted(group, filters):
                continue
            replies, distinct, keyed = by_group.get(group.id, (0, 0, 0))
            counts.append(GroupCount(group, replies, distinct if keyed == replies and replies else None))
    return found


def question_summaries(survey: Survey, filters: SummaryFilters | None = None) -> list[QuestionSummary]:
    """For each question and group that answered it: each answer's count of replies
    over the replies that answered.

    The base is the number of replies that answered the question, not the number of answers, so that a
    multiple-choice question (one stored answer per option ticked) still has shares of its respondents.
    Free-text questions are not counted here: their answers are the survey's comments.
    """
    return question_summaries_of([survey], filters)[survey.id]


def question_summaries_of(
    surveys: Sequence[Survey], filters: SummaryFilters | None = None
) -> dict[int, list[QuestionSummary]]:
    """`question_summaries` of each of these surveys (their questions and groups loaded), in two queries."""
    conditions = [*_reply_filter(surveys, filters), SurveyQuestion.kind != QuestionKind.FREE_TEXT]
    counted = (
        sa.select(SurveyAnswer.question_id, SurveyReply.group_id)
        .join(SurveyReply, SurveyReply.id == SurveyAnswer.reply_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(*conditions)
    )
    replies = sa.func.count(sa.distinct(SurveyAnswer.reply_id))
    tally_rows = db.session.execute(
        counted.add_columns(SurveyAnswer.value, replies).group_by(
            SurveyAnswer.question_id, SurveyReply.group_id, SurveyAnswer.value
        )
    ).all()
    base_rows = db.session.execute(
        counted.add_columns(replies).group_by(SurveyAnswer.question_id, SurveyReply.group_id)
    ).all()
    bases = {(question_id, group_id): base for question_id, group_id, base in base_rows}
    tallies: dict[tuple[int, int], dict[str, int]] = {}
    for question_id, group_id, value, count in tally_rows:
        tallies.setdefault((question_id, group_id), {})[value] = count
    found: dict[int, list[QuestionSummary]] = {}
    for survey in surveys:
        summaries = found.setdefault(survey.id, [])
        for question in survey.questions:
            for group in survey.groups:
                tally = tallies.get((question.id, group.id))
                if not tally or not _wanted(group, filters):
                    continue
                base = bases[(question.id, group.id)]
                answers = [
                    AnswerCount(value, count, base, group.audience.reply_noun)
                    for value, count in sorted(tally.items(), key=answer_order(question.kind, tally))
                ]
                summaries.append(QuestionSummary(question, group, base, answers))
    return found


def answer_order(kind: QuestionKind, tally: dict[str, int]):
    """Answers on a scale in the scale's order (Very satisfied to Very dissatisfied, Yes before No, 1 to 5),
    so that groups compare line by line; other choices most chosen first, then alphabetically."""
    places = scale_order(tally) if kind is not QuestionKind.MULTIPLE_CHOICE else None
    if places is None and kind is QuestionKind.RATING:  # whole numbers outside a 0-10 scale still run upwards
        places = {value: int(value) if value.lstrip("-").isdecimal() else 10**9 for value in tally}
    if places is not None:
        return lambda item: (places[item[0]], item[0])
    return lambda item: (-item[1], item[0])


# Surveys -----------------------------------------------------------------------------------


@dataclass
class SurveyData:
    title: str
    service: str
    audiences: list[Audience]
    teams: str = ""
    description: str = ""
    opened_on: date | None = None
    closed_on: date | None = None
    finding_ids: list[int] = field(default_factory=list)


def _resolve(model, ids: list[int], what: str, field_name: str, within=None) -> list:
    wanted = sorted(set(ids))
    query = sa.select(model).where(model.id.in_(wanted))
    if within is not None:
        query = query.where(within)
    found = db.session.scalars(query).all() if wanted else []
    if len(found) != len(wanted):
        raise SurveyError(
            f"One of the chosen {what} no longer exists. Reload the page and choose again.", field_name
        )
    return sorted(found, key=lambda row: row.id)


def _check_survey(data: SurveyData, survey_id: int | None = None) -> None:
    data.title = data.title.strip()
    clash = db.session.scalar(
        sa.select(Survey.id).where(
            sa.func.lower(Survey.title) == sa.func.lower(data.title), Survey.id != (survey_id or 0)
        )
    )
    if clash:
        raise SurveyError(f"There is already a survey called {data.title}.", "title")
    if not data.audiences:
        raise SurveyError("Select at least one group the survey asked.", "audiences")
    if data.opened_on and data.closed_on and data.closed_on < data.opened_on:
        raise SurveyError("The survey must close on or after the day it opened.", "closed_on")


def _survey_record(survey: Survey) -> dict:
    return {
        "title": survey.title,
        "service": survey.service,
        "teams": survey.teams,
        "description": survey.description,
        "opened_on": survey.opened_on,
        "closed_on": survey.closed_on,
        "audiences": [group.audience.value for group in survey.groups],
        "findings": [finding.reference for finding in survey.findings],
    }


def _set_fields(survey: Survey, data: SurveyData) -> None:
    findings = _resolve(Finding, data.finding_ids, "findings", "finding_ids")  # before changing anything
    survey.title, survey.service = data.title, data.service.strip()
    survey.teams, survey.description = data.teams.strip(), data.description.strip()
    survey.opened_on, survey.closed_on = data.opened_on, data.closed_on
    survey.findings = findings


def create_survey(actor: User, data: SurveyData) -> Survey:
    """Record a survey, the groups it asked and the findings it informs."""
    _check_survey(data)
    survey = Survey()
    _set_fields(survey, data)
    survey.groups = [SurveyGroup(audience=audience, position=i) for i, audience in enumerate(data.audiences)]
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.created", survey, after=_survey_record(survey))
    db.session.commit()
    return survey


def update_survey(actor: User, survey: Survey, data: SurveyData) -> bool:
    """Change a survey; a group that has replies or comments cannot be taken away.
    False when nothing changed."""
    _check_survey(data, survey.id)
    dropped = [group for group in survey.groups if group.audience not in data.audiences]
    _refuse_dropping_answered(dropped)
    before = _survey_record(survey)
    _set_fields(survey, data)
    kept = {group.audience for group in survey.groups}
    position = max((group.position for group in survey.groups), default=-1)
    for audience in data.audiences:
        if audience not in kept:
            position += 1
            survey.groups.append(SurveyGroup(audience=audience, position=position))
    for group in dropped:
        survey.groups.remove(group)
        db.session.delete(group)
    changed_before, changed_after = audit.diff(before, _survey_record(survey))
    if not changed_after:
        db.session.rollback()
        return False
    audit.record(actor, "survey.updated", survey, before=changed_before, after=changed_after)
    db.session.commit()
    return True


def _refuse_dropping_answered(groups: list[SurveyGroup]) -> None:
    if not groups:
        return
    ids = [group.id for group in groups]
    replies = dict(
        db.session.execute(
            sa.select(SurveyReply.group_id, sa.func.count())
            .where(SurveyReply.group_id.in_(ids))
            .group_by(SurveyReply.group_id)
        )
        .tuples()
        .all()
    )
    comments = dict(
        db.session.execute(
            sa.select(SurveyComment.group_id, sa.func.count())
            .where(SurveyComment.group_id.in_(ids))
            .group_by(SurveyComment.group_id)
        )
        .tuples()
        .all()
    )
    for group in groups:
        if replies.get(group.id) or comments.get(group.id):
            held = (
                counted(replies.get(group.id, 0), "reply")
                if replies.get(group.id)
                else counted(comments[group.id], "comment")
            )
            raise SurveyError(
                f"{group.audience.label} cannot be taken off this survey: {held} came from them.", "audiences"
            )


def finding_choices(linked: Sequence[Finding] = ()) -> list[Finding]:
    """Live findings, and any archived ones already linked so that saving does not drop them."""
    ids = [finding.id for finding in linked]
    return sorted(
        db.session.scalars(
            sa.select(Finding).where(sa.or_(Finding.archived_at.is_(None), Finding.id.in_(ids)))
        ).all(),
        key=lambda finding: reference_key(finding.reference),
    )


def tagged_findings(reader: User, survey: Survey, chosen: int | None = None) -> list[Finding]:
    """The findings this survey's comments that the reader may see are tagged with, and the one chosen:
    the comments page's finding filter, which grows with the survey's tags, not with the whole plan
    (600 findings at a region)."""
    tagged = (
        sa.select(comment_finding.c.finding_id)
        .join(SurveyComment, SurveyComment.id == comment_finding.c.comment_id)
        .where(SurveyComment.survey_id == survey.id, visible_comment_clause(reader, SurveyComment))
    )
    return sorted(
        db.session.scalars(
            sa.select(Finding).where(sa.or_(Finding.id.in_(tagged), Finding.id == (chosen or 0)))
        ).all(),
        key=lambda finding: reference_key(finding.reference),
    )


def theme_choices(linked: Sequence[Theme] = ()) -> Sequence[Theme]:
    ids = [theme.id for theme in linked]
    return db.session.scalars(
        sa.select(Theme)
        .where(sa.or_(Theme.archived_at.is_(None), Theme.id.in_(ids)))
        .order_by(Theme.position, Theme.name)
    ).all()


def action_choices(linked: Sequence[Action] = ()) -> list[Action]:
    ids = [action.id for action in linked]
    return sorted(
        db.session.scalars(
            sa.select(Action).where(sa.or_(Action.archived_at.is_(None), Action.id.in_(ids)))
        ).all(),
        key=lambda action: reference_key(action.reference),
    )


def finding_section(user, finding: Finding) -> dict:
    """The surveys that inform a finding, with their replies and the comments tagged to it,
    for the finding's page."""
    surveys = db.session.scalars(
        sa.select(Survey)
        .join(survey_finding, survey_finding.c.survey_id == Survey.id)
        .where(survey_finding.c.finding_id == finding.id, Survey.archived_at.is_(None))
        .order_by(Survey.opened_on.desc(), Survey.title)
    ).all()
    ids = [survey.id for survey in surveys]
    replies = dict(
        db.session.execute(
            sa.select(SurveyReply.survey_id, sa.func.count())
            .where(SurveyReply.survey_id.in_(ids))
            .group_by(SurveyReply.survey_id)
        )
        .tuples()
        .all()
    )
    tagged = dict(
        db.session.execute(
            sa.select(SurveyComment.survey_id, sa.func.count())
            .join(comment_finding, comment_finding.c.comment_id == SurveyComment.id)
            .where(comment_finding.c.finding_id == finding.id, SurveyComment.survey_id.in_(ids))
            .group_by(SurveyComment.survey_id)
        )
        .tuples()
        .all()
    )
    return {
        "finding": finding,
        "surveys": [(survey, replies.get(survey.id, 0), tagged.get(survey.id, 0)) for survey in surveys],
    }


# Comments ----------------------------------------------------------------------------------


COMMENTS_PER_PAGE = 50


@dataclass
class CommentFilters:
    audience: Audience | None = None
    finding_id: int | None = None
    untagged: bool = False
    theme_id: int | None = None


def _comment_conditions(survey: Survey, filters: CommentFilters) -> list[sa.ColumnElement[bool]]:
    conditions = [SurveyComment.survey_id == survey.id]
    if filters.audience:
        conditions.append(SurveyComment.group.has(SurveyGroup.audience == filters.audience))
    if filters.finding_id:
        conditions.append(SurveyComment.findings.any(Finding.id == filters.finding_id))
    if filters.theme_id:
        conditions.append(SurveyComment.themes.any(Theme.id == filters.theme_id))
    if filters.untagged:
        conditions.extend([~SurveyComment.themes.any(), ~SurveyComment.findings.any()])
    return conditions


def _comments_query(reader: User, survey: Survey, filters: CommentFilters | None) -> sa.Select:
    return (
        sa.select(SurveyComment)
        .where(
            *_comment_conditions(survey, filters or CommentFilters()),
            visible_comment_clause(reader, SurveyComment),
        )
        .order_by(SurveyComment.id)
    )


_COMMENT_LOADS = (
    selectinload(SurveyComment.group),
    selectinload(SurveyComment.question),
    selectinload(SurveyComment.themes),
    selectinload(SurveyComment.findings),
)


def list_comments(
    reader: User, survey: Survey, filters: CommentFilters | None = None
) -> Sequence[SurveyComment]:
    """The survey's free-text comments this person may read, with their group, question and tags. Never who
    wrote them, and a restricted comment only for those who may see restricted evidence."""
    return db.session.scalars(_comments_query(reader, survey, filters).options(*_COMMENT_LOADS)).all()


def comments_page(
    reader: User,
    survey: Survey,
    filters: CommentFilters | None = None,
    page: int = 1,
    per_page: int = COMMENTS_PER_PAGE,
) -> Page:
    """One page of the comments list_comments gives, oldest first: a count, the page's rows and their group,
    question and tags, whatever the number of comments (20,000 replies make one page of 50, not 15 MB)."""
    return paginate(_comments_query(reader, survey, filters).options(*_COMMENT_LOADS), page, per_page)


def comment_page_number(
    reader: User, survey: Survey, comment: SurveyComment, per_page: int = COMMENTS_PER_PAGE
) -> int:
    """The page of the unfiltered comments list that shows this comment, to return to it after tagging it."""
    before = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            _comments_query(reader, survey, None)
            .where(SurveyComment.id < comment.id)
            .order_by(None)
            .subquery()
        )
    )
    return (before or 0) // per_page + 1


def withheld_comments(reader: User, survey: Survey, filters: CommentFilters | None = None) -> int:
    """How many comments matching the filters are restricted and kept from this person:
    '1 restricted comment not shown'."""
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(SurveyComment)
        .where(
            *_comment_conditions(survey, filters or CommentFilters()),
            sa.not_(visible_comment_clause(reader, SurveyComment)),
        )
    ).scalar_one()


def load_comment(survey: Survey, comment_id: int) -> SurveyComment:
    return db.first_or_404(
        sa.select(SurveyComment)
        .where(SurveyComment.id == comment_id, SurveyComment.survey_id == survey.id)
        .options(
            selectinload(SurveyComment.group),
            selectinload(SurveyComment.question),
            selectinload(SurveyComment.themes),
            selectinload(SurveyComment.findings),
        )
    )


def _tags(comment: SurveyComment) -> dict:
    return {
        "themes": [theme.name for theme in comment.themes],
        "findings": [finding.reference for finding in comment.findings],
    }


def tag_comment(actor: User, comment: SurveyComment, theme_ids: list[int], finding_ids: list[int]) -> bool:
    """Tag a comment to the themes and findings it speaks to; False when the tags did not change."""
    themes = _resolve(Theme, theme_ids, "themes", "theme_ids")
    findings = _resolve(Finding, finding_ids, "findings", "finding_ids")
    before = _tags(comment)
    comment.themes, comment.findings = themes, findings
    changed_before, changed_after = audit.diff(before, _tags(comment))
    if not changed_after:
        db.session.rollback()
        return False
    audit.record(actor, "survey_comment.tagged", comment, before=changed_before, after=changed_after)
    db.session.commit()
    return True


def restrict_comment(actor: User, comment: SurveyComment, restricted: bool) -> bool:
    """Mark a comment restricted (it names a child, a family or a worker), or lift the mark;
    False when it already was.

    A restricted comment's text is read only by those who may see restricted evidence
    (permissions.can_view_comment); everyone else is told how many are not shown.
    """
    if comment.restricted == restricted:
        return False
    if not restricted and not can_view_restricted(actor):
        raise SurveyError("Only a leader can make a restricted comment readable by everyone.", "restricted")
    comment.restricted = restricted
    audit.record(
        actor,
        "survey_comment.restricted" if restricted else "survey_comment.unrestricted",
        comment,
        before={"restricted": not restricted},
        after={"restricted": restricted},
    )
    db.session.commit()
    return True


# You said, we did --------------------------------------------------------------------------


@dataclass
class ResponseData:
    you_said: str
    we_did: str
    status: PublicationStatus
    comment_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)


def _check_response(data: ResponseData) -> None:
    data.you_said, data.we_did = data.you_said.strip(), data.we_did.strip()
    if not data.you_said:
        raise SurveyError("Say what people told us.", "you_said")
    if not data.we_did:
        raise SurveyError("Say what we did, or will do, in response.", "we_did")


def _response_record(response: YouSaidWeDid) -> dict:
    return {
        "you_said": response.you_said,
        "we_did": response.we_did,
        "status": response.status,
        "comments": [comment.id for comment in response.comments],
        "actions": [action.reference for action in response.actions],
    }


def _set_response(survey: Survey, response: YouSaidWeDid, data: ResponseData) -> None:
    comments = _resolve(
        SurveyComment,
        data.comment_ids,
        "comments",
        "comment_ids",
        within=SurveyComment.survey_id == survey.id,
    )
    actions = _resolve(Action, data.action_ids, "actions", "action_ids")
    response.you_said, response.we_did, response.status = data.you_said, data.we_did, data.status
    response.comments, response.actions = comments, actions


def create_response(actor: User, survey: Survey, data: ResponseData) -> YouSaidWeDid:
    """Write a "you said, we did" entry: what people told us, the comments that said it,
    and the actions taken."""
    _check_response(data)
    last = db.session.scalar(
        sa.select(sa.func.max(YouSaidWeDid.position)).where(YouSaidWeDid.survey_id == survey.id)
    )
    response = YouSaidWeDid(survey_id=survey.id, position=(last if last is not None else -1) + 1)
    _set_response(survey, response, data)
    db.session.add(response)
    db.session.flush()
    audit.record(actor, "you_said_we_did.created", response, after=_response_record(response))
    db.session.commit()
    return response


def update_response(actor: User, survey: Survey, response: YouSaidWeDid, data: ResponseData) -> bool:
    """Change an entry, or publish it or take it back to draft; False when nothing changed."""
    _check_response(data)
    before = _response_record(response)
    _set_response(survey, response, data)
    changed_before, changed_after = audit.diff(before, _response_record(response))
    if not changed_after:
        db.session.rollback()
        return False
    audit.record(actor, "you_said_we_did.updated", response, before=changed_before, after=changed_after)
    db.session.commit()
    return True


def load_response(survey: Survey, response_id: int) -> YouSaidWeDid:
    return db.first_or_404(
        sa.select(YouSaidWeDid)
        .where(YouSaidWeDid.id == response_id, YouSaidWeDid.survey_id == survey.id)
        .options(selectinload(YouSaidWeDid.actions), selectinload(YouSaidWeDid.comments))
    )
