"""The one spreadsheet reader (tracker/spreadsheets.py): the files councils and survey tools really write,
read the same by every import, and hostile files refused or read in bounded memory with nothing written."""

import io
import tracemalloc
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from tests.hostile_spreadsheets import (
    ods,
    ods_cell,
    ods_row,
    rewritten,
    with_dimension,
    with_stray_cell,
    xlsx,
)
from tracker.extensions import db
from tracker.measures.models import MeasureReading
from tracker.measures.services import ImportProblems, import_readings
from tracker.models import Role
from tracker.plan.importer import ImportFileError, preview_plan
from tracker.plan.models import Action
from tracker.spreadsheets import (
    Limits,
    NotASpreadsheet,
    NotAWorkbook,
    NotText,
    OverLimit,
    find_header_row,
    read_table,
    sniff_delimiter,
)
from tracker.surveys.importer import SurveyFileError, import_replies, preview_replies
from tracker.surveys.models import SurveyComment, SurveyReply

LIMITS = Limits(rows=1000)
MB = 1024 * 1024


def council_plan() -> bytes:
    """A council's Priority Action Plan: two title rows, a title merged across, an area merged down,
    a Notes sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    sheet.append(["Priority Action Plan 2025/26"])
    sheet.merge_cells("A1:F1")
    sheet.append(["Local area SEND partnership – updated March 2026"])
    sheet.append(["Ref", "Area for improvement", "Action", "Lead officer", "Target date", "% complete"])
    sheet.append(["1.1", "AFI1: waiting times", "Publish the waiting list", "Priya Shah", "Mar-26", 0.4])
    sheet.append(["1.2", None, "Weekly triage clinic", "Sam Owner", "Q4 2025/26", 0.1])
    sheet.append(["1.3", None, "Report to the board", "Sam Owner", "TBC", 0])
    sheet.merge_cells("B4:B6")
    for cell in ("F4", "F5", "F6"):
        sheet[cell].number_format = "0%"
    workbook.create_sheet("Notes").append(["Nothing on this sheet is read"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_council_plan_is_read_below_its_title_rows_with_merged_cells_filled_down_and_across():
    table = read_table("Priority Action Plan.xlsx", council_plan(), LIMITS, percents=True)

    assert table.kind == "xlsx" and table.sheet == "Action plan"
    assert table.rows[0] == ["Priority Action Plan 2025/26"] * 6  # the title, merged across, filled across
    assert table.header_row() == 3
    assert [row[1] for row in table.rows[3:6]] == ["AFI1: waiting times"] * 3  # merged down, filled down
    assert [row[5] for row in table.rows[3:6]] == [40, 10, 0]  # a cell showing 40% is 40 when asked
    assert {(5, 2), (6, 2)} <= table.filled
    assert not any("Nothing on this sheet" in str(cell) for row in table.rows for cell in row)


def test_the_header_row_is_found_by_expected_names_or_by_looking_like_headings():
    rows = [
        ["Survey of parents"],
        [],
        ["Exported 3 May 2026", ""],
        ["Name", "Score", "Comment"],
        ["Ann", 3, "Good"],
    ]
    assert find_header_row(rows) == 4
    assert find_header_row(rows, ["score", "comment"]) == 4
    assert (
        find_header_row([["period end", "value"], ["2026-03-31", "21"]], ["period_end", "value", "note"]) == 1
    )
    assert find_header_row([["Comments"], ["Good"], ["Bad"]]) == 1  # one column: its first row
    assert find_header_row([[], [None, " "]]) == 0
    # two short title cells over a wide table are not its headings
    assert find_header_row([["Plan", "March"], ["a", "b", "c", "d", "e"], [1, 2, 3, 4, 5]]) == 2


CAFE_ROWS = {
    "plan": [
        ["reference", "title", "intended_outcome", "findings", "owner_email", "partner", "due_date"],
        [
            "A1",
            "Café drop-ins",
            "Parents know where to go",
            "AFI1",
            "priya@council.example",
            "council",
            "31/03/2027",
        ],
    ],
    "survey": [
        ["Reply", "I am a", "Comment"],
        ["1", "Parent/Carer", "Le café était fermé"],
        ["2", "SENCO", "Fine; thanks"],
    ],
    "readings": [["period_end", "value", "note"], ["31/03/2026", "21", "Café; figures from the board"]],
}


def excel_csv(rows: list[list[str]]) -> bytes:
    """What Excel for Windows in a European locale saves as "CSV": Windows-1252 and semicolons,
    quoted where needed."""

    def cell(text: str) -> str:
        return f'"{text}"' if ";" in text or '"' in text else text

    return "".join(";".join(cell(text) for text in row) + "\r\n" for row in rows).encode("cp1252")


def test_a_windows_1252_semicolon_csv_with_cafe_is_read_the_same_by_all_three_imports():
    factories.FindingFactory(reference="AFI1")
    owner = factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    for rows in CAFE_ROWS.values():
        table = read_table("file.csv", excel_csv(rows), LIMITS)
        assert (table.encoding, table.delimiter, table.rows) == ("cp1252", ";", rows)

    plan = preview_plan("plan.csv", io.BytesIO(excel_csv(CAFE_ROWS["plan"])))
    assert plan.valid and plan.rows[0].data.title == "Café drop-ins"

    survey = factories.SurveyFactory()
    content = excel_csv(CAFE_ROWS["survey"])
    preview = preview_replies("replies.csv", content)
    mapping = {
        "columns": {**{column.key: column.role for column in preview.columns}, "Comment": "free_text"},
        "audiences": {value.value: value.audience for value in preview.group_values},
    }
    import_replies(None, survey, "replies.csv", content, mapping)
    assert set(db.session.scalars(sa.select(SurveyComment.text))) == {"Le café était fermé", "Fine; thanks"}

    measure = factories.MeasureFactory(owner=owner)
    assert import_readings(owner, measure, "readings.csv", excel_csv(CAFE_ROWS["readings"])).added == 1
    assert db.session.scalar(sa.select(MeasureReading.note)) == "Café; figures from the board"


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        ('\ufeffName,Comment\r\nAnn,"Good, thanks"\r\n'.encode(), "utf-8-sig", ","),
        ('Name,Comment\nAnn,"Good, thanks"\n'.encode(), "utf-8", ","),
        ("Name\tComment\nAnn\tGood, thanks\n".encode(), "utf-8", "\t"),
        (b"\xff\xfe" + "Name\tComment\r\nAnn\tGood, thanks\r\n".encode("utf-16-le"), "utf-16", "\t"),
        ("Name;Comment\nAnn;Good, thanks\n".encode("cp1252"), "utf-8", ";"),
    ],
)
def test_csv_encodings_and_delimiters_are_detected(content, encoding, delimiter):
    table = read_table("replies.csv", content, LIMITS)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.rows == [["Name", "Comment"], ["Ann", "Good, thanks"]]


def test_quoted_commas_do_not_outvote_the_real_delimiter():
    text = 'Ref;Action;Lead\nA1;"Meet, plan, review";"Shah, Priya"\nA2;"Train, then audit";Sam\n'
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("Title of the export\n\nA,B,C\n1,2,3\n4,5,6\n") == ","


@pytest.mark.parametrize(
    ("name", "content", "error", "sentence"),
    [
        (
            "replies.csv",
            b"Name\nCaf\x81\n",
            NotText,
            "Line 2 has characters that are neither UTF-8 nor Windows-1252",
        ),
        ("replies.csv", b"PK\x03\x04\x00\x00binary", NotText, "The file is not text that can be read"),
        (
            "plan.xlsx",
            b"Name,Comment\n",
            NotAWorkbook,
            "The file is named .xlsx but is not an Excel workbook",
        ),
        (
            "plan.ods",
            b"Name,Comment\n",
            NotAWorkbook,
            "The file is named .ods but is not an OpenDocument spreadsheet",
        ),
        (
            "plan.xls",
            b"\xd0\xcf\x11\xe0",
            NotASpreadsheet,
            "Choose a .csv, .xlsx or .ods file: other files cannot",
        ),
        ("plan.pdf", b"%PDF-1.7", NotASpreadsheet, "Choose a .csv, .xlsx or .ods file: other files cannot"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_in_one_sentence(name, content, error, sentence):
    with pytest.raises(error) as refused:
        read_table(name, content, LIMITS)
    assert str(refused.value).startswith(sentence) and "\n" not in str(refused.value)


def test_a_stray_nul_in_a_text_file_is_read_but_a_file_full_of_them_is_not_text():
    table = read_table("readings.csv", b"period_end,value,note\n2026-01-31,5,Figures\x00 from\n", LIMITS)
    assert table.rows[1][:2] == ["2026-01-31", "5"]
    with pytest.raises(NotText):
        read_table(
            "replies.csv", "Name,Comment\nAnn,Good\n".encode("utf-16-le"), LIMITS
        )  # UTF-16 without its mark


def test_a_workbook_is_read_as_one_whatever_its_name():
    assert read_table("export.csv", xlsx([["Name", "Comment"], ["Ann", "Good"]]), LIMITS).kind == "xlsx"


def test_an_ods_is_read_with_its_types_spans_title_rows_and_formulas():
    content = ods(
        [
            ["Priority Action Plan"],
            [],
            ["Ref", "Area", "Target date", "Done", "Weeks"],
            [
                "1.1",
                ods_cell("AFI1", spans=(2, 1)),
                ods_cell("2026-03-31", kind="date"),
                ods_cell(0.4, kind="percentage"),
                12,
            ],
            [
                "1.2",
                "<table:covered-table-cell/>",
                ods_cell("2026-06-30T09:30:00", kind="date"),
                ods_cell(0.25, kind="percentage"),
                7.5,
            ],
            ["1.3", ods_cell(formula="[.B4]"), "Café &amp; tea", ods_cell(None, repeat=2), "tail"],
        ],
        name="Plan",
        more_tables='<table:table table:name="Notes"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>not read</text:p>'
        "</table:table-cell></table:table-row></table:table>",
    )
    assert len(content) < 5000  # the blank rows and columns to the sheet's edge are counted, not written out

    table = read_table("plan.ods", content, LIMITS, percents=True)

    assert table.kind == "ods" and table.sheet == "Plan" and table.header_row() == 3
    assert table.rows[3] == ["1.1", "AFI1", datetime(2026, 3, 31), 40.0, 12]
    assert table.rows[4] == ["1.2", "AFI1", datetime(2026, 6, 30, 9, 30), 25.0, 7.5]  # the span filled down
    assert table.rows[5] == ["1.3", "=[.B4]", "Café & tea", None, None, "tail"]
    assert table.notes == ["1 formula cell had no saved value; its formula was read as text."]
    assert len(table.rows) == 6


def formula_answers(answers: list[str]) -> bytes:
    """A survey export as some tools write it: an answer starting with = saved as a formula with no value."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Reply", "I am a", "Any comments?"])
    for number, answer in enumerate(answers, start=1):
        workbook.active.append(
            [number, "Parent", answer]
        )  # openpyxl stores a text starting with = as a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_formula_cells_without_a_saved_value_are_read_as_their_text_and_said():
    answers = ["=good service", "Fine", "=-( too slow", "=) thanks", "Long wait", "=== brilliant ===", "=ok"]
    table = read_table("replies.xlsx", formula_answers(answers), LIMITS)
    assert [row[2] for row in table.rows[1:]] == answers
    assert table.notes == ["5 formula cells had no saved value; their formulas were read as text."]

    survey = factories.SurveyFactory()
    content = formula_answers(answers)
    preview = preview_replies("replies.xlsx", content)
    # every reply is from a parent: the suggestion says so ("audience"),
    # and the comments column is chosen by hand
    mapping = {**preview.mapping, "columns": {**preview.mapping["columns"], "Any comments?": "free_text"}}
    import_replies(None, survey, "replies.xlsx", content, mapping)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyComment)) == 7  # none lost


def test_a_surveymonkey_question_merged_over_its_options_reads_as_its_csv_does():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Respondent ID", "Collector ID", "Which services did you use?", None, "Anything else?"])
    sheet.append([None, None, "Speech therapy", "Portage", "Open-Ended Response"])
    sheet.append([101, 9, "Speech therapy", None, "More help"])
    sheet.append([102, 9, None, "Portage", ""])
    sheet.merge_cells("C1:D1")
    out = io.BytesIO()
    workbook.save(out)
    preview = preview_replies("monkey.xlsx", out.getvalue())
    assert [column.key for column in preview.columns if column.key.startswith("Which")] == [
        "Which services did you use?"
    ]


def peak_of(call):
    tracemalloc.start()
    try:
        try:
            answer = call()
        except Exception as error:  # the refusal is the answer
            answer = error
        return answer, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("name", "content", "sentence"),
    [
        (
            "stray.xlsx",
            with_stray_cell(xlsx([["a", "b"], [1, 2]]), "XFD", 1_048_576),
            "Row 1,048,576 has a value",
        ),
        (
            "stray.ods",
            ods(
                [["a", "b"], [1, 2]],
                raw_rows=ods_row([ods_cell(None, repeat=16383), ods_cell("x")]).replace(
                    "<table:table-row>", '<table:table-row table:number-rows-repeated="1048573">', 1
                )
                + ods_row([ods_cell(None, repeat=16383), ods_cell("x")]),
            ),
            "has a value",
        ),
        ("wide.ods", ods([["a", ods_cell("x", repeat=16_000)]]), "Row 1 has a value in column"),
        (
            "deep.ods",
            ods([["a"]], raw_rows=ods_row([ods_cell("x")], repeat=1_000_000)),
            "has a value: an import reads",
        ),
    ],
)
def test_a_stray_far_cell_is_refused_in_bounded_memory(name, content, sentence):
    assert len(content) < 20_000
    refused, peak = peak_of(lambda: read_table(name, content, LIMITS))
    assert isinstance(refused, OverLimit) and sentence in str(refused)
    assert peak < 100 * MB


@pytest.mark.parametrize("name", ["dimension.xlsx", "merged.xlsx", "edge.ods"])
def test_a_huge_declared_size_is_ignored_and_the_cells_present_read_in_bounded_memory(name):
    rows = [["Name", "Comment"], ["Ann", "Good"]]
    if name == "dimension.xlsx":
        content = with_dimension(xlsx(rows), "A1:XFD1048576")
    elif name == "merged.xlsx":  # a merged range to the sheet's edge fills only the cells present
        content = rewritten(
            xlsx(rows),
            lambda xml: xml.replace(
                "</sheetData>",
                '</sheetData><mergeCells count="1"><mergeCell ref="B2:XFD1048576"/></mergeCells>',
            ),
        )
    else:  # LibreOffice's own blank rows and columns to the edge, which ods() always writes
        content = ods(rows)
    table, peak = peak_of(lambda: read_table(name, content, LIMITS))
    assert table.rows == rows
    assert peak < 100 * MB


@pytest.mark.parametrize("ref", ["A:B", "1:2", ""])
def test_a_merged_range_without_both_corners_merges_nothing(ref):
    rows = [["Name", "Comment"], ["Ann", None], [None, "Good"]]
    content = rewritten(
        xlsx(rows),
        lambda xml: xml.replace(
            "</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
        ),
    )
    table = read_table("merged.xlsx", content, LIMITS)
    assert table.rows == [["Name", "Comment"], ["Ann"], [None, "Good"]]
    assert table.filled == set()


def test_a_hostile_file_leaves_every_import_writing_nothing():
    factories.FindingFactory(reference="AFI1")
    owner = factories.UserFactory(email="priya@council.example", role=Role.OFFICER)
    content = with_stray_cell(xlsx(CAFE_ROWS["readings"]), "Z", 1_048_576)
    measure = factories.MeasureFactory(owner=owner)
    with pytest.raises(ImportProblems) as refused:
        import_readings(owner, measure, "readings.xlsx", content)
    assert refused.value.problems[0].startswith("Row 1,048,576 has a value")
    with pytest.raises(ImportFileError, match="Row 1,048,576 has a value"):
        preview_plan("plan.xlsx", io.BytesIO(with_stray_cell(xlsx(CAFE_ROWS["plan"]), "Z", 1_048_576)))
    with pytest.raises(SurveyFileError, match="Row 1,048,576 has a value"):
        preview_replies("replies.xlsx", with_stray_cell(xlsx(CAFE_ROWS["survey"]), "Z", 1_048_576))
    for model in (MeasureReading, Action, SurveyReply):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_a_date_cell_shown_without_its_day_is_read_as_its_month_and_due_at_the_months_end():
    from tracker.dates import uk_due_date

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Target date", "Reviewed"])
    sheet.append(["1.1", datetime(2026, 3, 1), datetime(2026, 3, 1)])
    sheet["B2"].number_format = "mmm-yy"  # shows Mar-26, holds 1 March 2026
    sheet["C2"].number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    workbook.save(out)
    table = read_table("plan.xlsx", out.getvalue(), LIMITS)
    assert table.rows[1][1] == "March 2026" and table.rows[1][2] == datetime(2026, 3, 1)
    assert uk_due_date(table.rows[1][1]) == (date(2026, 3, 31), None)
