"""Importing survey replies from Microsoft Forms, SurveyMonkey, SmartSurvey and plain spreadsheets:
all or nothing."""

import hashlib
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.demo import data
from tracker.extensions import db
from tracker.models import Role
from tracker.surveys import importer
from tracker.surveys.importer import SurveyFileError, import_replies, preview_replies
from tracker.surveys.models import (
    SurveyAnswer,
    SurveyComment,
    SurveyGroup,
    SurveyImport,
    SurveyQuestion,
    SurveyReply,
)
from tracker.surveys.services import group_counts, question_summaries

FILES = Path(data.__file__).parent / "files"
DEMO_FILES = {
    "spot-survey-microsoft-forms.xlsx": "microsoft_forms",
    "spot-survey-surveymonkey.csv": "surveymonkey",
    "spot-survey-smartsurvey.csv": "smartsurvey",
}
SATISFIED = "Are you very satisfied with the level of support received from the team?"
RECOMMEND = "Would you recommend the service to others?"
NEEDS_MET = "Did the service meet the needs of your child or young person?"
WRITTEN = (SurveyReply, SurveyAnswer, SurveyComment, SurveyQuestion, SurveyGroup, SurveyImport, AuditEvent)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def nothing_written() -> bool:
    return all(count(model) == 0 for model in WRITTEN)


def demo_file(name: str) -> bytes:
    return (FILES / name).read_bytes()


def suggested(name: str, content: bytes) -> dict:
    return preview_replies(name, content).mapping


def figures(survey) -> tuple[dict, dict]:
    db.session.expire_all()
    groups = {
        count.group.audience.value: (count.replies, count.respondents) for count in group_counts(survey)
    }
    answers = {
        (summary.group.audience.value, summary.question.text): {a.value: a.count for a in summary.answers}
        for summary in question_summaries(survey)
    }
    return groups, answers


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The three demo exports give exactly the published figures --------------------------------------------


@pytest.mark.parametrize("name", DEMO_FILES)
def test_each_demo_export_imports_with_the_suggested_mapping_and_gives_the_published_figures(name):
    survey = factories.SurveyFactory()
    content = demo_file(name)
    preview = preview_replies(name, content)
    assert preview.source_format == DEMO_FILES[name] and preview.rows == 61 and preview.errors == []

    result = import_replies(None, survey, name, content, preview.mapping)

    assert result.replies == 61 and result.source_format == DEMO_FILES[name]
    assert result.sha256 == hashlib.sha256(content).hexdigest() and result.filename == name
    groups, answers = figures(survey)
    assert groups == {"sencos": (39, 29), "parents_carers": (22, None)}
    assert answers == {
        ("sencos", SATISFIED): {"Yes": 32, "No": 7},
        ("parents_carers", RECOMMEND): {"Yes": 19, "No": 3},
        ("parents_carers", NEEDS_MET): {"Yes": 15, "No": 7},
    }
    summary = {(s.group.audience.value, s.question.text): s for s in question_summaries(survey)}
    assert (summary[("sencos", SATISFIED)].answers[0].count, summary[("sencos", SATISFIED)].base) == (32, 39)
    comments = db.session.scalars(sa.select(SurveyComment)).all()
    assert len(comments) == 5 and all(comment.question_id and comment.reply_id for comment in comments)
    assert any("Children's Occupational Therapy Service within SPOT" in comment.text for comment in comments)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyAnswer)
            .join(SurveyQuestion)
            .where(SurveyQuestion.kind == "free_text")
        )
        == 0
    )
    teams = db.session.scalars(sa.select(SurveyReply.team).distinct()).all()
    assert len(teams) == 4 and "Children's Occupational Therapy Service" in teams


def test_the_demo_mapping_is_what_the_preview_suggests_for_the_microsoft_forms_file():
    preview = preview_replies(data.SURVEY_FILE, demo_file(data.SURVEY_FILE))
    assert preview.mapping["columns"] == data.SURVEY_MAPPING["columns"]
    assert preview.mapping["audiences"] == data.SURVEY_MAPPING["audiences"]
    assert json.loads(json.dumps(preview.mapping)) == preview.mapping


def test_the_three_exports_record_the_same_moments_whatever_each_tool_writes_dates_as():
    moments = []
    for name in DEMO_FILES:
        survey = factories.SurveyFactory()
        import_replies(None, survey, name, demo_file(name), suggested(name, demo_file(name)))
        moments.append(
            sorted(
                db.session.scalars(
                    sa.select(SurveyReply.submitted_at).where(SurveyReply.survey_id == survey.id)
                )
            )
        )
    assert moments[0] == moments[1] == moments[2]
    assert moments[0][0] == datetime(
        2026, 5, 2, 10, 45, 8, tzinfo=timezone.utc
    )  # 11:45:08 British Summer Time


def test_the_preview_describes_each_column_and_writes_nothing():
    preview = preview_replies("spot-survey-surveymonkey.csv", demo_file("spot-survey-surveymonkey.csv"))
    columns = {column.key: column for column in preview.columns}
    assert columns["IP Address"].personal == "ip" and columns["IP Address"].samples == []
    assert list(columns["IP Address"].roles(keep_personal=True)) == ["ignore"]
    assert columns["End Date"].role == "submitted_at"
    assert columns["Are you a parent/carer or a SENCO?"].role == "group"
    assert columns["Are you a parent/carer or a SENCO? | Other (please specify)"].role == "ignore"
    assert columns[SATISFIED].role == "yes_no" and columns[SATISFIED].answered == 39
    assert [(v.value, v.replies, v.audience) for v in preview.group_values] == [
        ("SENCO", 39, "sencos"),
        ("Parent or carer", 22, "parents_carers"),
    ]
    assert nothing_written()


def test_numbered_headings_lose_their_numbers_in_the_question_but_keep_them_as_the_source_column():
    survey = factories.SurveyFactory()
    name = "spot-survey-smartsurvey.csv"
    import_replies(None, survey, name, demo_file(name), suggested(name, demo_file(name)))
    question = db.session.scalar(sa.select(SurveyQuestion).where(SurveyQuestion.text == SATISFIED))
    assert question.source_column == f"4. {SATISFIED}"


@pytest.mark.parametrize(
    ("value", "audience"),
    [
        ("Parent/Carer", "parents_carers"),
        ("SENCO", "sencos"),
        ("SENCo", "sencos"),
        ("Parent of a child with SEND", "parents_carers"),
        ("Young person", "children_young_people"),
        ("Pupil", "children_young_people"),
        ("Health practitioner", "practitioners"),
        ("Teacher", "practitioners"),
        ("Governor", None),
    ],
)
def test_group_answers_suggest_an_audience_by_keyword(value, audience):
    assert importer.suggest_audience(value) == audience


# Files as people have them -------------------------------------------------------------------------------

PLAIN = "Timestamp,I am a,Was the advice useful?,Anything else?\n"


def test_a_utf8_file_with_a_byte_order_mark_reads_its_first_heading_cleanly():
    content = ("\ufeff" + PLAIN + "2026-05-03 10:00,Parent,Yes,\n").encode("utf-8")
    preview = preview_replies("replies.csv", content)
    assert preview.columns[0].key == "Timestamp" and preview.columns[0].role == "submitted_at"


def test_windows_1252_text_is_read_as_excel_wrote_it():
    content = (PLAIN + "03/05/2026 10:00,Parent,Yes,The Children\u2019s OT leaflet helped\n").encode("cp1252")
    survey = factories.SurveyFactory()
    import_replies(None, survey, "replies.csv", content, suggested("replies.csv", content))
    assert db.session.scalar(sa.select(SurveyComment.text)) == "The Children\u2019s OT leaflet helped"
    assert db.session.scalar(sa.select(SurveyReply.submitted_at)) == datetime(
        2026, 5, 3, 9, 0, tzinfo=timezone.utc
    )


def test_utf16_tab_separated_and_semicolon_separated_files_are_read():
    text = PLAIN.replace(",", "\t") + "2026-05-03 10:00\tSENCO\tNo\t\n"
    assert preview_replies("replies.csv", b"\xff\xfe" + text.encode("utf-16-le")).rows == 1
    semicolons = (PLAIN.replace(",", ";") + "2026-05-03 10:00;Carer;Yes;\n").encode()
    preview = preview_replies("replies.csv", semicolons)
    # one reply, from a carer: no column varies by audience,
    # so every reply is suggested as from parents and carers
    assert preview.group_column is None and preview.audience == "parents_carers"
    assert (
        preview.mapping["audience"] == "parents_carers" and preview.mapping["columns"]["I am a"] == "ignore"
    )


def test_short_rows_are_read_as_blank_answers():
    content = (PLAIN + "2026-05-03 10:00,Parent,Yes\n2026-05-04 10:00,SENCO\n").encode()
    survey = factories.SurveyFactory()
    result = import_replies(None, survey, "replies.csv", content, suggested("replies.csv", content))
    assert result.replies == 2 and count(SurveyAnswer) == 1


def test_microsoft_forms_multiple_choice_stores_one_answer_per_option():
    rows = [
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Are you a parent/carer or a SENCO?",
            "Which support did you have?",
        ],
        [
            1,
            datetime(2026, 5, 3, 9),
            datetime(2026, 5, 3, 9, 5),
            "anonymous",
            None,
            "SENCO",
            "Advice;Training;",
        ],
        [2, datetime(2026, 5, 3, 9), datetime(2026, 5, 3, 9, 5), "anonymous", None, "SENCO", "Advice;"],
        [
            3,
            datetime(2026, 5, 3, 9),
            datetime(2026, 5, 3, 9, 5),
            "anonymous",
            None,
            "Parent/Carer",
            "Assessment;",
        ],
    ]
    content = xlsx(rows)
    preview = preview_replies("form.xlsx", content)
    assert preview.source_format == "microsoft_forms"
    assert {c.key: c.role for c in preview.columns}["Which support did you have?"] == "multiple_choice"
    survey = factories.SurveyFactory()
    import_replies(None, survey, "form.xlsx", content, preview.mapping)
    _, answers = figures(survey)
    assert answers[("sencos", "Which support did you have?")] == {"Advice": 2, "Training": 1}
    assert count(SurveyReply) == 3 and count(SurveyAnswer) == 4


def test_surveymonkey_tick_all_that_apply_columns_become_one_multiple_choice_question():
    content = (
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,"
        "Custom Data 1,Are you a parent/carer or a SENCO?,Which support did you have?,,\n"
        ",,,,,,,,,Response,Advice,Training,Other (please specify)\n"
        "11,9,05/03/2026 09:00:00 AM,05/03/2026 09:05:00 AM,192.0.2.1,,,,,SENCO,Advice,Training,\n"
        "12,9,05/03/2026 09:00:00 AM,05/03/2026 09:06:00 PM,192.0.2.2,,,,,Parent or "
        "carer,,Training,Home visits\n"
    ).encode()
    preview = preview_replies("monkey.csv", content)
    roles = {c.key: c.role for c in preview.columns}
    assert roles["Which support did you have?"] == "multiple_choice"
    assert roles["Which support did you have? | Other (please specify)"] == "free_text"
    survey = factories.SurveyFactory()
    import_replies(None, survey, "monkey.csv", content, preview.mapping)
    _, answers = figures(survey)
    assert answers[("sencos", "Which support did you have?")] == {"Advice": 1, "Training": 1}
    assert db.session.scalar(sa.select(SurveyComment.text)) == "Home visits"
    # 05/03/2026 could be either way round: read day first,
    # as a UK SurveyMonkey account writes it (5 March, GMT)
    assert sorted(t.hour for t in db.session.scalars(sa.select(SurveyReply.submitted_at))) == [9, 21]


# Bad files: a message that says which row and why, and nothing kept ----------------------------------------

GOOD = "Reply,I am a,Was the advice useful?\n1,Parent,Yes\n2,SENCO,No\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("replies.csv", b"", "The file is empty."),
        ("replies.csv", b"\xef\xbb\xbf\r\n", "The file is empty."),
        (
            "replies.csv",
            b"I am a,Q\nParent,Yes\nSENCO,caf\x81\n",
            "Line 3 has characters that are neither UTF-8 nor Windows-1252 text",
        ),
        ("replies.csv", b"PK\x03\x04\x00\x00binary", "The file is not text that can be read"),
        (
            "replies.csv",
            b"\xff\xfeI\x00 \x00a\x00m\x00\x00\xd8",
            "The file starts as UTF-16 text but is damaged",
        ),
        ("replies.xlsx", b"I am a,Q\nParent,Yes\n", "named .xlsx but is not an Excel workbook"),
        ("replies.xls", b"\xd0\xcf\x11\xe0", "Choose a .csv, .xlsx or .ods file"),
        (
            "replies.csv",
            b"I am a,Was the advice useful?\n",
            "The file has headings but no replies below them.",
        ),
    ],
)
def test_an_unusable_file_is_refused_with_a_reason_and_nothing_is_kept(name, content, message):
    survey = factories.SurveyFactory()
    with pytest.raises(SurveyFileError) as refused:
        preview_replies(name, content)
    assert message in str(refused.value)
    with pytest.raises(SurveyFileError):
        import_replies(None, survey, name, content, {"columns": {}, "audiences": {}})
    assert nothing_written()


def test_a_row_with_more_cells_than_headings_is_named_in_the_preview_and_refused():
    content = (GOOD + "3,Parent,Yes,extra, cells\n").encode()
    preview = preview_replies("replies.csv", content)
    assert preview.errors == [
        "Row 4 has 5 cells but the headings cover only 3 columns (up to column C): check for "
        "a comma in an answer that is not inside quotes."
    ]
    with pytest.raises(SurveyFileError, match="Row 4 has 5 cells"):
        import_replies(None, factories.SurveyFactory(), "replies.csv", content, preview.mapping)
    assert count(SurveyReply) == 0 and count(SurveyImport) == 0


def test_answers_under_a_blank_heading_name_their_row_and_the_row_of_headings():
    content = b"Spot survey 2026\nReply,I am a,,Was the advice useful?\n1,Parent,,Yes\n2,SENCO,extra,No\n"
    preview = preview_replies("replies.csv", content)
    assert preview.errors == ["Column C has answers (the first in row 4) but no heading in row 2."]


def test_a_file_with_no_group_column_chosen_is_refused():
    mapping = suggested("replies.csv", GOOD.encode())
    mapping["columns"]["I am a"] = "single_choice"
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, factories.SurveyFactory(), "replies.csv", GOOD.encode(), mapping)
    assert str(refused.value) == (
        "Choose the column that says who replied (the respondent group), or who every reply is from."
    )
    assert refused.value.problems[0].value == ""
    assert count(SurveyReply) == 0


def test_a_group_answer_not_matched_to_an_audience_names_its_row_and_nothing_is_kept():
    content = (GOOD + "3,Governor,Yes\n4,Governor,No\n5,,Yes\n").encode()
    mapping = suggested("replies.csv", content)
    assert "Governor" not in mapping["audiences"]
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, factories.SurveyFactory(), "replies.csv", content, mapping)
    assert [problem.message for problem in refused.value.problems] == [
        "Row 4: the group “Governor” is not matched to an audience. (1 more row gives the same answer.)",
        "Row 6: I am a is blank, so the reply has no group.",
    ]
    assert refused.value.problems[0].value == "Governor"
    assert nothing_written()


@pytest.mark.parametrize(
    ("row", "kind", "message"),
    [
        ("3,Parent,Maybe", "yes_no", "Row 4: Was the advice useful? “Maybe” is not yes or no."),
        ("3,Parent,four", "rating", "Row 4: Was the advice useful? “four” is not a whole number."),
    ],
)
def test_an_answer_that_does_not_fit_the_chosen_type_is_refused_with_its_row(row, kind, message):
    content = (GOOD.replace("Yes", "1").replace("No", "2") if kind == "rating" else GOOD) + row + "\n"
    mapping = suggested("replies.csv", content.encode())
    mapping["columns"]["Was the advice useful?"] = kind
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, factories.SurveyFactory(), "replies.csv", content.encode(), mapping)
    assert str(refused.value) == message and refused.value.problems[0].column == "Was the advice useful?"
    assert nothing_written()


def test_a_date_that_is_not_a_date_names_its_row():
    content = b"Submitted,I am a,Q\n31/05/2026 10:00,Parent,Yes\n31/13/2026 10:00,Parent,Yes\n"
    with pytest.raises(
        SurveyFileError,
        match="Row 3: Submitted “31/13/2026 10:00” is not a date and time: use "
        "DD/MM/YYYY HH:MM or YYYY-MM-DD HH:MM.",
    ):
        import_replies(None, factories.SurveyFactory(), "r.csv", content, suggested("r.csv", content))


def test_a_mapping_that_breaks_the_rules_lists_every_problem():
    mapping = {
        "columns": {"Reply": "group", "I am a": "group", "Nope": "ignore", "Was the advice useful?": "guess"},
        "audiences": {"Parent": "families"},
    }
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, factories.SurveyFactory(), "replies.csv", GOOD.encode(), mapping)
    assert [problem.message for problem in refused.value.problems] == [
        "The mapping names a column the file does not have: “Nope”.",
        "“guess” is not a way to read a column: use one of ignore, single_choice, multiple_choice, yes_no, "
        "rating, free_text, group, respondent, team, submitted_at, respondent_name, respondent_email.",
        "Only one column can be “Who replied (the respondent group)”: Reply and I am a are both chosen.",
        "Choose at least one column to import as a question.",
        "“families” is not an audience: use one of parents_carers, sencos, children_young_people, "
        "practitioners.",
    ]


def test_a_failure_while_writing_keeps_nothing(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importer.audit, "record", broken)
    survey = factories.SurveyFactory()
    name = "spot-survey-smartsurvey.csv"
    with pytest.raises(RuntimeError):
        import_replies(None, survey, name, demo_file(name), suggested(name, demo_file(name)))
    assert nothing_written()


# Personal data -------------------------------------------------------------------------------------------

PERSONAL = (
    "ID,Start time,Completion time,Email,Name,Are you a parent/carer or a SENCO?,Comments\n"
    "1,2026-05-03 09:00,2026-05-03 09:05,jo.senco@school.example,Jo Bloggs,SENCO,Very helpful\n"
    "2,2026-05-03 09:00,2026-05-03 09:05,anonymous,,Parent/Carer,\n"
)


def stored_text() -> str:
    """Everything the import wrote that could hold a person's details, as one string."""
    parts = [json.dumps(m) for m in db.session.scalars(sa.select(SurveyImport.mapping))]
    parts += [json.dumps(a) for a in db.session.scalars(sa.select(AuditEvent.after))]
    for reply in db.session.scalars(sa.select(SurveyReply)):
        parts += [
            str(reply.respondent_name),
            str(reply.respondent_email),
            reply.team,
            reply.source_row,
            str(reply.respondent_key),
        ]
    parts += db.session.scalars(sa.select(SurveyAnswer.value)).all()
    parts += db.session.scalars(sa.select(SurveyComment.text)).all()
    return " ".join(parts)


def test_names_and_emails_are_not_stored_unless_their_columns_are_chosen():
    content = PERSONAL.encode()
    preview = preview_replies("form.csv", content)
    columns = {column.key: column for column in preview.columns}
    assert (columns["Email"].role, columns["Name"].role) == ("ignore", "ignore")
    assert columns["Email"].samples == [] and columns["Name"].samples == []
    import_replies(None, factories.SurveyFactory(), "form.csv", content, preview.mapping)
    assert "jo.senco" not in stored_text() and "Bloggs" not in stored_text()
    assert db.session.scalars(sa.select(SurveyReply.respondent_email)).all() == [None, None]


def test_names_and_emails_are_stored_when_a_leader_chooses_to_keep_them():
    content = PERSONAL.encode()
    mapping = suggested("form.csv", content)
    mapping["columns"] |= {"Email": "respondent_email", "Name": "respondent_name"}
    import_replies(
        factories.UserFactory(role=Role.LEADER), factories.SurveyFactory(), "form.csv", content, mapping
    )
    replies = db.session.scalars(sa.select(SurveyReply).order_by(SurveyReply.source_row)).all()
    assert [(r.respondent_name, r.respondent_email) for r in replies] == [
        ("Jo Bloggs", "jo.senco@school.example"),
        (None, None),
    ]  # Microsoft Forms' "anonymous" is no one
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "survey.replies_imported"))
    assert event.after["personal_data"] == ["respondent_email", "respondent_name"]


def test_ip_addresses_are_never_stored_even_when_asked():
    name = "spot-survey-surveymonkey.csv"
    mapping = suggested(name, demo_file(name))
    mapping["columns"]["IP Address"] = "respondent_name"
    with pytest.raises(SurveyFileError, match="IP addresses are never stored"):
        import_replies(None, factories.SurveyFactory(), name, demo_file(name), mapping)
    import_replies(None, factories.SurveyFactory(), name, demo_file(name), suggested(name, demo_file(name)))
    assert "192.0.2." not in stored_text() and "198.51.100." not in stored_text()


def test_a_respondent_is_kept_only_as_a_keyed_hash_of_what_identifies_them():
    name = "spot-survey-microsoft-forms.xlsx"
    import_replies(None, factories.SurveyFactory(), name, demo_file(name), suggested(name, demo_file(name)))
    keys = db.session.scalars(
        sa.select(SurveyReply.respondent_key).where(SurveyReply.respondent_key.is_not(None))
    ).all()
    assert len(keys) == 39 and len(set(keys)) == 29
    assert importer.respondent_key("  Maple Court PRIMARY School ") in keys  # spaces and capitals ignored
    # the unsalted SHA-256 of a guessable school name is not what is stored, nor any bare hash
    assert hashlib.sha256(b"maple court primary school").hexdigest() not in keys
    assert all(key.startswith("k1:") and len(key) == 46 for key in keys)
    assert "Primary School" not in stored_text()


def test_the_respondent_key_comes_from_its_own_setting_or_else_from_the_secret_key(app, monkeypatch):
    derived = importer.respondent_key("Maple Court Primary School")
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    assert importer.respondent_key("Maple Court Primary School") != derived
    monkeypatch.setitem(app.config, "TRACKER_RESPONDENT_KEY", "a key of its own")
    own = importer.respondent_key("Maple Court Primary School")
    monkeypatch.setitem(app.config, "SECRET_KEY", "a third secret")
    assert importer.respondent_key("Maple Court Primary School") == own != derived


# Importing again --------------------------------------------------------------------------------------------


def test_the_same_file_twice_is_refused_and_nothing_is_counted_twice():
    survey = factories.SurveyFactory()
    name = "spot-survey-microsoft-forms.xlsx"
    mapping = suggested(name, demo_file(name))
    import_replies(None, survey, name, demo_file(name), mapping)
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, survey, "renamed.xlsx", demo_file(name), mapping)
    assert str(refused.value).startswith("This file was already imported into this survey on ")
    assert f"(as {name}): nothing was imported from renamed.xlsx" in str(refused.value)
    with pytest.raises(SurveyFileError, match="already imported"):
        preview_replies(name, demo_file(name), survey)
    assert count(SurveyReply) == 61 and count(SurveyImport) == 1
    import_replies(
        None, factories.SurveyFactory(), name, demo_file(name), mapping
    )  # another survey may have it
    assert count(SurveyReply) == 122


def test_a_later_export_adds_only_the_new_replies_to_the_same_questions():
    survey = factories.SurveyFactory()
    early = (
        "ID,Start time,Completion time,Email,Name,I am a,Useful?\n1,,2026-05-03 09:05,anonymous,,SENCO,Yes\n"
    )
    late = early + "2,,2026-05-04 09:05,anonymous,,Parent,No\n"
    import_replies(None, survey, "may-3.csv", early.encode(), suggested("may-3.csv", early.encode()))
    result = import_replies(None, survey, "may-4.csv", late.encode(), suggested("may-4.csv", late.encode()))
    assert result.replies == 1 and count(SurveyReply) == 2 and count(SurveyQuestion) == 1
    assert {g.audience.value for g in db.session.scalars(sa.select(SurveyGroup))} == {
        "sencos",
        "parents_carers",
    }
    with pytest.raises(SurveyFileError, match="Every reply in again.csv is already in this survey"):
        import_replies(
            None, survey, "again.csv", late.encode() + b"\n", suggested("again.csv", late.encode())
        )


def test_a_later_export_counts_a_returning_respondent_once_and_the_same_export_again_adds_nothing():
    survey = factories.SurveyFactory()
    header = "ID,Start time,Completion time,Email,Name,I am a,School,Useful?\n"
    early = header + "1,,2026-05-03 09:05,anonymous,,SENCO,Maple Court Primary,Yes\n"
    late = early + "2,,2026-05-04 09:05,anonymous,,SENCO,maple court primary ,No\n"
    mapping = suggested("may-3.csv", early.encode())
    mapping["columns"]["School"] = "respondent"
    import_replies(None, survey, "may-3.csv", early.encode(), mapping)
    import_replies(None, survey, "may-4.csv", late.encode(), mapping)
    assert [(count.replies, count.respondents) for count in group_counts(survey)] == [(2, 1)]
    with pytest.raises(SurveyFileError, match="Every reply in again.csv is already in this survey"):
        import_replies(None, survey, "again.csv", late.encode() + b"\n", mapping)
    assert [(count.replies, count.respondents) for count in group_counts(survey)] == [(2, 1)]


def test_a_question_read_differently_the_second_time_is_refused():
    survey = factories.SurveyFactory()
    import_replies(None, survey, "a.csv", GOOD.encode(), suggested("a.csv", GOOD.encode()))
    second = GOOD.replace("1,Parent", "7,Parent")
    mapping = suggested("b.csv", second.encode())
    mapping["columns"]["Was the advice useful?"] = "single_choice"
    with pytest.raises(
        SurveyFileError, match="Was the advice useful\\? was imported before as “Question: yes or no”"
    ):
        import_replies(None, survey, "b.csv", second.encode(), mapping)
    assert count(SurveyImport) == 1


def test_each_import_is_recorded_with_its_mapping_and_an_audit_event():
    leader = factories.UserFactory(role=Role.LEADER)
    survey = factories.SurveyFactory()
    name = "spot-survey-surveymonkey.csv"
    result = import_replies(leader, survey, name, demo_file(name), suggested(name, demo_file(name)))
    assert result.imported_by_id == leader.id and result.mapping["columns"]["IP Address"] == "ignore"
    assert result.mapping["audiences"] == {"SENCO": "sencos", "Parent or carer": "parents_carers"}
    assert count(SurveyReply) == db.session.scalar(
        sa.select(sa.func.count()).where(SurveyReply.import_id == result.id)
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "survey.replies_imported"))
    assert (event.entity_type, event.entity_id, event.actor_id) == ("survey", survey.id, leader.id)
    assert event.after["replies"] == 61 and event.after["comments"] == 5 and event.after["file"] == name


# The command line -------------------------------------------------------------------------------------------


def test_cli_prints_the_suggested_mapping_and_imports(runner, tmp_path):
    survey = factories.SurveyFactory()
    path = tmp_path / "spot-survey-smartsurvey.csv"
    path.write_bytes(demo_file(path.name))
    result = runner.invoke(args=["import", "survey", str(path), "--survey", str(survey.id)])
    assert result.exit_code == 0, result.output
    assert (
        '"4. Are you very satisfied with the level of support received from the team?": "yes_no"'
        in result.output
    )
    assert result.output.strip().endswith(f"Imported 61 replies from {path.name} into {survey.title}.")
    assert count(SurveyReply) == 61


def test_cli_reads_a_mapping_file(runner, tmp_path):
    survey = factories.SurveyFactory()
    path = tmp_path / data.SURVEY_FILE
    path.write_bytes(demo_file(data.SURVEY_FILE))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(data.SURVEY_MAPPING))
    result = runner.invoke(
        args=["import", "survey", str(path), "--survey", str(survey.id), "--mapping", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Imported 61 replies from {path.name} into {survey.title}.\n"


@pytest.mark.parametrize(
    ("content", "mapping", "message"),
    [
        (b"", None, "Error: The file is empty."),
        (
            GOOD.encode(),
            '{"columns": {"I am a": "ignore", "Was the advice useful?": "yes_no"}}',
            "Error: Choose the column that says who replied (the respondent group), or who every "
            "reply is from.",
        ),
        (GOOD.encode(), '{"columns": ', "Error: mapping.json is not valid JSON: Expecting value at line 1."),
        (
            b"I am a,Q\nParent,Yes\nGovernor,No\n",
            None,
            "Error: Row 3: the group “Governor” is not matched to an audience.",
        ),
    ],
)
def test_cli_refuses_in_one_line_without_a_traceback(runner, tmp_path, content, mapping, message):
    survey = factories.SurveyFactory()
    path = tmp_path / "replies.csv"
    path.write_bytes(content)
    args = ["import", "survey", str(path), "--survey", str(survey.id)]
    if mapping is not None:
        (tmp_path / "mapping.json").write_text(mapping)
        args += ["--mapping", str(tmp_path / "mapping.json")]
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a ClickException, not a crash
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors == [message] and "Traceback" not in result.output
    assert count(SurveyReply) == 0


def test_cli_names_a_survey_that_does_not_exist(runner, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_bytes(GOOD.encode())
    result = runner.invoke(args=["import", "survey", str(path), "--survey", "999"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Error: There is no survey 999" in result.output


def test_a_name_or_email_column_cannot_be_read_as_an_answer_or_a_team():
    from tracker.surveys.importer import SurveyFileError, import_replies, preview_replies

    content = (
        "Respondent group,Your name,Email address,Q1\nParent/Carer,Jane Parent,jane@family.example,Yes\n"
    ).encode()
    survey = factories.SurveyFactory()
    preview = preview_replies("plain.csv", content)
    mapping = {"columns": {**preview.mapping["columns"]}, "audiences": {"Parent/Carer": "parents_carers"}}
    name_key = next(key for key in mapping["columns"] if "name" in key.lower())
    mapping["columns"][name_key] = "team"
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, survey, "plain.csv", content, mapping)
    assert "holds personal data" in str(refused.value) or any(
        "holds personal data" in str(p) for p in refused.value.problems
    )


NAMES_AND_PHONES = (
    "I am a,Your name (optional),Contact phone,Was the service helpful?,Anything else?\n"
    "Parent,Mrs Jane Parent,07700 900 123,Yes,We waited four months for the first appointment.\n"
    "SENCO,Ms Priya Shah Khan,+44 20 7946 0001,Yes,Nobody told us the referral had closed\n"
)


def test_a_phone_or_name_column_chosen_as_comments_is_refused_beside_it_and_nothing_is_kept():
    content = NAMES_AND_PHONES.encode()
    mapping = suggested("r.csv", content)
    mapping["columns"] |= {"Contact phone": "free_text", "Your name (optional)": "single_choice"}
    with pytest.raises(SurveyFileError) as refused:
        import_replies(None, factories.SurveyFactory(), "r.csv", content, mapping)
    about = {problem.column: problem.message for problem in refused.value.problems}
    assert about["Contact phone"].startswith(
        "Contact phone holds personal data (a phone number): read as "
        "“Question: free text (comments)” it would be shown to everyone"
    )
    assert "rename its heading in the file" in about["Contact phone"]
    assert "holds personal data (a name)" in about["Your name (optional)"]
    assert nothing_written()
    mapping["columns"] |= {
        "Contact phone": "respondent",
        "Your name (optional)": "ignore",
    }  # a one-way id is allowed
    import_replies(None, factories.SurveyFactory(), "r.csv", content, mapping)
    assert "07700" not in stored_text() and "Priya" not in stored_text()


def test_only_a_leader_keeps_respondents_names_and_emails():
    content = PERSONAL.encode()
    mapping = suggested("form.csv", content)
    mapping["columns"] |= {"Email": "respondent_email", "Name": "respondent_name"}
    officer = factories.UserFactory(role=Role.OFFICER)
    with pytest.raises(SurveyFileError) as refused:
        import_replies(officer, factories.SurveyFactory(), "form.csv", content, mapping)
    assert {problem.column for problem in refused.value.problems} == {"Email", "Name"}
    assert "Only a leader can choose to keep respondents' names and email addresses" in str(refused.value)
    assert nothing_written() and "Bloggs" not in stored_text()
    columns = {column.key: column for column in preview_replies("form.csv", content).columns}
    assert list(columns["Name"].roles(keep_personal=False)) == ["ignore", "respondent"]
    assert list(columns["Name"].roles(keep_personal=True)) == ["ignore", "respondent", "respondent_name"]
    assert "respondent_email" not in columns["Comments"].roles(keep_personal=False)
