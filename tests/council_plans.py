"""A council's own Priority Action Plan, made in the tests as councils keep them: two title rows, the title
merged across, each area for improvement merged down over its actions, a section heading merged across, a
Notes sheet, names not emails, partners as LA / Joint / PCF / Health / ICB, target dates as Mar-27, Q4
2026/27, TBC and 31.3.27, and the council's RAG and % complete. `council_world()` makes the inspection,
findings and people it names."""

import io
from datetime import date

import openpyxl

from tests import factories
from tracker.models import Role

HEADINGS = [
    "Ref",
    "Area for improvement",
    "Action",
    "Lead officer",
    "Partner",
    "Target date",
    "RAG",
    "% complete",
    "Progress update",
    "Evidence",
]
COMMUNICATION = (
    "Leaders do not communicate well enough with parents and carers about the local offer, which "
    "families find difficult to navigate."
)
WAITING = "Children and young people wait too long for autism assessments and for occupational therapy."
ROWS = [  # from row 4; None where a merged cell covers it
    [
        "1.1",
        COMMUNICATION,
        "Rewrite the local offer pages with the parent carer forum. Test them with ten families.",
        "Priya Shah",
        "LA",
        "Mar-27",
        "G",
        0.4,
        "Draft pages reviewed with the forum in November.",
        "Forum minutes, 12 November",
    ],
    [
        "1.2",
        None,
        "Publish a termly newsletter for parents and carers.",
        "Ms Priya Shah (Head of SEND)",
        "Joint",
        "Q4 2026/27",
        "Amber",
        0.1,
        None,
        None,
    ],
    [
        "1.3",
        None,
        "Train front-door staff to explain the local offer.",
        "Ann Lee",
        "PCF",
        "TBC",
        "R",
        0,
        "Waiting for the training budget.",
        None,
    ],
    ["Priority 2: waiting times"] * 10,  # a section's heading, merged across
    [
        "2.1",
        "Children and young people wait too long for autism assessments",
        "Add a weekly triage clinic for autism referrals.",
        "Jo Bloggs / Priya Shah",
        "Health",
        "31.3.27",
        "Blue",
        1,
        "Clinic running since September.",
        "Waiting list report, October",
    ],
    [
        "2.2",
        None,
        "Recruit two occupational therapists.",
        "Sam Patel",
        "ICB",
        "30/06/2027",
        "A",
        0.25,
        "Interviews booked for January.",
        None,
    ],
]


def council_world() -> dict:
    """The inspection with the two areas for improvement the plan answers (in the report's words),
    and its people."""
    inspection = factories.InspectionFactory(title="Area SEND inspection, October 2025")
    theme = factories.ThemeFactory(name="Communication with families")
    return {
        "inspection": inspection,
        "theme": theme,
        "afi1": factories.FindingFactory(
            inspection=inspection,
            theme=theme,
            reference="AFI1",
            title="Communication about the local offer",
            wording=COMMUNICATION,
        ),
        "afi2": factories.FindingFactory(
            inspection=inspection, theme=theme, reference="AFI2", title="Waiting times", wording=WAITING
        ),
        "priya": factories.UserFactory(
            name="Priya Shah", email="priya.shah@council.example", role=Role.LEADER
        ),
        "ann": factories.UserFactory(name="Ann Lee", email="ann.lee@pcf.example"),
        "jo": factories.UserFactory(name="Jo Bloggs", email="jo.bloggs@icb.example"),
        "sam": factories.UserFactory(name="Sam Patel", email="sam.patel@icb.example"),
    }


def priority_action_plan(
    rows: list[list] | None = None, more: tuple[list, ...] = (), merged: bool | None = None
) -> bytes:
    """The plan as an .xlsx file: ROWS and `more` after them, or `rows` in their place. ROWS' cells are merged
    as the council merges them; `rows` only with `merged=True` (a later copy of the same plan)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "PAP tracker"
    sheet.append(["Priority Action Plan 2026/27"])
    sheet.merge_cells("A1:J1")
    sheet.append([f"Local area SEND partnership – updated {date(2026, 12, 1):%d %B %Y}"])
    sheet.append(HEADINGS)
    for values in [*(rows if rows is not None else ROWS), *more]:
        sheet.append(values)
    if rows is None if merged is None else merged:
        sheet.merge_cells("B4:B6")
        sheet.merge_cells("A7:J7")
        sheet.merge_cells("B8:B9")
    for row in range(4, sheet.max_row + 1):
        sheet.cell(row=row, column=8).number_format = "0%"
    notes = workbook.create_sheet("Notes")
    notes.append(["RAG key: R = off track, A = at risk, G = on track, Blue = complete"])
    notes.append(["Nothing on this sheet is imported"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
