"""The rules that suggest how to read a survey export: audiences as whole words, comments by their shape,
teams only where a heading asks which team, scales in their own order (issue 17, point 3)."""

import pytest

from tests import factories
from tracker.surveys import importer
from tracker.surveys.models import Audience, QuestionKind
from tracker.surveys.scales import scale_of, scale_order
from tracker.surveys.services import answer_order
from tracker.surveys.suggestions import (
    audiences_named,
    is_free_text,
    is_identifier,
    names_teams,
    personal_heading,
    suggest_audience,
)

# Audiences --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "audience"),
    [
        ("Parent/Carer", "parents_carers"),
        ("Parent or carer", "parents_carers"),
        ("I am a parent", "parents_carers"),
        ("Parent of a child with SEND", "parents_carers"),
        ("Foster carer", "parents_carers"),
        ("SENCo", "sencos"),
        ("SENDCO", "sencos"),
        ("Special Educational Needs Co-ordinator", "sencos"),
        ("Young person (aged 16-25)", "children_young_people"),
        ("Child or young person", "children_young_people"),
        ("Health practitioner", "practitioners"),
        ("Other professional", "practitioners"),
        # names of teams and services are not audiences, whatever words they hold
        ("Children's Occupational Therapy", None),
        ("Children\u2019s Occupational Therapy Service", None),
        ("Child Development Centre", None),
        ("Family Support Team", None),
        ("Early Years SEND Team", None),
        ("Parent and SENCO", None),
        ("Governor", None),
        ("Yes", None),
        ("Very satisfied", None),
    ],
)
def test_an_answer_names_an_audience_only_as_a_whole_phrase(value, audience):
    assert suggest_audience(value) == audience


def test_a_file_name_names_an_audience_anywhere_in_it():
    assert audiences_named("Parent carer survey 2026") == {"parents_carers"}
    assert audiences_named("senco_feedback_may") == {"sencos"}
    assert audiences_named("Children's services survey") == set()


# Comments ---------------------------------------------------------------------------------------------------

SENTENCES = [
    "We waited four months for the first appointment.",
    "The therapist was brilliant with my son",
    "Letters by email as well as post, please",
    "Nobody told us the referral had closed",
]


def test_a_column_is_comments_when_most_answers_are_sentences_given_once():
    assert is_free_text(SENTENCES)
    assert is_free_text(SENTENCES + ["No"] * 30 + ["N/A"] * 10)  # "No" and "N/A" say nothing either way
    assert is_free_text(["=More updates while we wait would help", "=The OT was great with us"])


@pytest.mark.parametrize(
    "answers",
    [
        ["Sensory Support Team", "Complex Communication Team"] * 10,  # names, repeated
        ["Very satisfied", "Satisfied", "Dissatisfied"] * 5,  # a scale
        ["No", "N/A", "None"],  # nothing said
        ["Advice", "Training", "Assessment", "Advice"],  # short choices
    ],
)
def test_names_scales_and_short_choices_are_not_comments(answers):
    assert not is_free_text(answers)


def test_a_comment_column_of_mostly_no_is_suggested_as_comments_not_a_single_choice():
    rows = (
        [["I am a", "Anything else?"]]
        + [["Parent", "No"]] * 12
        + [["Parent", "N/A"]] * 9
        + [["SENCO", text] for text in SENTENCES]
    )
    content = "\n".join(",".join(row) for row in rows).encode()
    assert {column.key: column.role for column in importer.preview_replies("r.csv", content).columns} == {
        "I am a": "group",
        "Anything else?": "free_text",
    }


def test_reply_numbers_are_identifiers_never_comments():
    assert is_identifier([str(n) for n in range(1, 26)])
    assert not is_identifier(["1", "2", "2"]) and not is_identifier(["1", "x"])
    content = (
        "Number,I am a,Anything else?\n"
        + "".join(f"{n},Parent,Sentence number {n} here\n" for n in range(1, 26))
    ).encode()
    roles = {column.key: column.role for column in importer.preview_replies("r.csv", content).columns}
    assert roles["Number"] == "ignore" and roles["Anything else?"] == "free_text"


# Teams ------------------------------------------------------------------------------------------------------

TEAM_NAMES = ["Children's Occupational Therapy", "Sensory Support Team"] * 5


def test_a_team_is_a_heading_that_asks_which_team_over_names():
    assert names_teams("Which SPOT team is this reply about?", TEAM_NAMES)
    assert names_teams("Team", TEAM_NAMES)
    assert not names_teams(
        "How satisfied are you with the support from the team?", ["Very satisfied", "Satisfied"] * 5
    )
    assert not names_teams("Are you very satisfied with the team?", ["Yes", "No"] * 5)
    assert not names_teams("What did the team do well?", SENTENCES)
    assert not names_teams("Your school", TEAM_NAMES)


# Scales -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "scale"),
    [
        (["Satisfied", "Very dissatisfied", "Very satisfied"], "satisfaction"),
        (["Agree", "Strongly disagree", "Neither agree nor disagree"], "agreement"),
        (["Never", "Always", "Sometimes"], "frequency"),
        (["No", "Yes", "Don't know"], "yes_no"),
        (["3", "10", "0"], "numeric"),
        (["Sensory Support Team", "Yes"], None),
        (["Don't know"], None),
    ],
)
def test_answers_are_known_by_their_scale(answers, scale):
    assert scale_of(answers) == scale


@pytest.mark.parametrize(
    ("tally", "order"),
    [
        (
            {
                "Dissatisfied": 7,
                "Very satisfied": 1,
                "Satisfied": 12,
                "Neither satisfied nor dissatisfied": 3,
                "Very dissatisfied": 2,
            },
            [
                "Very satisfied",
                "Satisfied",
                "Neither satisfied nor dissatisfied",
                "Dissatisfied",
                "Very dissatisfied",
            ],
        ),
        (
            {"Agree": 9, "Strongly disagree": 1, "Strongly agree": 4, "Disagree": 4},
            ["Strongly agree", "Agree", "Disagree", "Strongly disagree"],
        ),
        (
            {"Sometimes": 9, "Never": 5, "Always": 1, "Not applicable": 20, "Rarely": 3},
            ["Always", "Sometimes", "Rarely", "Never", "Not applicable"],
        ),
        ({"No": 30, "Yes": 2}, ["Yes", "No"]),
        ({"10": 4, "2": 9, "0": 1, "7": 3}, ["0", "2", "7", "10"]),
    ],
)
def test_a_scale_s_answers_are_shown_along_the_scale_not_by_count(tally, order):
    assert [
        value for value, _ in sorted(tally.items(), key=answer_order(QuestionKind.SINGLE_CHOICE, tally))
    ] == order
    assert list(sorted(scale_order(tally), key=scale_order(tally).get)) == order


def test_choices_on_no_scale_and_multiple_choice_are_shown_most_chosen_first():
    tally = {"Advice": 3, "Training": 9, "Assessment": 5}
    for kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        assert [v for v, _ in sorted(tally.items(), key=answer_order(kind, tally))] == [
            "Training",
            "Assessment",
            "Advice",
        ]
    ticked = {"Always": 2, "Never": 8}  # ticked options are counted, not a scale
    assert [v for v, _ in sorted(ticked.items(), key=answer_order(QuestionKind.MULTIPLE_CHOICE, ticked))] == [
        "Never",
        "Always",
    ]


# Who every reply is from ------------------------------------------------------------------------------------


def test_every_reply_is_suggested_from_the_file_then_the_survey_then_the_file_name():
    content = b"Rating,Anything else?\n4,The sessions helped a lot\n5,More sessions please would help\n"
    assert importer.preview_replies("replies.csv", content).audience is None  # nothing says who
    assert importer.preview_replies("SENCO feedback.csv", content).audience == "sencos"
    survey = factories.SurveyFactory()
    factories.SurveyGroupFactory(survey=survey, audience=Audience.PRACTITIONERS)
    assert importer.preview_replies("SENCO feedback.csv", content, survey).audience == "practitioners"
    mapping = importer.preview_replies("replies.csv", content).mapping
    assert "audience" not in mapping
    with pytest.raises(importer.SurveyFileError, match="or who every reply is from"):
        importer.import_replies(None, survey, "replies.csv", content, mapping)
    result = importer.import_replies(
        None, survey, "replies.csv", content, {**mapping, "audience": "practitioners"}
    )
    assert result.replies == 2 and result.mapping["audience"] == "practitioners"


def test_a_group_column_and_every_reply_together_are_refused_beside_the_choice():
    content = b"I am a,Useful?\nParent,Yes\nSENCO,No\n"
    mapping = importer.preview_replies("r.csv", content).mapping
    with pytest.raises(importer.SurveyFileError) as refused:
        importer.import_replies(
            None, factories.SurveyFactory(), "r.csv", content, {**mapping, "audience": "sencos"}
        )
    assert refused.value.problems[0].audience and "not both" in str(refused.value)


# Personal data in headings (issue 17, point 3, review) ------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "label", "kind"),
    [
        # Microsoft Forms: its own Name and Email, and questions the form's author added
        ("Name", "", "name"),
        ("Email", "", "email"),
        ("Your name (optional)", "", "name"),
        ("Contact phone", "", "phone"),
        ("Child's date of birth", "", "birth"),
        ("Child\u2019s name", "", "name"),
        ("4. Please leave your name and phone number if you would like us to call you", "", "contact"),
        ("Your email address (if you would like a reply)", "", "email"),
        ("What is your postcode?", "", "address"),
        # SurveyMonkey: its own columns, and a contact form split by its second row of headings
        ("Email Address", "", "email"),
        ("First Name", "", "name"),
        ("Last Name", "", "name"),
        ("IP Address", "", "ip"),
        ("Your contact details", "Name", "name"),
        ("Your contact details", "Phone Number", "phone"),
        ("Your contact details", "ZIP/Postal Code", "address"),
        ("Contact information", "Email Address", "email"),
        # SmartSurvey and plain spreadsheets
        ("Q3. Postcode", "", "address"),
        ("Post code", "", "address"),
        ("Telephone number", "", "phone"),
        ("Tel. no.", "", "phone"),
        ("Mobile number (optional)", "", "phone"),
        ("E-mail address", "", "email"),
        ("Home address", "", "address"),
        ("DOB", "", "birth"),
        ("D.O.B.", "", "birth"),
        ("Date of birth", "", "birth"),
        ("NHS number", "", "id"),
        ("NHS No.", "", "id"),
        ("UPN", "", "id"),
        ("Unique Pupil Number (UPN)", "", "id"),
        ("Name of person completing the form", "", "name"),
        ("Parent/carer's name", "", "name"),
        ("Your full name*", "", "name"),
        ("Name and email", "", "contact"),
        ("Contact details", "", "contact"),
    ],
)
def test_a_heading_that_asks_for_personal_data_is_personal(heading, label, kind):
    assert personal_heading(heading, label) == kind


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("Name of the service/team", ""),
        ("Name of school", ""),
        ("Your school (SENCOs only)", ""),
        ("What is the name of your child's school?", ""),
        ("Name one thing we could do better", ""),
        ("Which SPOT team is this reply about?", ""),
        ("Did you contact us by phone?", ""),
        ("How useful were our email updates?", ""),
        ("Did we address your concerns?", ""),
        ("Mobile phone use in school", ""),
        ("Telephone contact with the team was easy to arrange", ""),
        ("Is your phone number up to date?", ""),
        ("How did you hear about us? (e.g. email, phone)", ""),
        ("How would you like to hear from us?", "Phone"),  # an option, not a contact form's field
        ("Custom Data 1", ""),
        ("Respondent ID", ""),
        ("Tell us about your experience", ""),
    ],
)
def test_a_heading_that_only_mentions_personal_data_is_a_question(heading, label):
    assert personal_heading(heading, label) is None


NAMES_AND_PHONES = (
    "I am a,Your name (optional),Contact phone,Was the service helpful?,Anything else?\n"
    "Parent,Mrs Jane Parent,07700 900 123,Yes,We waited four months for the first appointment.\n"
    "Parent,Dr Sam O'Neil-Smith,0161 496 0000,No,The therapist was brilliant with my son\n"
    "SENCO,Ms Priya Shah Khan,+44 20 7946 0001,Yes,Nobody told us the referral had closed\n"
)


def test_names_and_phone_numbers_are_never_suggested_as_comments_however_their_answers_read():
    # written like comments (three "words" each, given once), so their shape alone would make them free text
    assert is_free_text(["Mrs Jane Parent", "Dr Sam O'Neil-Smith", "Ms Priya Shah Khan"])
    assert is_free_text(["07700 900 123", "0161 496 0000", "+44 20 7946 0001"])
    columns = {
        column.key: column for column in importer.preview_replies("r.csv", NAMES_AND_PHONES.encode()).columns
    }
    assert (columns["Your name (optional)"].personal, columns["Contact phone"].personal) == ("name", "phone")
    assert columns["Your name (optional)"].role == columns["Contact phone"].role == "ignore"
    assert columns["Your name (optional)"].samples == columns["Contact phone"].samples == []
    assert columns["Anything else?"].role == "free_text"
