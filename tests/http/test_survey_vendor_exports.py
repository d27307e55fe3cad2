"""Real survey exports through the real pages: each vendor's layout, made here, imported with the suggested
mapping accepted unchanged, gives the right figures (issue 17, point 3).

Each file is one the project had not seen when the import was written: a single-audience survey
(so no column says who replied), a satisfaction question that mentions "the team", the team
"Children's Occupational Therapy", comment columns mostly "No", answers a spreadsheet saved as
formulas, UK dates that could be read either way round, and SmartSurvey's UserNo layout
exported twice.
"""

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import sqlalchemy as sa

from tests import factories
from tests.http.test_survey_import_pages import FormReader, confirm, upload
from tracker.extensions import db
from tracker.surveys.models import Audience, SurveyComment, SurveyReply
from tracker.surveys.services import group_counts, question_summaries

TEAMS = (
    ["Children's Occupational Therapy"] * 12
    + ["Sensory Support Team"] * 10
    + ["Complex Communication Team"] * 8
)
SATISFACTION = (
    ["Very satisfied"] * 6
    + ["Satisfied"] * 12
    + ["Neither satisfied nor dissatisfied"] * 3
    + ["Dissatisfied"] * 7
    + ["Very dissatisfied"] * 2
)
SATISFACTION_ORDER = [
    "Very satisfied",
    "Satisfied",
    "Neither satisfied nor dissatisfied",
    "Dissatisfied",
    "Very dissatisfied",
]
FORMULA_COMMENTS = [  # typed with a leading "=": the workbook holds them as formulas with no saved value
    "=More updates while we wait for an assessment would help",
    "=The therapist explained the exercises clearly",
    "=It took four months to hear back after the referral",
    "=Please send letters by email as well as post",
    "=Our OT was brilliant with my son",
    "=I did not know who to ring when things changed",
    "=Sessions at school worked better than at the clinic",
]


def survey_asking(*audiences: Audience):
    survey = factories.SurveyFactory()
    for audience in audiences:
        factories.SurveyGroupFactory(survey=survey, audience=audience)
    db.session.expire_all()
    return survey


def accept_suggestions(client, survey, content: bytes, name: str) -> tuple[FormReader, str]:
    """Upload the file, then send the preview's form back exactly as suggested:
    the suggestions and the page after."""
    preview = upload(client, survey, content, name)
    assert preview.status_code == 200
    form = FormReader(preview.get_data(as_text=True))
    form.page = preview.get_data(as_text=True)
    done = confirm(client, survey, form.fields)
    return form, done.get_data(as_text=True)


def figures(survey) -> tuple[dict, dict]:
    """Replies per audience, and each question's answers in the order shown, counted per audience."""
    db.session.expire_all()
    groups = {count.group.audience.value: count.replies for count in group_counts(survey) if count.replies}
    answers = {
        (summary.group.audience.value, summary.question.text): [(a.value, a.count) for a in summary.answers]
        for summary in question_summaries(survey)
    }
    return groups, answers


def comments(survey) -> list[str]:
    return db.session.scalars(
        sa.select(SurveyComment.text).where(SurveyComment.survey_id == survey.id).order_by(SurveyComment.id)
    ).all()


# Microsoft Forms: "Open in Excel", parents only -------------------------------------------------------------


def microsoft_forms_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            "Which team supported your child?",
            "How satisfied are you with the support from the team?",
            "Would you recommend the service to others?",
            "How easy was it to get in touch? (1 is very hard, 5 is very easy)",
            "What could we do better?",
        ]
    )
    ease = [1] * 2 + [2] * 3 + [3] * 5 + [4] * 9 + [5] * 11
    said = FORMULA_COMMENTS + ["Nothing, the team were great with us", "A named person to contact would help"]
    better = said + ["No"] * 12 + ["N/A"] * 9
    started = datetime(2026, 3, 2, 9, 0)
    for index in range(30):
        sheet.append(
            [
                index + 1,
                started + timedelta(hours=index),
                started + timedelta(hours=index, minutes=6),
                "anonymous",
                None,
                None,
                TEAMS[index],
                SATISFACTION[(index * 7) % 30],
                "Yes" if index % 15 < 11 else "No",
                ease[(index * 11) % 30],
                better[index],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_parents_only_microsoft_forms_workbook_imports_as_suggested(leader_client):
    survey = survey_asking(Audience.PARENTS_CARERS)
    form, page = accept_suggestions(
        leader_client, survey, microsoft_forms_workbook(), "Parent carer survey.xlsx"
    )

    roles = {label: form.fields[field] for label, field in form.labels.items() if field.startswith("column_")}
    assert roles["Which team supported your child?"] == "team"
    assert roles["How satisfied are you with the support from the team?"] == "single_choice"  # not the team
    assert roles["What could we do better?"] == "free_text"  # mostly "No", but the rest are sentences
    assert form.fields["every"] == "parents_carers"  # no column says who replied: the survey asked parents
    assert "Imported 30 replies from Parent carer survey.xlsx." in page

    groups, answers = figures(survey)
    assert groups == {"parents_carers": 30}
    satisfied = answers[("parents_carers", "How satisfied are you with the support from the team?")]
    assert satisfied == [
        ("Very satisfied", 6),
        ("Satisfied", 12),
        ("Neither satisfied nor dissatisfied", 3),
        ("Dissatisfied", 7),
        ("Very dissatisfied", 2),
    ]  # along the scale, not by count
    assert answers[("parents_carers", "Would you recommend the service to others?")] == [
        ("Yes", 22),
        ("No", 8),
    ]
    assert answers[
        ("parents_carers", "How easy was it to get in touch? (1 is very hard, 5 is very easy)")
    ] == [("1", 2), ("2", 3), ("3", 5), ("4", 9), ("5", 11)]
    teams = db.session.execute(sa.select(SurveyReply.team, sa.func.count()).group_by(SurveyReply.team)).all()
    assert dict(teams) == {
        "Children's Occupational Therapy": 12,
        "Sensory Support Team": 10,
        "Complex Communication Team": 8,
    }
    kept = comments(survey)
    assert (
        len(kept) == 30 and [text for text in kept if text.startswith("=")] == FORMULA_COMMENTS
    )  # all 7 arrive


# SurveyMonkey: two rows of headings, UK dates, SENCOs only --------------------------------------------------

MONKEY_HEADINGS = [
    [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
        "Which team supports your school?",
        "The team understands my pupils' needs",
        "Which support did you use? (tick all that apply)",
        "",
        "",
        "",
        "Is there anything else you would like to tell us?",
    ],
    [
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Response",
        "Response",
        "Advice",
        "Training",
        "Assessment",
        "Other (please specify)",
        "Open-Ended Response",
    ],
]
AGREEMENT = (
    ["Strongly agree"] * 4
    + ["Agree"] * 9
    + ["Neither agree nor disagree"] * 2
    + ["Disagree"] * 4
    + ["Strongly disagree"]
)
MONKEY_COMMENTS = {
    2: "Training for our new teaching assistants was excellent.",
    5: "Reports arrive too late for annual reviews.",
    9: "More drop-in sessions please.",
    11: "We waited a term for the first visit.",
    14: "Advice is practical and quick to use.",
    16: "Could the team join our planning meetings?",
    18: "Brilliant support for one of our pupils.",
}


def surveymonkey_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(MONKEY_HEADINGS)
    for index in range(20):
        day = 2 + index % 10  # 02/03/2026 to 11/03/2026: each could be read either way round
        ticks = [
            "Advice" if index % 5 < 3 else "",
            "Training" if index % 3 == 0 else "",
            "Assessment" if index % 4 == 1 else "",
            "Home visits" if index == 7 else "",
        ]
        writer.writerow(
            [
                11480000 + index,
                431234567,
                f"{day:02d}/03/2026 09:{index:02d}:00",
                f"{day:02d}/03/2026 14:{index:02d}:00",
                f"192.0.2.{index + 1}",
                "",
                "",
                "",
                "",
                ["Sensory Support Team", "Learning and Behaviour Support Team"][index % 2],
                AGREEMENT[(index * 3) % 20],
                *ticks,
                MONKEY_COMMENTS.get(index, ""),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def test_a_sencos_only_surveymonkey_export_imports_as_suggested_with_its_dates_day_first(leader_client):
    survey = survey_asking(Audience.SENCOS)
    form, page = accept_suggestions(leader_client, survey, surveymonkey_csv(), "senco-survey.csv")
    assert form.fields["every"] == "sencos"
    assert "Imported 20 replies" in page

    groups, answers = figures(survey)
    assert groups == {"sencos": 20}
    assert answers[("sencos", "The team understands my pupils' needs")] == [
        ("Strongly agree", 4),
        ("Agree", 9),
        ("Neither agree nor disagree", 2),
        ("Disagree", 4),
        ("Strongly disagree", 1),
    ]
    assert dict(answers[("sencos", "Which support did you use? (tick all that apply)")]) == {
        "Advice": 12,
        "Training": 7,
        "Assessment": 5,
    }
    assert sorted(comments(survey)) == sorted([*MONKEY_COMMENTS.values(), "Home visits"])
    days = {moment.date() for moment in db.session.scalars(sa.select(SurveyReply.submitted_at))}
    assert {(day.month, day.day) for day in days} == {
        (3, day) for day in range(2, 12)
    }  # March, not February to November


# SmartSurvey: the UserNo layout, exported twice -------------------------------------------------------------

SMART_HEADINGS = [
    "UserNo",
    "Started",
    "Ended",
    "1. Which best describes you?",
    "2. Which team is this about?",
    "3. Overall, how satisfied are you with the support your child gets from the team?",
    "4. How often do we keep you informed?",
    "5. Any other comments?",
]
OFTEN = ["Always", "Usually", "Sometimes", "Rarely", "Never"]


def smartsurvey_csv(replies: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SMART_HEADINGS)
    for number in range(1, replies + 1):
        day = 1 + number % 28
        writer.writerow(
            [
                number,
                f"{day:02d}/05/2026 10:{number:02d}:00",
                f"{day:02d}/05/2026 10:{number + 5:02d}:00",
                "Parent/carer",
                ["Children's Occupational Therapy", "Sensory Support Team"][number % 2],
                SATISFACTION_ORDER[number % 5],
                OFTEN[(number * 2) % 5],
                f"Comment number {number} about the waiting list" if number % 4 == 0 else "",
            ]
        )
    return out.getvalue().encode()


def test_a_smartsurvey_userno_export_imports_and_a_later_export_doubles_nothing(leader_client):
    survey = survey_asking(Audience.PARENTS_CARERS, Audience.SENCOS)
    form, page = accept_suggestions(leader_client, survey, smartsurvey_csv(25), "smartsurvey-may.csv")
    assert "SmartSurvey" in form.page
    assert form.fields[form.labels["UserNo"]] == "ignore"  # the reply's number: never 25 comments
    assert form.fields[form.labels["1. Which best describes you?"]] == "ignore"
    assert form.fields["every"] == "parents_carers"  # every answer in the file says "Parent/carer"
    assert form.fields[form.labels["2. Which team is this about?"]] == "team"
    assert "Imported 25 replies" in page
    first = figures(survey)
    assert first[0] == {"parents_carers": 25} and len(comments(survey)) == 6

    _, page = accept_suggestions(leader_client, survey, smartsurvey_csv(30), "smartsurvey-june.csv")
    assert (
        "Imported 5 replies from smartsurvey-june.csv. 25 already in the survey were left as before." in page
    )
    groups, answers = figures(survey)
    assert groups == {"parents_carers": 30}
    satisfied = answers[
        ("parents_carers", "Overall, how satisfied are you with the support your child gets from the team?")
    ]
    assert [value for value, _ in satisfied] == SATISFACTION_ORDER and sum(
        count for _, count in satisfied
    ) == 30
    assert [value for value, _ in answers[("parents_carers", "How often do we keep you informed?")]] == OFTEN
    assert len(comments(survey)) == 7 and not any(text.isdecimal() for text in comments(survey))
