"""Every import page holds to the spreadsheet limits: a hostile file is refused in one sentence, or read as
what it holds, while the memory the request takes stays small (tracker/spreadsheets.py)."""

import html
import io
import tracemalloc
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests import factories
from tests.hostile_spreadsheets import (
    ods,
    ods_cell,
    ods_row,
    wide_csv,
    wide_xlsx,
    with_dimension,
    with_empty_cells,
    with_empty_rows,
    with_stray_cell,
    xlsx,
)
from tracker.extensions import db
from tracker.measures.models import MeasureReading
from tracker.models import Role
from tracker.plan.models import Action
from tracker.surveys.models import SurveyReply

MB = 1024 * 1024
MOST_MEMORY = 100 * MB  # the worker that once reached 2.6 GB on a 1.6 KB file

PLAN = [
    ["reference", "title", "intended_outcome", "findings", "owner_email", "partner", "due_date"],
    [
        "A1",
        "Publish leaflets",
        "Parents know where to go",
        "AFI1",
        "priya@council.example",
        "council",
        "2027-03-31",
    ],
]
SURVEY = [
    ["ID", "Are you a parent/carer or a SENCO?", "How easy was it to find help?"],
    [1, "Parent/Carer", "Easy"],
    [2, "SENCO", "Hard"],
]
READINGS = [["period_end", "value", "note"], ["2026-03-31", 21, "As the inspection found"]]


@dataclass
class Page:
    name: str
    address: str
    rows: list[list]
    read: str  # what the page shows once it has read the file as it is

    def post(self, client, content: bytes, filename: str):
        # encoded here: the test client spools a large body to a temporary file that nothing closes
        boundary, body = encode_multipart(MultiDict({"file": FileStorage(io.BytesIO(content), filename)}))
        return client.post(self.address, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def import_page(name: str) -> Page:
    """An import page, with a file it reads: the plan's, a survey's replies or a measure's readings."""
    factories.FindingFactory(reference="AFI1")
    factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    if name == "plan":
        return Page("plan", "/actions/import", PLAN, "will be imported")
    if name == "survey":
        return Page("survey", f"/surveys/{factories.SurveyFactory().id}/import", SURVEY, "will be imported")
    return Page(
        "readings", f"/measures/{factories.MeasureFactory().id}/readings/import", READINGS, "Redirecting"
    )


@pytest.fixture(params=["plan", "survey", "readings"])
def page(request) -> Page:
    """Every import page: each reads CSV."""
    return import_page(request.param)


@pytest.fixture(params=["plan", "survey", "readings"])
def xlsx_page(request) -> Page:
    """Every import page, for Excel and OpenDocument files: all read through tracker/spreadsheets.py."""
    return import_page(request.param)


def measured(call):
    """What `call()` answers, and the most memory Python held while it ran (tracemalloc's peak)."""
    tracemalloc.start()
    try:
        answer = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return answer, peak


def refused(response, sentence: str) -> None:
    """The upload form came back with the GOV.UK error summary saying `sentence`."""
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "govuk-error-summary" in page and sentence in page, page[page.find("govuk-error-summary") :][:600]
    for model in (Action, SurveyReply, MeasureReading):  # the database is unchanged
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def csv_of(rows: list[list]) -> bytes:
    return "".join(",".join(str(cell) for cell in row) + "\n" for row in rows).encode()


def test_a_stray_value_in_the_last_row_of_excel_is_refused_without_reading_a_million_rows(
    leader_client, xlsx_page
):
    page = xlsx_page
    content = with_stray_cell(xlsx(page.rows), "Z", 1_048_576)
    assert len(content) < 10_000
    response, peak = measured(lambda: page.post(leader_client, content, "file.xlsx"))
    refused(response, "Row 1,048,576 has a value: an import reads at most")
    assert peak < MOST_MEMORY


def test_a_stray_value_in_the_last_column_of_excel_is_refused_by_its_column(leader_client, xlsx_page):
    page = xlsx_page
    response, peak = measured(
        lambda: page.post(leader_client, with_stray_cell(xlsx(page.rows), "XFD", 3), "file.xlsx")
    )
    refused(response, "Row 3 has a value in column XFD: an import reads at most 1,000 columns (ALL).")
    assert peak < MOST_MEMORY


def test_a_crafted_dimension_is_ignored_and_the_file_read_as_it_is(leader_client, xlsx_page):
    page = xlsx_page
    content = with_dimension(xlsx(page.rows), "A1:XFD1048576")
    response, peak = measured(lambda: page.post(leader_client, content, "file.xlsx"))
    assert page.read in html.unescape(response.get_data(as_text=True))
    assert peak < MOST_MEMORY


def test_a_blank_stray_cell_far_away_is_left_out_and_the_file_read(leader_client, xlsx_page):
    page = xlsx_page
    content = with_stray_cell(xlsx(page.rows), "XFD", 1_048_576, value=" ")
    response, peak = measured(lambda: page.post(leader_client, content, "file.xlsx"))
    assert page.read in html.unescape(response.get_data(as_text=True))
    assert peak < MOST_MEMORY


def test_a_row_of_many_empty_cells_is_read_one_cell_at_a_time(leader_client, xlsx_page):
    page = xlsx_page
    content = with_empty_cells(xlsx(page.rows), 300_000, row=len(page.rows) + 1)
    assert len(content) < 100_000  # three megabytes of XML
    response, peak = measured(lambda: page.post(leader_client, content, "file.xlsx"))
    assert page.read in html.unescape(response.get_data(as_text=True))
    assert peak < MOST_MEMORY


def test_a_zip_bomb_of_empty_rows_is_refused_before_it_is_unpacked(leader_client, xlsx_page):
    page = xlsx_page
    content = with_empty_rows(xlsx(page.rows), 400_000)
    assert len(content) < 100_000  # twelve megabytes of XML
    response, peak = measured(lambda: page.post(leader_client, content, "file.xlsx"))
    refused(response, "Part xl/worksheets/sheet1.xml of the workbook unpacks to more than 100 times its size")
    assert peak < MOST_MEMORY


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("plan", "csv"),
        ("survey", "csv"),
        ("readings", "csv"),
        ("plan", "xlsx"),
        ("survey", "xlsx"),
        ("readings", "xlsx"),
    ],
)
def test_a_file_wider_than_excel_can_name_is_refused_by_its_width(leader_client, name, kind):
    """18,279 columns and more have no letters (ZZZ is 18,278): they were a server error."""
    page = import_page(name)
    header = ",".join(str(cell) for cell in page.rows[0])
    content = wide_csv(header, 18_300).encode() if kind == "csv" else wide_xlsx(page.rows[0], 18_300)
    response, peak = measured(lambda: page.post(leader_client, content, f"file.{kind}"))
    refused(
        response, "Row 1 has a value in column number 18,300: an import reads at most 1,000 columns (ALL)."
    )
    assert peak < MOST_MEMORY


def test_a_csv_value_far_down_is_refused(leader_client, page):
    content = csv_of(page.rows) + b"\n" * 300_000 + b"x\n"
    response, peak = measured(lambda: page.post(leader_client, content, "file.csv"))
    refused(response, f"Row {len(page.rows) + 300_001:,} has a value: an import reads at most")
    assert peak < MOST_MEMORY


def test_a_file_over_the_size_limit_is_refused_by_its_size(leader_client, page):
    most = {"readings": "1 MB"}.get(page.name, "20 MB")
    content = csv_of(page.rows) + b" " * (1 * MB if page.name == "readings" else 20 * MB)
    refused(
        page.post(leader_client, content, "file.csv"),
        f"The file is larger than {most}: an import reads at most {most}, so split it into smaller files.",
    )


def test_an_ods_with_a_stray_value_in_its_last_row_is_refused_without_reading_a_million_rows(
    leader_client, xlsx_page
):
    page = xlsx_page
    far = ods_row([ods_cell(None, repeat=25), ods_cell("x")])
    content = ods(page.rows, raw_rows=ods_row([], repeat=1_048_575 - len(page.rows)) + far)
    assert len(content) < 10_000
    response, peak = measured(lambda: page.post(leader_client, content, "file.ods"))
    refused(response, "Row 1,048,576 has a value: an import reads at most")
    assert peak < MOST_MEMORY


def test_an_ods_blank_to_the_sheets_edge_is_read_as_what_it_holds(leader_client, xlsx_page):
    page = xlsx_page
    response, peak = measured(lambda: page.post(leader_client, ods(page.rows), "file.ods"))
    assert page.read in html.unescape(response.get_data(as_text=True))
    assert peak < MOST_MEMORY
