"""Importing a plan from a spreadsheet: all rows or nothing, every error with its row,
re-imports that change only what changed."""

import csv
import io
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from tests.council_plans import ROWS, council_world, priority_action_plan
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plan import importer
from tracker.plan.import_template import HEADINGS, template_csv, template_xlsx
from tracker.plan.importer import ImportFileError, apply_plan, preview_plan
from tracker.plan.models import Action, ActionStatus, DueDateRevision, Partner, Priority
from tracker.plan.services import PlanError

HEADER = [
    "reference",
    "title",
    "description",
    "intended_outcome",
    "findings",
    "measures",
    "owner_email",
    "contributor_emails",
    "partner",
    "priority",
    "start_date",
    "due_date",
    "status",
    "percent_complete",
]


@pytest.fixture
def plan_world():
    """Two people, two findings and a measure that a plan's rows can name."""
    inspection = factories.InspectionFactory()
    return {
        "sam": factories.UserFactory(email="Sam.Owner@council.example"),
        "kim": factories.UserFactory(email="kim@icb.example"),
        "afi1": factories.FindingFactory(inspection=inspection, reference="AFI1"),
        "afi2": factories.FindingFactory(inspection=inspection, reference="AFI2"),
        "measure": factories.MeasureFactory(name="Weeks waited for an autism assessment"),
    }


def row(reference="A1", **values):
    base = {
        "reference": reference,
        "title": f"Action {reference}",
        "description": "What we will do.",
        "intended_outcome": "Families know where to go.",
        "findings": "AFI1",
        "measures": "",
        "owner_email": "sam.owner@council.example",
        "contributor_emails": "",
        "partner": "Council",
        "priority": "",
        "start_date": "2026-01-05",
        "due_date": "31/07/2026",
        "status": "in progress",
        "percent_complete": "20",
    }
    base.update(values)
    return [base[name] for name in HEADER]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def preview(path):
    with open(path, "rb") as stream:
        return preview_plan(path.name, stream)


def import_file(path, actor=None):
    return apply_plan(actor, preview(path), path.name)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def action(reference) -> Action:
    return db.session.scalar(sa.select(Action).where(Action.reference == reference))


def test_a_clean_csv_creates_every_action_with_its_links_and_audit(plan_world, tmp_path):
    leader = factories.UserFactory()
    path = write_csv(
        tmp_path / "plan.csv",
        [
            row(
                "A1",
                owner_email="SAM.OWNER@COUNCIL.EXAMPLE",
                findings="AFI1; afi2",
                measures="weeks waited for an autism assessment",
                contributor_emails="KIM@icb.example",
            ),
            row(
                "A2",
                partner="Council and ICB",
                priority="High",
                status="Not_Started",
                percent_complete="",
                start_date="",
                due_date="2026-12-31",
            ),
        ],
    )

    checked = preview(path)
    assert [(r.number, r.reference, r.outcome, r.errors) for r in checked.rows] == [
        (2, "A1", "create", []),
        (3, "A2", "create", []),
    ]
    assert count(Action) == 0  # a preview writes nothing

    assert apply_plan(leader, checked, "plan.csv") == importer.ImportResult(created=2, updated=0, unchanged=0)
    first, second = action("A1"), action("A2")
    assert first.owner == plan_world["sam"]
    assert first.contributors == [plan_world["kim"]]
    assert {finding.reference for finding in first.findings} == {"AFI1", "AFI2"}
    assert [measure.name for measure in first.measures] == ["Weeks waited for an autism assessment"]
    assert (first.start_date, first.due_date, first.status, first.percent_complete) == (
        date(2026, 1, 5),
        date(2026, 7, 31),
        ActionStatus.IN_PROGRESS,
        20,
    )
    assert (second.partner, second.priority, second.status, second.percent_complete, second.start_date) == (
        Partner.BOTH,
        Priority.HIGH,
        ActionStatus.NOT_STARTED,
        0,
        None,
    )
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "action.created")).all()
    assert sorted(event.after["reference"] for event in events) == ["A1", "A2"]
    assert {event.actor_id for event in events} == {leader.id}


def test_a_clean_xlsx_with_real_date_cells_imports(plan_world, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([name.upper().replace("_", " ") for name in HEADER])  # "DUE DATE" names due_date
    values = row("B7", start_date=datetime(2026, 2, 1), due_date=date(2026, 9, 30), percent_complete=0.4)
    sheet.append(values)
    sheet.cell(row=2, column=HEADER.index("percent_complete") + 1).number_format = "0%"
    sheet.append([None] * len(HEADER))  # blank trailing rows are ignored
    sheet.append([None, ""])
    workbook.save(tmp_path / "plan.xlsx")

    result = import_file(tmp_path / "plan.xlsx")

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    imported = action("B7")
    assert (imported.start_date, imported.due_date, imported.percent_complete) == (
        date(2026, 2, 1),
        date(2026, 9, 30),
        40,
    )
    assert imported.owner == plan_world["sam"]


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_error_with_its_row(plan_world, tmp_path):
    factories.UserFactory(email="gone@council.example", active=False)
    path = write_csv(
        tmp_path / "plan.csv",
        [
            row("A1"),
            row("A2", owner_email="gone@council.example"),
            row("A3", due_date="31/02/2026"),
            row("A4", findings="AFI1; AFI9", start_date="next week"),
            row("A3", percent_complete="140"),
            row("A6", status="complete", percent_complete="40"),
            row("", title="", partner="NHS", priority="urgent", due_date=""),
        ],
    )

    checked = preview(path)

    hint = "write a date such as 31/03/2026, Mar-26, March 2026 or Q4 2025/26"
    assert {r.number: r.errors for r in checked.rows} == {
        2: [],
        3: [
            "Owner “gone@council.example” is not an active user: check the email, or add them as "
            "a user first."
        ],
        4: [
            f"Target date “31/02/2026” is not a real date: {hint}.",
            "Reference A3 appears more than once in the file (rows 4 and 6).",
        ],
        5: ["Unknown finding reference AFI9.", f"Start date “next week” is not a date: {hint}."],
        6: [
            "% complete 140 is not between 0 and 100.",
            "Reference A3 appears more than once in the file (rows 4 and 6).",
        ],
        7: ["Status is complete but % complete is 40: a complete action is 100% complete."],
        8: ["Action reference is blank.", "Priority “urgent” is not one of high, medium or low."],
    }
    # NHS is the ICB in the partner vocabulary; a blank target date is a warning,
    # the plan's last date standing in
    assert checked.rows[6].warnings == [
        "Target date: no date given. The action is due 31 July 2026, the plan's last "
        "target date, until one is set."
    ]
    assert [r.outcome for r in checked.rows] == ["create", None, None, None, None, None, None]
    assert not checked.valid and checked.errors == 6 and checked.creates == 1
    with pytest.raises(PlanError, match=r"^Nothing was imported: 6 rows have errors\.$"):
        apply_plan(None, checked, "plan.csv")
    assert count(Action) == 0 and count(AuditEvent) == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(plan_world, tmp_path):
    path = write_csv(
        tmp_path / "plan.csv",
        [
            row(
                "A1",
                contributor_emails="kim@icb.example; sam.owner@council.example",
                measures="Weeks waited for an autism assessment",
            ),
            row("A2", findings="AFI2; AFI1"),
        ],
    )
    import_file(path)
    actions, events = count(Action), count(AuditEvent)

    again = preview(path)
    assert [r.outcome for r in again.rows] == ["unchanged", "unchanged"]
    assert apply_plan(None, again, "plan.csv") == importer.ImportResult(created=0, updated=0, unchanged=2)
    assert (count(Action), count(AuditEvent), count(DueDateRevision)) == (actions, events, 0)


def test_an_edited_reimport_updates_and_records_the_due_date_revision_with_the_import_reason(
    plan_world, tmp_path
):
    import_file(write_csv(tmp_path / "plan.csv", [row("A1"), row("A2")]))

    edited = write_csv(
        tmp_path / "plan-v2.csv",
        [
            row("a1", title="A clearer title", due_date="2026-10-31", findings="AFI1; AFI2"),
            row("A2"),
            row("A3"),
        ],
    )
    checked = preview(edited)
    assert [r.outcome for r in checked.rows] == ["update", "unchanged", "create"]
    assert apply_plan(None, checked, "plan-v2.csv") == importer.ImportResult(
        created=1, updated=1, unchanged=1
    )

    updated = action("a1")
    assert updated.title == "A clearer title"
    assert (updated.due_date, updated.revised_due_date) == (date(2026, 7, 31), date(2026, 10, 31))
    assert [
        (rev.previous_due_date, rev.new_due_date, rev.reason, rev.changed_by_id)
        for rev in updated.due_date_revisions
    ] == [(date(2026, 7, 31), date(2026, 10, 31), "Changed by importing plan-v2.csv", None)]
    assert {finding.reference for finding in updated.findings} == {"AFI1", "AFI2"}
    revised = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "action.due_date_revised"))
    assert (revised.actor_label, revised.after["reason"]) == ("system", "Changed by importing plan-v2.csv")
    assert [r.outcome for r in preview(edited).rows] == ["unchanged", "unchanged", "unchanged"]


def test_a_failure_part_way_through_leaves_nothing_written(plan_world, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "plan.csv", [row("A1"), row("A2")])
    checked = preview(path)
    real_create, calls = importer.create_action, []

    def create_then_fail(actor, data, commit=True):
        calls.append(data.reference)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_create(actor, data, commit=commit)

    monkeypatch.setattr(importer, "create_action", create_then_fail)
    with pytest.raises(RuntimeError):
        apply_plan(None, checked, "plan.csv")
    assert count(Action) == 0 and count(AuditEvent) == 0


def test_a_reference_in_two_inspections_needs_the_inspection_number(plan_world, tmp_path):
    later = factories.FindingFactory(reference="AFI1")  # a second inspection, also with an AFI1
    first_id = plan_world["afi1"].inspection_id
    checked = preview(
        write_csv(
            tmp_path / "plan.csv",
            [
                row("A1", findings="AFI1"),
                row("A2", findings=f"{later.inspection_id}:AFI1; {first_id} : afi1"),
            ],
        )
    )
    [ambiguous] = checked.rows[0].errors
    assert ambiguous.startswith(
        f"Finding reference AFI1 is in more than one inspection: write one of {first_id}:AFI1 ("
    )
    assert checked.rows[1].errors == []
    assert set(checked.rows[1].data.finding_ids) == {later.id, plan_world["afi1"].id}


def test_csv_with_a_byte_order_mark_or_windows_1252_reads_correctly(plan_world, tmp_path):
    bom = write_csv(
        tmp_path / "bom.csv", [row("A1", title="Café drop-ins for families")], encoding="utf-8-sig"
    )
    windows = write_csv(
        tmp_path / "windows.csv", [row("A2", title="Parents’ guide costs £0")], encoding="cp1252"
    )

    assert preview(bom).rows[0].data.title == "Café drop-ins for families"
    assert preview(windows).rows[0].data.title == "Parents’ guide costs £0"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.csv", b"", "The file is empty."),
        ("plan.csv", b"\r\n\r\n", "The file is empty."),
        (
            "plan.csv",
            ",".join(HEADER).encode() + b"\r\n,,\r\n",
            "The file has column names in row 1 but no actions below them.",
        ),
        (
            "plan.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "The file is not text that can be read: save it from Excel "
            "as CSV UTF-8 (Comma delimited) (.csv) or as an Excel Workbook (.xlsx).",
        ),
        (
            "plan.pdf",
            b"%PDF-1.7 ...",
            "Choose a .csv, .xlsx or .ods file: other files cannot be imported. An old .xls "
            "workbook can be saved as an Excel Workbook (.xlsx).",
        ),
        (
            "plan.xlsx",
            b"just some text",
            "The file is named .xlsx but is not an Excel workbook: open it in your spreadsheet "
            "and save it as an Excel Workbook (.xlsx) or as CSV.",
        ),
    ],
)
def test_an_unusable_file_is_refused_with_a_clear_message(name, content, message):
    with pytest.raises(ImportFileError) as refused:
        preview_plan(name, io.BytesIO(content))
    assert str(refused.value) == message


def test_the_templates_hold_every_documented_column_and_an_example(tmp_path):
    names = list(HEADINGS.values())
    assert names == [*HEADER[:6], "owner", "contributors", *HEADER[8:], "rag", "progress_update", "evidence"]
    lines = template_csv().decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(names)
    assert lines[1].startswith("A1,Publish a clear guide to the local offer,")

    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx())).worksheets[0]
    assert [cell.value for cell in sheet[1]] == names
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=2, column=names.index("due_date") + 1).value == datetime(2026, 7, 31)

    # the untouched template reads with every column suggested,
    # and only complains about what the tracker lacks
    checked = preview_plan("template.xlsx", io.BytesIO(template_xlsx()))
    assert "ignore" not in checked.mapping.columns.values()
    assert checked.rows[0].errors == [
        "Unknown finding reference AFI1.",
        "Unknown finding reference AFI3.",
        "Owner “owner@council.example” is not an active user: check the email, or add them as a user first.",
    ]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            b"Reference,Title\r\nA1,x\r\n",
            [
                "Choose the column that holds “Findings it answers”.",
                "Choose the column that holds “Owner (email or name)”.",
                "Choose the column that holds “Partner”.",
                "Choose the column that holds “Target date”.",
            ],
        ),
        (
            b"reference;findings;owner;partner;due_date\r\nA1;AFI1;x;LA;Mar-26\r\n",  # semicolons are read
            ["Choose the column that holds the action: “Action title” or “Action: what will be done”."],
        ),
    ],
)
def test_a_mapping_without_a_required_column_says_which_and_checks_no_row(text, problems):
    checked = preview_plan("plan.csv", io.BytesIO(text))
    assert checked.problems == {"": problems}
    assert checked.rows == [] and not checked.valid
    assert checked.refusal == f"Nothing was imported: {problems[0]}"


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def test_cli_dry_run_reports_each_row_and_writes_nothing(plan_world, tmp_path, runner):
    path = write_csv(tmp_path / "plan.csv", [row("A1"), row("A2")])

    result = runner.invoke(args=["import", "plan", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Row 2 A1: create",
        "Row 3 A2: create",
        "Dry run, nothing was written: 2 to create, 0 to update, 0 unchanged.",
    ]
    assert count(Action) == 0


def test_cli_imports_a_clean_file(plan_world, tmp_path, runner):
    path = write_csv(tmp_path / "plan.csv", [row("A1"), row("A2")])

    result = runner.invoke(args=["import", "plan", str(path)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Imported plan.csv: 2 created, 0 updated, 0 unchanged."
    assert count(Action) == 2


def test_cli_refuses_a_file_with_bad_rows_in_one_line(plan_world, tmp_path, runner):
    path = write_csv(
        tmp_path / "plan.csv", [row("A1"), row("A2", findings="AFI9"), row("A3", due_date="soon")]
    )

    result = runner.invoke(args=["import", "plan", str(path)])

    assert result.exit_code == 1
    assert "Row 3 A2: error: Unknown finding reference AFI9." in result.output.splitlines()
    assert (
        "Row 4 A3: error: Target date “soon” is not a date: write a date such as 31/03/2026, Mar-26, March "
        "2026 or Q4 2025/26."
    ) in result.output.splitlines()
    assert error_lines(result) == ["Error: Nothing was imported: 2 rows have errors."]
    assert "Traceback" not in result.output
    assert count(Action) == 0


def test_cli_refuses_an_unusable_file_in_one_line(tmp_path, runner):
    path = tmp_path / "plan.csv"
    path.write_bytes(b"")

    result = runner.invoke(args=["import", "plan", str(path)])

    assert result.exit_code == 1
    assert error_lines(result) == ["Error: The file is empty."]
    assert "Traceback" not in result.output


def xlsx_bytes(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_empty_first_worksheet_or_a_column_named_twice_is_refused():
    with pytest.raises(
        ImportFileError, match=r"^The first worksheet is empty: the plan must be on the first worksheet\.$"
    ):
        preview_plan("plan.xlsx", io.BytesIO(xlsx_bytes()))


def test_unknown_columns_a_heading_written_twice_and_a_value_under_no_heading_are_offered_and_left_out(
    plan_world,
):
    checked = preview_plan(
        "plan.xlsx",
        io.BytesIO(
            xlsx_bytes(
                [*HEADER, "Title", "foo", "foo"],
                [*row("A1"), "Other title", "x", "y"],
                [*row("A2"), None, None, None, "stray"],
            )
        ),
    )
    assert {key: field for key, field in checked.mapping.columns.items() if field == "ignore"} == {
        "Title": "ignore",
        "foo (column P)": "ignore",
        "foo (column Q)": "ignore",
        "Column R": "ignore",
    }
    assert checked.mapping.columns["title"] == "title"
    assert [(r.outcome, r.errors) for r in checked.rows] == [("create", []), ("create", [])]
    assert checked.sheet.columns[-1].samples == ["stray"]


def test_cli_imports_a_councils_own_plan_as_suggested_with_the_owners_as_the_updates_authors(
    tmp_path, runner
):
    world = council_world()
    path = tmp_path / "PAP tracker.xlsx"
    path.write_bytes(priority_action_plan())

    result = runner.invoke(args=["import", "plan", str(path)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "Row 7: left out: It holds only “Priority 2: waiting times”: read as a heading, not an action."
        in lines
    )
    assert lines[0] == (
        "Note: No column holds the intended outcome: each action records “Not stated in the imported "
        "plan.” until someone writes one on its page."
    )
    assert (
        "Row 6 1.3: create Warning: Target date: “TBC” is not a date yet. The action is due 30 June 2027, "
        "the plan's last target date, until one is set."
    ) in lines
    assert lines[-1] == "Imported PAP tracker.xlsx: 5 created, 0 updated, 0 unchanged."
    first = action("1.1")
    assert (first.updates[0].author, first.rag_override_reason) == (world["priya"], "imported")
    revisions = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "progress_update.created")
    ).all()
    assert {event.actor_label for event in revisions} == {"system"}


def test_a_shared_name_is_an_error_until_someone_is_chosen(tmp_path):
    council_world()
    other = factories.UserFactory(name="Sam Patel", email="sam.patel@council.example")
    checked = preview_plan("plan.xlsx", io.BytesIO(priority_action_plan()))
    assert [name.written for name in checked.shared_names] == ["Sam Patel"]
    [row] = [row for row in checked.rows if row.reference == "2.2"]
    assert row.errors == [
        "Owner “Sam Patel” could be Sam Patel (sam.patel@icb.example) and Sam Patel "
        "(sam.patel@council.example): choose who under “People with the same name”."
    ]
    mapping = replace(checked.mapping, people={"sam patel": other.id})
    chosen = preview_plan("plan.xlsx", io.BytesIO(priority_action_plan()), mapping)
    assert (
        chosen.valid and [row for row in chosen.rows if row.reference == "2.2"][0].data.owner_id == other.id
    )


def test_a_later_copy_of_the_plan_adds_an_update_and_moves_the_override_only_where_they_changed(tmp_path):
    council_world()
    apply_plan(None, preview_plan("plan.xlsx", io.BytesIO(priority_action_plan())), "plan.xlsx")
    later = [list(values) for values in ROWS]
    later[0][6:9] = ["A", 0.5, "Pages drafted; forum testing in January."]  # 1.1: amber, 50%, a new update
    checked = preview_plan("plan-v2.xlsx", io.BytesIO(priority_action_plan(later, merged=True)))
    assert [row.outcome for row in checked.rows if not row.left_out] == ["update"] + ["unchanged"] * 4
    apply_plan(None, checked, "plan-v2.xlsx")
    first = action("1.1")
    assert (first.rag_override, first.rag_override_reason, first.percent_complete) == (
        "amber",
        "imported",
        50,
    )
    assert [update.body for update in sorted(first.updates, key=lambda update: update.id)] == [
        "Draft pages reviewed with the forum in November.\n\nEvidence named in the plan: Forum "
        "minutes, 12 November",
        "Pages drafted; forum testing in January.\n\nEvidence named in the plan: Forum minutes, 12 November",
    ]
    assert len(action("1.2").updates) == 1
