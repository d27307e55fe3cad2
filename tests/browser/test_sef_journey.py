"""The self-evaluation in Chromium: a leader goes from a criterion's page to its statement, drafts it citing
evidence, signs it off and downloads the Word export, which python-docx reads back with real headings and the
cited evidence in its index. Every page on the way, and the form's error state, pass axe."""

import docx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.factories import DEMO_PASSWORD
from tracker.dates import today

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD
CRITERION = "A2: Families participate in decisions"


def test_a_leader_drafts_cites_signs_off_and_exports_a_statement_to_word(demo, page, tmp_path):
    sign_in(page, "leader@demo.example", PASSWORD)
    page.goto("/criteria")
    page.get_by_role("link", name=CRITERION).click()
    page.get_by_role("link", name="The self-evaluation statement for A2").click()
    expect(page.locator("h1")).to_have_text(CRITERION)
    expect(page.locator("main")).to_contain_text("No statement has been written for this criterion yet.")
    problems = axe_violations(page)

    page.get_by_role("link", name="Write the statement").click()
    page.get_by_role("button", name="Save as a draft").click()  # nothing written
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write at least one part of the statement")
    problems += axe_violations(page)
    page.get_by_label("What is working well").fill("Families shaped the SPOT service's new leaflet.")
    page.get_by_label("What needs to improve").fill("Fathers are rarely asked.")
    page.get_by_label("What is being done").fill("Every review now invites both parents.")
    page.get_by_label("Find evidence to cite").fill("SPOT survey report")  # the list's search box
    page.get_by_role("checkbox", name="SPOT survey report: you said, we did").check()
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Version 1 of the statement for A2 is saved as a draft."
    )
    expect(page.get_by_role("link", name="SPOT survey report: you said, we did")).to_be_visible()
    problems += axe_violations(page)

    page.get_by_role("button", name="Sign off this version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Version 1 of the statement for A2 is signed off."
    )
    expect(page.get_by_role("region", name="Every version of this statement")).to_contain_text(
        "By Jo Whitfield (head of SEND)"
    )
    problems += axe_violations(page)

    page.get_by_role("link", name="Back to the self-evaluation").click()
    expect(page.locator("h1")).to_have_text("Self-evaluation")
    problems += axe_violations(page)
    page.get_by_role("link", name="Export the self-evaluation as Word or PDF, as at any date").click()
    expect(page.locator("h1")).to_have_text("Export the self-evaluation")
    problems += axe_violations(page)
    page.get_by_label("Word document (editable)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    assert download.value.suggested_filename == f"self-evaluation-{today().isoformat()}.docx"
    path = tmp_path / "sef.docx"
    download.value.save_as(path)

    document = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 2", CRITERION) in headings and ("Heading 1", "Evidence index") in headings
    assert any(
        style == "Heading 1" and text == "Children and young people's experiences and outcomes"
        for style, text in headings
    )
    lines = [p.text for p in document.paragraphs]
    assert "Families shaped the SPOT service's new leaflet." in lines
    cited = next(
        line
        for line in lines
        if line.startswith("Cites: ") and "SPOT survey report: you said, we did" in line
    )
    number = cited.split("]")[0].removeprefix("Cites: ") + "]"
    assert any(line.startswith(f"{number} Evidence: SPOT survey report: you said, we did") for line in lines)
    assert problems == []
