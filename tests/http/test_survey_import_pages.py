"""Importing survey replies through the pages: upload, check each column in the preview, confirm;
all or nothing."""

import html
import io
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from tests import factories
from tracker.demo import data
from tracker.extensions import db
from tracker.models import utcnow
from tracker.surveys.models import SurveyComment, SurveyImport, SurveyQuestion, SurveyReply
from tracker.surveys.services import group_counts

FILES = Path(data.__file__).parent / "files"
FORMS_FILE = "spot-survey-microsoft-forms.xlsx"


class FormReader(HTMLParser):
    """The values a browser would send back: hidden inputs and each select's selected option, by name."""

    def __init__(self, page: str):
        super().__init__()
        self.fields, self.labels, self._select, self._label_for = {}, {}, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name") != "csrf_token":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "label":
            self._label_for = attrs.get("for")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "label":
            self._label_for = None

    def handle_data(self, text):
        if self._label_for and text.strip():
            self.labels[text.strip()] = self._label_for


def upload(client, survey, content: bytes, name: str):
    return client.post(
        f"/surveys/{survey.id}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def confirm(client, survey, fields: dict):
    return client.post(f"/surveys/{survey.id}/import/confirm", data=fields, follow_redirects=True)


def preview_of(client, survey, name: str = FORMS_FILE) -> tuple[str, FormReader]:
    page = upload(client, survey, (FILES / name).read_bytes(), name).get_data(as_text=True)
    return page, FormReader(page)


def replies() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SurveyReply))


def test_a_leader_uploads_checks_the_preview_and_imports_every_reply(leader_client):
    survey = factories.SurveyFactory(title="SPOT service survey, May 2026")
    assert "Import replies from a file" in leader_client.get(f"/surveys/{survey.id}/import").get_data(
        as_text=True
    )
    page, form = preview_of(leader_client, survey)
    assert f"Check how {FORMS_FILE} will be imported" in page and "Microsoft Forms" in page
    assert "Column J. 39 answers, for example: Yes; No." in page
    column = form.labels["Are you a parent/carer or a SENCO?"]
    assert form.fields[column] == "group" and form.fields[form.labels["Email"]] == "ignore"
    assert form.fields[form.labels["Replies that answered “Parent/Carer”"]] == "parents_carers"
    assert replies() == 0  # the preview writes nothing

    done = confirm(leader_client, survey, form.fields)
    assert done.request.path == f"/surveys/{survey.id}"
    assert f"Imported 61 replies from {FORMS_FILE}." in done.get_data(as_text=True)
    counts = {c.group.audience.value: (c.replies, c.respondents) for c in group_counts(survey)}
    assert counts == {"sencos": (39, 29), "parents_carers": (22, None)}
    imported = db.session.scalar(sa.select(SurveyImport))
    assert imported.imported_by_id == leader_client.user.id and imported.source_format == "microsoft_forms"


def test_a_changed_column_type_is_what_gets_imported(leader_client):
    survey = factories.SurveyFactory()
    _, form = preview_of(leader_client, survey, "spot-survey-smartsurvey.csv")
    form.fields[form.labels["6. Did the service meet the needs of your child or young person?"]] = (
        "single_choice"
    )
    form.fields[form.labels["2. Which SPOT team is this reply about?"]] = "single_choice"
    assert "Imported 61 replies" in confirm(leader_client, survey, form.fields).get_data(as_text=True)
    kinds = {
        question.text: question.kind.value
        for question in db.session.scalars(
            sa.select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
        )
    }
    assert kinds["Did the service meet the needs of your child or young person?"] == "single_choice"
    assert kinds["Which SPOT team is this reply about?"] == "single_choice"
    assert kinds["Are you very satisfied with the level of support received from the team?"] == "yes_no"


def test_without_a_group_column_the_preview_comes_back_with_the_choices_kept(leader_client):
    survey = factories.SurveyFactory()
    _, form = preview_of(leader_client, survey)
    group = form.labels["Are you a parent/carer or a SENCO?"]
    satisfied = form.labels["Are you very satisfied with the level of support received from the team?"]
    form.fields[group], form.fields[satisfied] = "ignore", "single_choice"
    response = confirm(leader_client, survey, form.fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" not in page
    assert "Nothing was imported: there is a problem" in page
    assert (
        '<a href="#groups">Choose the column that says who replied (the respondent group), or who '
        "every reply is "
        "from.</a>"
    ) in page
    kept = FormReader(page)
    assert kept.fields[group] == "ignore" and kept.fields[satisfied] == "single_choice"
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert replies() == 0


def test_a_group_answer_left_unmatched_is_shown_beside_its_select(leader_client):
    survey = factories.SurveyFactory()
    _, form = preview_of(leader_client, survey)
    parents = form.labels["Replies that answered “Parent/Carer”"]
    form.fields[parents] = ""
    page = confirm(leader_client, survey, form.fields).get_data(as_text=True)
    assert f'<a href="#{parents}">Row ' in page
    assert (
        "the group “Parent/Carer” is not matched to an audience. (21 more rows give the same answer.)" in page
    )
    assert replies() == 0


def test_choosing_another_group_column_asks_for_its_answers_before_importing(leader_client):
    survey = factories.SurveyFactory()
    _, form = preview_of(leader_client, survey)
    form.fields[form.labels["Are you a parent/carer or a SENCO?"]] = "ignore"
    form.fields[form.labels["Which SPOT team is this reply about?"]] = "group"
    page = confirm(leader_client, survey, form.fields).get_data(as_text=True)
    assert "Match each answer in “Which SPOT team is this reply about?” to an audience below" in page
    assert "Replies that answered “Sensory Support Team”" in page
    assert replies() == 0


def test_the_preview_never_shows_personal_data(leader_client):
    survey = factories.SurveyFactory()
    content = (
        "ID,Start time,Completion time,Email,Name,I am a,Useful?\n"
        "1,2026-05-03 09:00,2026-05-03 09:05,jo.senco@school.example,Jo Bloggs,SENCO,Yes\n"
    ).encode()
    page = upload(leader_client, survey, content, "form.csv").get_data(as_text=True)
    assert "Personal data: its answers are not shown here" in page
    assert "jo.senco" not in page and "Bloggs" not in page
    monkey = upload(leader_client, survey, (FILES / "spot-survey-surveymonkey.csv").read_bytes(), "m.csv")
    assert "IP addresses are never stored." in monkey.get_data(as_text=True)
    assert "192.0.2." not in monkey.get_data(as_text=True)


def test_an_unusable_file_is_refused_on_the_upload_page(leader_client):
    survey = factories.SurveyFactory()
    page = upload(leader_client, survey, b"", "replies.csv").get_data(as_text=True)
    assert "There is a problem" in page and "The file is empty." in page
    page = upload(leader_client, survey, b"%PDF-1.4", "replies.pdf").get_data(as_text=True)
    assert "Choose a .csv, .xlsx or .ods file" in page
    page = leader_client.post(f"/surveys/{survey.id}/import", data={}).get_data(as_text=True)
    assert "Choose a .csv, .xlsx or .ods file of replies to import." in page


def test_a_file_with_bad_rows_lists_them_and_offers_no_import(leader_client):
    survey = factories.SurveyFactory()
    page = upload(leader_client, survey, b"I am a,Q\nParent,Yes\nSENCO,No,oops\n", "r.csv").get_data(
        as_text=True
    )
    assert "Nothing can be imported from this file: fix these rows and upload it again" in page
    assert "Row 3 has 3 cells but the headings cover only 2 columns" in page
    assert "Import replies</button>" not in page


def test_the_same_file_again_is_refused_at_upload(leader_client):
    survey = factories.SurveyFactory()
    _, form = preview_of(leader_client, survey)
    confirm(leader_client, survey, form.fields)
    page = upload(leader_client, survey, (FILES / FORMS_FILE).read_bytes(), "again.xlsx").get_data(
        as_text=True
    )
    assert "This file was already imported into this survey on " in page
    assert replies() == 61


def test_an_expired_or_forged_confirmation_writes_nothing(leader_client):
    survey = factories.SurveyFactory()
    response = confirm(leader_client, survey, {"token": "../../etc/passwd", "name": "x.csv"})
    assert response.request.path == f"/surveys/{survey.id}/import"
    assert "That import has expired. Upload the file again." in response.get_data(as_text=True)
    assert replies() == 0


def test_viewers_cannot_import(viewer_client):
    survey = factories.SurveyFactory()
    assert viewer_client.get(f"/surveys/{survey.id}/import").status_code == 403
    assert upload(viewer_client, survey, (FILES / FORMS_FILE).read_bytes(), FORMS_FILE).status_code == 403
    assert viewer_client.post(f"/surveys/{survey.id}/import/confirm", data={"token": "x"}).status_code == 403
    assert "Import replies" not in viewer_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert replies() == 0


def test_an_officer_imports_the_replies_but_only_a_leader_publishes_for_families(officer_client):
    survey = factories.SurveyFactory()
    page = officer_client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Import replies" in page and "Add a you said, we did entry" not in page
    _, form = preview_of(officer_client, survey)
    assert "Imported 61 replies" in confirm(officer_client, survey, form.fields).get_data(as_text=True)
    assert db.session.scalar(sa.select(SurveyImport.imported_by_id)) == officer_client.user.id
    assert officer_client.get(f"/surveys/{survey.id}/responses/new").status_code == 403
    assert (
        officer_client.post(
            f"/surveys/{survey.id}/responses/new",
            data={"you_said": "x", "we_did": "y", "status": "published"},
        ).status_code
        == 403
    )


def test_an_archived_or_missing_survey_is_not_found(leader_client):
    survey = factories.SurveyFactory(archived_at=utcnow())
    assert leader_client.get(f"/surveys/{survey.id}/import").status_code == 404
    assert leader_client.get("/surveys/2147483647/import").status_code == 404


NAMES_AND_PHONES = (
    "I am a,Your name (optional),Contact phone,Was the service helpful?,Anything else?\n"
    "Parent,Mrs Jane Parent,07700 900 123,Yes,We waited four months for the first appointment.\n"
    "Parent,Dr Sam O'Neil-Smith,0161 496 0000,No,The therapist was brilliant with my son\n"
    "SENCO,Ms Priya Shah Khan,+44 20 7946 0001,Yes,Nobody told us the referral had closed\n"
).encode()
PERSONAL_VALUES = ("Jane Parent", "O'Neil", "Priya", "07700", "0161", "7946")


def test_names_and_phone_numbers_imported_with_the_suggestions_unchanged_become_no_comment(leader_client):
    survey = factories.SurveyFactory()
    page = upload(leader_client, survey, NAMES_AND_PHONES, "replies.csv").get_data(as_text=True)
    form = FormReader(page)
    assert (
        form.fields[form.labels["Your name (optional)"]]
        == form.fields[form.labels["Contact phone"]]
        == "ignore"
    )
    assert "It looks like a phone number, so it cannot be a question or comments" in page
    assert not any(value in html.unescape(page) for value in PERSONAL_VALUES)
    assert "Imported 3 replies" in confirm(leader_client, survey, form.fields).get_data(as_text=True)
    comments = db.session.scalars(sa.select(SurveyComment.text)).all()
    assert len(comments) == 3 and not any(value in text for text in comments for value in PERSONAL_VALUES)
    assert db.session.scalars(sa.select(SurveyReply.respondent_name)).all() == [None] * 3


def test_a_phone_column_posted_as_comments_is_refused_beside_it(leader_client):
    survey = factories.SurveyFactory()
    page = upload(leader_client, survey, NAMES_AND_PHONES, "replies.csv").get_data(as_text=True)
    form = FormReader(page)
    phone = form.labels["Contact phone"]
    assert f'<select class="govuk-select" id="{phone}"' in page and 'value="free_text"' in page
    assert (
        page.split(f'id="{phone}"')[1].split("</select>")[0].count("<option") == 2
    )  # leave out, or a one-way id
    form.fields[phone] = "free_text"  # not offered: a forged or stale form
    page = confirm(leader_client, survey, form.fields).get_data(as_text=True)
    assert "Nothing was imported: there is a problem" in page
    assert f'href="#{phone}">Contact phone holds personal data (a phone number)' in page
    assert replies() == 0 and db.session.scalar(sa.select(sa.func.count()).select_from(SurveyComment)) == 0


def test_only_a_leader_is_offered_keeping_respondents_names_and_an_officers_choice_of_it_is_refused(
    officer_client, leader_client
):
    survey = factories.SurveyFactory()
    page = upload(officer_client, survey, NAMES_AND_PHONES, "replies.csv").get_data(as_text=True)
    assert 'value="respondent_name"' not in page and 'value="respondent_email"' not in page
    assert "Only a leader can choose to keep respondents' names and email addresses." in html.unescape(page)
    form = FormReader(page)
    form.fields[form.labels["Your name (optional)"]] = "respondent_name"
    page = confirm(officer_client, survey, form.fields).get_data(as_text=True)
    assert (
        "Only a leader can choose to keep respondents' names and email addresses: choose another way to read "
        "Your name (optional)." in html.unescape(page)
    )
    assert replies() == 0

    page = upload(leader_client, survey, NAMES_AND_PHONES, "replies.csv").get_data(as_text=True)
    assert 'value="respondent_name"' in page
    form = FormReader(page)
    form.fields[form.labels["Your name (optional)"]] = "respondent_name"
    assert "Imported 3 replies" in confirm(leader_client, survey, form.fields).get_data(as_text=True)
    assert sorted(db.session.scalars(sa.select(SurveyReply.respondent_name))) == [
        "Dr Sam O'Neil-Smith",
        "Mrs Jane Parent",
        "Ms Priya Shah Khan",
    ]
