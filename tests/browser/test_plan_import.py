"""A leader imports a council's own Priority Action Plan in Chromium: the mapping page as suggested, its
errors and the choices it asks for (a partner, a shared name, new findings) pass axe-core,
and the import writes the plan."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from tests.council_plans import COMMUNICATION, council_world, priority_action_plan
from tracker.extensions import db
from tracker.plan.models import Action, Finding

pytestmark = pytest.mark.browser


def test_a_leader_maps_a_councils_plan_and_imports_it(page, tmp_path):
    world = council_world()
    factories.UserFactory(name="Sam Patel", email="sam.patel@council.example")  # two people share the name
    plan = tmp_path / "PAP tracker.xlsx"
    plan.write_bytes(
        priority_action_plan(
            more=(
                [
                    "3.1",
                    "AFI7: Too few young people help shape the services they use.",
                    "Set up a youth panel.",
                    "Priya Shah",
                    "Schools Forum",
                    "Mar-27",
                    "G",
                    0.1,
                    None,
                    None,
                ],
            )
        )
    )
    problems = []
    sign_in(page, world["priya"].email, factories.PASSWORD)

    page.goto("/actions/import")
    expect(page.locator("h1")).to_have_text("Import a plan from a spreadsheet")
    problems += axe_violations(page)
    page.get_by_label("Spreadsheet").set_input_files(str(plan))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("h1")).to_have_text("Check how PAP tracker.xlsx will be imported")
    expect(page.get_by_label("Lead officer", exact=True)).to_have_value("owner")
    expect(page.get_by_label("“LA”")).to_have_value("council")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose which partner “Schools Forum” means."
    )
    problems += axe_violations(
        page
    )  # the mapping page as suggested, asking for a partner, a person, findings

    page.get_by_label("Lead officer", exact=True).select_option(label="Leave out")
    page.get_by_role("button", name="Check the rows again").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the column that holds “Owner (email or name)”."
    )
    problems += axe_violations(page)  # the page with a column's error

    page.get_by_label("Lead officer", exact=True).select_option(label="Owner (email or name)")
    page.get_by_label("“Schools Forum”").select_option(label="Other")
    page.get_by_role(
        "button", name="Check the rows again"
    ).click()  # the owners' column again: who is Sam Patel?
    page.get_by_label("Who is “Sam Patel”?").select_option(label="Sam Patel (sam.patel@icb.example)")
    page.get_by_label("Create these new findings").check()
    page.get_by_label("Theme for the new findings").select_option(label=world["theme"].name)
    page.get_by_role("button", name="Check the rows again").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    problems += axe_violations(page)  # every row ready, with its warnings
    page.get_by_role("button", name="Import these actions").click()
    expect(page.locator("main")).to_contain_text(
        "Imported PAP tracker.xlsx: 6 created, 0 updated, 0 unchanged."
    )

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 6
    assert db.session.scalar(sa.select(Finding.wording).where(Finding.reference == "AFI7")).startswith(
        "Too few"
    )
    assert db.session.scalar(sa.select(Finding.wording).where(Finding.reference == "AFI1")) == COMMUNICATION
    assert problems == []
