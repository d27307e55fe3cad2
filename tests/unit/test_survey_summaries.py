"""Survey summaries state their bases, and the survey rules hold: groups, tags and "you said, we did"."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus
from tracker.surveys.exports import family_status, published_entries
from tracker.surveys.models import (
    Audience,
    PublicationStatus,
    QuestionKind,
    SurveyAnswer,
    SurveyComment,
    SurveyGroup,
    SurveyQuestion,
    SurveyReply,
)
from tracker.surveys.services import (
    SMALL_BASE,
    ResponseData,
    SummaryFilters,
    SurveyData,
    SurveyError,
    create_response,
    create_survey,
    group_counts,
    list_comments,
    percent_of,
    question_summaries,
    restrict_comment,
    tag_comment,
    teams_of,
    update_response,
    update_survey,
)


def question(survey, text="Are you very satisfied?", kind=QuestionKind.YES_NO) -> SurveyQuestion:
    row = SurveyQuestion(survey_id=survey.id, position=len(survey.questions), text=text, kind=kind)
    db.session.add(row)
    db.session.commit()
    return row


def replies(group, answers: dict, count: int = 1, team: str = "", respondent: str | None = None) -> None:
    """`count` replies from the group, each giving `answers` ({question: value or [values]})."""
    for _ in range(count):
        reply = SurveyReply(
            survey_id=group.survey_id,
            group=group,
            team=team,
            respondent_key=respondent,
            source_row=f"row-{db.session.scalar(sa.select(sa.func.count()).select_from(SurveyReply)) + 1}",
        )
        db.session.add(reply)
        db.session.flush()
        for asked, given in answers.items():
            for value in given if isinstance(given, list) else [given]:
                db.session.add(SurveyAnswer(reply=reply, question=asked, value=value))
    db.session.commit()


def answers_of(summaries) -> dict:
    return {
        (s.group.audience, s.question.text): {a.value: (a.count, a.base, a.percent) for a in s.answers}
        for s in summaries
    }


@pytest.fixture
def survey():
    survey = factories.SurveyFactory()
    factories.SurveyGroupFactory(survey=survey, audience=Audience.SENCOS, position=0)
    factories.SurveyGroupFactory(survey=survey, audience=Audience.PARENTS_CARERS, position=1)
    db.session.refresh(survey)
    return survey


def group(survey, audience) -> SurveyGroup:
    return next(g for g in survey.groups if g.audience is audience)


def test_each_answer_is_counted_over_the_replies_of_its_group_that_answered(survey):
    asked = question(survey)
    replies(group(survey, Audience.SENCOS), {asked: "Yes"}, count=32)
    replies(group(survey, Audience.SENCOS), {asked: "No"}, count=7)
    replies(group(survey, Audience.PARENTS_CARERS), {asked: "No"}, count=3)
    summaries = question_summaries(survey)
    assert answers_of(summaries) == {
        (Audience.SENCOS, asked.text): {"Yes": (32, 39, 82), "No": (7, 39, 18)},
        (Audience.PARENTS_CARERS, asked.text): {"No": (3, 3, 100)},
    }
    assert summaries[0].answers[0].in_words == "32 of 39 SENCO replies (82%)"
    assert summaries[1].answers[0].in_words == "3 of 3 parent and carer replies (100%)"


def test_a_reply_that_skipped_the_question_is_not_in_its_base(survey):
    first, second = question(survey, "First?"), question(survey, "Second?")
    sencos = group(survey, Audience.SENCOS)
    replies(sencos, {first: "Yes", second: "Yes"}, count=4)
    replies(sencos, {first: "No"}, count=6)
    bases = {s.question.text: s.base for s in question_summaries(survey)}
    assert bases == {"First?": 10, "Second?": 4}


@pytest.mark.parametrize(
    ("count", "base", "expected"),
    [
        (32, 39, 82),
        (3, 22, 14),
        (7, 22, 32),
        (1, 8, 13),
        (3, 8, 38),
        (1, 3, 33),
        (2, 3, 67),
        (1, 200, 1),
        (0, 5, 0),
        (0, 0, 0),
    ],
)
def test_percentages_are_whole_numbers_with_halves_rounded_up(count, base, expected):
    assert percent_of(count, base) == expected


def test_a_base_of_fewer_than_ten_replies_is_flagged(survey):
    asked = question(survey)
    replies(group(survey, Audience.SENCOS), {asked: "Yes"}, count=SMALL_BASE)
    replies(group(survey, Audience.PARENTS_CARERS), {asked: "Yes"}, count=SMALL_BASE - 1)
    flags = {s.group.audience: s.small_base for s in question_summaries(survey)}
    assert flags == {Audience.SENCOS: False, Audience.PARENTS_CARERS: True}
    assert {c.group.audience: c.small_base for c in group_counts(survey)} == flags


def test_a_multiple_choice_base_is_the_replies_that_answered_not_the_ticks(survey):
    asked = question(survey, "Which teams supported you?", QuestionKind.MULTIPLE_CHOICE)
    sencos = group(survey, Audience.SENCOS)
    replies(sencos, {asked: ["Occupational therapy", "Sensory support"]}, count=3)
    replies(sencos, {asked: ["Occupational therapy"]}, count=1)
    replies(sencos, {}, count=2)  # did not answer
    (summary,) = question_summaries(survey)
    assert summary.base == 4
    assert {a.value: (a.count, a.percent) for a in summary.answers} == {
        "Occupational therapy": (4, 100),
        "Sensory support": (3, 75),
    }


def test_free_text_answers_are_comments_not_tallies(survey):
    said = question(survey, "Anything else?", QuestionKind.FREE_TEXT)
    replies(group(survey, Audience.SENCOS), {said: "More visits please"}, count=3)
    assert question_summaries(survey) == []


def test_filtering_by_group_keeps_only_that_groups_figures(survey):
    asked = question(survey)
    replies(group(survey, Audience.SENCOS), {asked: "Yes"}, count=12)
    replies(group(survey, Audience.PARENTS_CARERS), {asked: "No"}, count=5)
    filters = SummaryFilters(audience=Audience.PARENTS_CARERS)
    assert answers_of(question_summaries(survey, filters)) == {
        (Audience.PARENTS_CARERS, asked.text): {"No": (5, 5, 100)}
    }
    assert [(c.group.audience, c.replies) for c in group_counts(survey, filters)] == [
        (Audience.PARENTS_CARERS, 5)
    ]


def test_filtering_by_team_counts_only_replies_about_that_team(survey):
    asked = question(survey)
    sencos = group(survey, Audience.SENCOS)
    replies(sencos, {asked: "Yes"}, count=3, team="Occupational therapy")
    replies(sencos, {asked: "No"}, count=2, team="Occupational therapy")
    replies(sencos, {asked: "No"}, count=6, team="Sensory support")
    assert teams_of(survey) == ["Occupational therapy", "Sensory support"]
    filters = SummaryFilters(team="Occupational therapy")
    assert answers_of(question_summaries(survey, filters)) == {
        (Audience.SENCOS, asked.text): {"Yes": (3, 5, 60), "No": (2, 5, 40)}
    }
    assert [(c.group.audience, c.replies) for c in group_counts(survey, filters)] == [
        (Audience.SENCOS, 5),
        (Audience.PARENTS_CARERS, 0),
    ]


def test_distinct_respondents_are_stated_in_words(survey):
    sencos, parents = group(survey, Audience.SENCOS), group(survey, Audience.PARENTS_CARERS)
    replies(sencos, {}, count=2, respondent="senco-1")
    replies(sencos, {}, count=1, respondent="senco-2")
    replies(parents, {}, count=4)
    words = {c.group.audience: c.in_words for c in group_counts(survey)}
    assert words == {
        Audience.SENCOS: "3 replies from 2 SENCOs",
        Audience.PARENTS_CARERS: "4 replies from parents and carers who were not identified",
    }


def test_the_chart_draws_each_answer_as_a_share_of_its_base(survey):
    asked = question(survey)
    replies(group(survey, Audience.SENCOS), {asked: "Yes"}, count=32)
    replies(group(survey, Audience.SENCOS), {asked: "No"}, count=7)
    chart = question_summaries(survey)[0].chart()
    assert [bar.text for bar in chart.bars] == ["32 of 39 (82%)", "7 of 39 (18%)"]
    assert "39 SENCO replies that answered" in chart.description


# Surveys and their groups ------------------------------------------------------------------


def survey_data(**changes) -> SurveyData:
    values = dict(
        title="SPOT survey, autumn 2026",
        service="SPOT service",
        audiences=[Audience.SENCOS],
        opened_on=date(2026, 10, 1),
        closed_on=date(2026, 10, 31),
    )
    values.update(changes)
    return SurveyData(**values)


def test_a_survey_is_created_with_its_groups_and_findings_and_audited():
    leader = factories.UserFactory(role=Role.LEADER)
    finding = factories.FindingFactory(reference="SI1")
    survey = create_survey(
        leader, survey_data(audiences=[Audience.PARENTS_CARERS, Audience.SENCOS], finding_ids=[finding.id])
    )
    assert [g.audience for g in survey.groups] == [Audience.PARENTS_CARERS, Audience.SENCOS]
    assert survey.findings == [finding]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "survey.created"))
    assert (
        event.actor_id == leader.id
        and event.after["audiences"] == ["parents_carers", "sencos"]
        and event.after["findings"] == ["SI1"]
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "Another", "audiences": []}, "audiences", "Select at least one group the survey asked."),
        (
            {"title": "Another", "closed_on": date(2026, 9, 30)},
            "closed_on",
            "The survey must close on or after the day it opened.",
        ),
        (
            {"title": "  spot SURVEY, autumn 2026 "},
            "title",
            "There is already a survey called spot SURVEY, autumn 2026.",
        ),
        (
            {"title": "Another", "finding_ids": [2147483647]},
            "finding_ids",
            "One of the chosen findings no longer exists.",
        ),
    ],
)
def test_survey_rules_name_the_field_at_fault(changes, field, message):
    leader = factories.UserFactory(role=Role.LEADER)
    create_survey(leader, survey_data())
    with pytest.raises(SurveyError) as refused:
        create_survey(leader, survey_data(**changes))
    assert refused.value.field == field and str(refused.value).startswith(message)


def test_a_group_with_replies_is_never_taken_off_a_survey(survey):
    leader = factories.UserFactory(role=Role.LEADER)
    replies(group(survey, Audience.SENCOS), {}, count=3)
    with pytest.raises(
        SurveyError, match="SENCOs cannot be taken off this survey: 3 replies came from them."
    ) as refused:
        update_survey(leader, survey, survey_data(title=survey.title, audiences=[Audience.PARENTS_CARERS]))
    assert refused.value.field == "audiences"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyGroup)) == 2


def test_a_group_without_replies_can_be_swapped_for_another(survey):
    leader = factories.UserFactory(role=Role.LEADER)
    replies(group(survey, Audience.SENCOS), {}, count=1)
    assert update_survey(
        leader, survey, survey_data(title=survey.title, audiences=[Audience.SENCOS, Audience.PRACTITIONERS])
    )
    assert [
        g.audience for g in db.session.scalars(sa.select(SurveyGroup).order_by(SurveyGroup.position))
    ] == [Audience.SENCOS, Audience.PRACTITIONERS]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "survey.updated"))
    assert event.before["audiences"] == ["sencos", "parents_carers"] and event.after["audiences"] == [
        "sencos",
        "practitioners",
    ]


def test_saving_a_survey_unchanged_writes_no_audit_event(survey):
    leader = factories.UserFactory(role=Role.LEADER)
    data = survey_data(
        title=survey.title,
        service=survey.service,
        opened_on=survey.opened_on,
        closed_on=survey.closed_on,
        audiences=[Audience.SENCOS, Audience.PARENTS_CARERS],
    )
    assert update_survey(leader, survey, data) is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


# Comments and "you said, we did" -----------------------------------------------------------


def comment(survey, text="The leaflets were confusing.") -> SurveyComment:
    row = SurveyComment(survey_id=survey.id, group_id=survey.groups[0].id, text=text)
    db.session.add(row)
    db.session.commit()
    return row


def test_tagging_a_comment_records_the_tags_before_and_after(survey):
    leader = factories.UserFactory(role=Role.LEADER)
    finding = factories.FindingFactory(reference="AFI1")
    said = comment(survey)
    assert tag_comment(leader, said, [finding.theme_id], [finding.id]) is True
    assert said.themes == [finding.theme] and said.findings == [finding]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "survey_comment.tagged"))
    assert event.before == {"themes": [], "findings": []}
    assert event.after == {"themes": [finding.theme.name], "findings": ["AFI1"]}
    assert tag_comment(leader, said, [finding.theme_id], [finding.id]) is False


def test_a_restricted_comment_is_listed_only_for_leaders_and_only_they_lift_the_mark(survey):
    leader, officer = factories.UserFactory(role=Role.LEADER), factories.UserFactory(role=Role.OFFICER)
    said, named = comment(survey), comment(survey, "Jamie's keyworker never called back.")
    assert restrict_comment(leader, named, True) is True
    assert restrict_comment(leader, named, True) is False  # already marked: no second event
    assert list_comments(officer, survey) == [said] and list_comments(leader, survey) == [said, named]
    with pytest.raises(
        SurveyError, match="Only a leader can make a restricted comment readable by everyone."
    ):
        restrict_comment(officer, named, False)
    db.session.refresh(named)
    assert named.restricted is True
    assert db.session.scalars(
        sa.select(AuditEvent.verb).where(AuditEvent.verb.like("survey_comment.%"))
    ).all() == ["survey_comment.restricted"]


def test_a_response_links_only_comments_of_its_own_survey(survey):
    leader = factories.UserFactory(role=Role.LEADER)
    other = factories.SurveyFactory()
    factories.SurveyGroupFactory(survey=other)
    db.session.refresh(other)
    elsewhere = comment(other)
    with pytest.raises(SurveyError) as refused:
        create_response(
            leader,
            survey,
            ResponseData("You said", "We did", PublicationStatus.DRAFT, comment_ids=[elsewhere.id]),
        )
    assert refused.value.field == "comment_ids"


def test_publishing_a_response_is_audited_and_only_published_entries_are_for_families(survey):
    leader = factories.UserFactory(role=Role.LEADER)
    action = factories.ActionFactory(status=ActionStatus.COMPLETE, percent_complete=100)
    said = comment(survey)
    draft = create_response(
        leader,
        survey,
        ResponseData(
            "Leaflets confuse",
            "New leaflets",
            PublicationStatus.DRAFT,
            comment_ids=[said.id],
            action_ids=[action.id],
        ),
    )
    create_response(
        leader, survey, ResponseData("Reports unclear", "Annual audits", PublicationStatus.PUBLISHED)
    )
    assert [entry.you_said for entry in published_entries(survey)] == ["Reports unclear"]
    assert update_response(
        leader,
        survey,
        draft,
        ResponseData(
            "Leaflets confuse",
            "New leaflets",
            PublicationStatus.PUBLISHED,
            comment_ids=[said.id],
            action_ids=[action.id],
        ),
    )
    assert [(e.you_said, e.status) for e in published_entries(survey)] == [
        ("Leaflets confuse", "Done"),
        ("Reports unclear", "No action recorded yet"),
    ]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "you_said_we_did.updated"))
    assert event.before == {"status": "draft"} and event.after == {"status": "published"}


def test_families_read_how_far_the_actions_have_got_in_plain_words():
    done = factories.ActionFactory(status=ActionStatus.COMPLETE, percent_complete=100)
    going = factories.ActionFactory(status=ActionStatus.IN_PROGRESS)
    also_going = factories.ActionFactory(status=ActionStatus.IN_PROGRESS)
    assert family_status([]) == "No action recorded yet"
    assert family_status([going]) == "In progress"
    assert family_status([done, going, also_going]) == "3 actions: 2 in progress, 1 done"


def test_answers_keep_the_order_of_their_scale(survey):
    agreed = question(survey, "Would you recommend us?")
    rated = question(survey, "How would you rate us?", QuestionKind.RATING)
    chosen = question(survey, "Which team?", QuestionKind.SINGLE_CHOICE)
    sencos = group(survey, Audience.SENCOS)
    replies(sencos, {agreed: "No", rated: "5", chosen: "Sensory support"}, count=3)
    replies(sencos, {agreed: "Yes", rated: "10", chosen: "Occupational therapy"}, count=1)
    replies(sencos, {agreed: "No", rated: "2", chosen: "Sensory support"}, count=1)
    order = {s.question.text: [a.value for a in s.answers] for s in question_summaries(survey)}
    assert order == {
        "Would you recommend us?": ["Yes", "No"],
        "How would you rate us?": ["2", "5", "10"],
        "Which team?": ["Sensory support", "Occupational therapy"],
    }
