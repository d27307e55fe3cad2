"""A leader imports a survey's replies in Chromium through the preview,
with axe-core on every page it shows."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tracker.demo import data
from tracker.extensions import db
from tracker.models import Role
from tracker.surveys.models import SurveyQuestion, SurveyReply

pytestmark = pytest.mark.browser
FILE = Path(data.__file__).parent / "files" / "spot-survey-smartsurvey.csv"
NEEDS_MET = "6. Did the service meet the needs of your child or young person?"


def test_a_leader_imports_a_survey_file_through_the_preview(page):
    leader = factories.UserFactory(role=Role.LEADER)
    survey = factories.SurveyFactory(title="SPOT service survey, May 2026")
    problems = []
    sign_in(page, leader.email, factories.PASSWORD)

    page.goto(f"/surveys/{survey.id}/import")
    expect(page.locator("h1")).to_have_text("Import replies from a file")
    problems += axe_violations(page)
    page.set_input_files("#file", str(FILE))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("h1")).to_have_text(f"Check how {FILE.name} will be imported")
    expect(page.get_by_label("1. Are you a parent/carer or a SENCO?", exact=True)).to_have_value("group")
    expect(page.get_by_label("Replies that answered “SENCo”")).to_have_value("sencos")
    problems += axe_violations(page)

    parents = page.get_by_label("Replies that answered “Parent/carer”")
    parents.select_option(label="Choose an audience")
    page.get_by_role("button", name="Import replies").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "the group “Parent/carer” is not matched to an audience"
    )
    expect(parents).to_have_value("")
    expect(page.get_by_label("1. Are you a parent/carer or a SENCO?", exact=True)).to_have_value("group")
    problems += axe_violations(page)

    parents.select_option(label="Parents and carers")
    page.get_by_label(NEEDS_MET, exact=True).select_option(label="Question: single choice")
    page.get_by_role("button", name="Import replies").click()
    expect(page.locator("main")).to_contain_text(f"Imported 61 replies from {FILE.name}.")
    assert page.url.endswith(f"/surveys/{survey.id}")

    db.session.expire_all()
    question = db.session.scalar(sa.select(SurveyQuestion).where(SurveyQuestion.source_column == NEEDS_MET))
    assert question.kind.value == "single_choice"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyReply)) == 61
    assert problems == []


def test_an_officer_imports_a_single_audience_export_with_every_reply_from_parents(page, tmp_path):
    from tests.http.test_survey_vendor_exports import smartsurvey_csv, survey_asking
    from tracker.surveys.models import Audience, SurveyComment

    officer = factories.UserFactory(role=Role.OFFICER)
    survey = survey_asking(Audience.PARENTS_CARERS, Audience.SENCOS)
    export = tmp_path / "smartsurvey-parents.csv"
    export.write_bytes(smartsurvey_csv(25))
    problems = []
    sign_in(page, officer.email, factories.PASSWORD)

    page.goto(f"/surveys/{survey.id}")
    page.get_by_role("button", name="Import replies").click()
    page.set_input_files("#file", str(export))
    page.get_by_role("button", name="Preview the import").click()
    who = page.get_by_label("Who replied", exact=True)
    expect(who).to_have_value("parents_carers")
    expect(page.get_by_label("UserNo", exact=True)).to_have_value("ignore")
    expect(page.get_by_label("2. Which team is this about?", exact=True)).to_have_value("team")
    problems += axe_violations(page)

    page.get_by_label("1. Which best describes you?", exact=True).select_option(
        label="Who replied (the respondent group)"
    )
    page.get_by_role("button", name="Import replies").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Match each answer in “1. Which best describes you?”"
    )
    page.get_by_label("Replies that answered “Parent/carer”").select_option(label="Parents and carers")
    page.get_by_role("button", name="Import replies").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose either a column that says who replied or"
    )
    expect(who).to_have_value("parents_carers")
    problems += axe_violations(page)

    page.get_by_label("1. Which best describes you?", exact=True).select_option(label="Do not import")
    page.get_by_role("button", name="Import replies").click()
    expect(page.locator("main")).to_contain_text(f"Imported 25 replies from {export.name}.")
    page.get_by_role("link", name="Read the comments people wrote").click()
    expect(page.locator("h2").first).to_contain_text("6 comments")
    problems += axe_violations(page)

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyComment)) == 6
    assert problems == []
