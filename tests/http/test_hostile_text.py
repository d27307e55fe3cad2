"""Hostile text, entered through the real services, read back from every page and export that shows it.

Markup is shown as text, never run; spreadsheet formulas are stored as text; control characters that
Word, Excel and PDF cannot hold are dropped there, never a crash; right-to-left overrides, joiners,
emoji and combining marks survive; evidence pack file names stay inside their folder and carry no
control characters. The rules are in docs/exports.md ("Text that cannot be written").
"""

import csv
import io
import zipfile
from datetime import date, timedelta

import docx
import openpyxl
import pypdf
import pytest
from markupsafe import escape

from tests import factories
from tracker.dates import today
from tracker.evidence.models import EvidenceKind, Sensitivity
from tracker.evidence.services import EvidenceData, Upload, create_evidence, review_evidence
from tracker.exports.services import ExportRequest, export_summary
from tracker.measures.models import Direction, Frequency
from tracker.measures.services import MeasureData, add_reading, create_measure
from tracker.models import Role
from tracker.plan.models import ActionStatus, FindingKind, InspectionType, Partner, Priority
from tracker.plan.rag import Rag
from tracker.plan.services import (
    ActionData,
    FindingData,
    InspectionData,
    add_progress_update,
    create_action,
    create_finding,
    create_inspection,
    create_theme,
    set_rag_override,
    update_action,
)
from tracker.surveys.models import Audience, PublicationStatus
from tracker.surveys.services import ResponseData, SurveyData, create_response, create_survey
from tracker.text import FORMULA_STARTS, UNHOLDABLE

TODAY = today()
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CONTROLS = "".join(chr(code) for code in range(1, 32) if chr(code) not in "\t\n\r") + "\x7f"
# everything but the formula, which goes first; NUL is left out here (PostgreSQL cannot store it, and the
# forms drop it: tests/http/test_bad_input.py), so every other control character reaches the database
# through the services
PAYLOAD = (
    f" {SCRIPT} {IMG} \u202eevil.exe\u202c \u200fmarks\u200e zero\u200dwidth 👩‍👩‍👧 cafe\u0301 {CONTROLS} end"
)
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]
LONG = ("Waiting times " * 400)[:5000]


def hostile(formula: str, limit: int = 200) -> str:
    return (formula + PAYLOAD)[:limit]


def written(text: str) -> str:
    """What a document can hold of the text: the same, without the characters XML refuses."""
    return UNHOLDABLE.sub("", text)


@pytest.fixture
def plan():
    """Every text field of the records that pages and exports show,
    filled with hostile text by the real services."""
    leader = factories.UserFactory(role=Role.LEADER, name=hostile('=HYPERLINK("http://x")'))
    officer = factories.UserFactory(role=Role.OFFICER, name=hostile("@SUM(1)"))
    theme = create_theme(leader, hostile("@SUM(1)", 120), PAYLOAD)
    inspection = create_inspection(
        leader,
        InspectionData(
            hostile("-2+3"),
            hostile("+1+1", 120),
            "Ofsted and CQC",
            InspectionType.FULL,
            report_summary=PAYLOAD,
            report_reference=PAYLOAD,
        ),
    )
    finding = create_finding(
        leader,
        FindingData(
            inspection.id,
            theme.id,
            FindingKind.AREA_FOR_IMPROVEMENT,
            "../=1+1\u202e\x01<b>",
            hostile("+1+1"),
            hostile("=1+1", 10_000) + LONG,
            Partner.COUNCIL,
            officer.id,
        ),
    )
    measure = create_measure(
        leader,
        MeasureData(
            hostile("+1+1"),
            PAYLOAD,
            "weeks",
            Direction.LOWER_IS_BETTER,
            Frequency.QUARTERLY,
            officer.id,
            18,
            source=PAYLOAD,
            finding_ids=[finding.id],
        ),
    )
    add_reading(officer, measure, TODAY - timedelta(days=1), 40, hostile("=1+1", 2000))
    data = ActionData(
        "-2+3\u202e\x1b",
        hostile("-2+3"),
        PAYLOAD,
        hostile("\t=1+1", 10_000),
        officer.id,
        Partner.COUNCIL,
        Priority.HIGH,
        None,
        date(2027, 3, 31),
        ActionStatus.IN_PROGRESS,
        10,
        finding_ids=[finding.id],
        measure_ids=[measure.id],
    )
    action = create_action(leader, data)
    data.due_date = date(2027, 6, 30)
    update_action(leader, action, data, action.version, hostile("\t=1+1", 2000))
    set_rag_override(leader, action, Rag.AMBER, hostile("\r=1+1", 2000))
    add_progress_update(
        officer, action, TODAY, hostile("@SUM(1)", 5000), 20, ActionStatus.IN_PROGRESS, hostile("+1+1", 2000)
    )
    note = create_evidence(
        officer,
        EvidenceData(
            EvidenceKind.NOTE,
            hostile('=HYPERLINK("http://x")'),
            PAYLOAD,
            TODAY,
            Sensitivity.INTERNAL,
            source=PAYLOAD[:200],
            note=hostile("-2+3", 10_000),
            finding_ids=[finding.id],
            action_ids=[action.id],
        ),
    )
    link = create_evidence(
        officer,
        EvidenceData(
            EvidenceKind.LINK,
            hostile("@SUM(1)"),
            PAYLOAD,
            TODAY,
            Sensitivity.PUBLIC,
            url=f"https://localoffer.example/?q={SCRIPT}",
            finding_ids=[finding.id],
        ),
    )
    document = create_evidence(
        officer,
        EvidenceData(
            EvidenceKind.DOCUMENT,
            hostile("\r=1+1"),
            PAYLOAD,
            TODAY,
            Sensitivity.INTERNAL,
            finding_ids=[finding.id],
        ),
        Upload(io.BytesIO(factories.PDF_BYTES), "../../\u202efdp.exe\x01<script>.pdf"),
    )
    for item in (note, link, document):
        review_evidence(leader, item, True, "")
    survey = create_survey(
        leader,
        SurveyData(
            hostile("-2+3"),
            hostile("=1+1"),
            [Audience.PARENTS_CARERS],
            teams=PAYLOAD,
            description=PAYLOAD,
            finding_ids=[finding.id],
        ),
    )
    comment = factories.SurveyCommentFactory(
        group=survey.groups[0], survey_id=survey.id, text=hostile("+1+1", 5000)
    )
    create_response(
        leader,
        survey,
        ResponseData(
            hostile("@SUM(1)", 5000),
            hostile("=1+1", 5000),
            PublicationStatus.PUBLISHED,
            comment_ids=[comment.id],
            action_ids=[action.id],
        ),
    )
    return {
        "leader": leader,
        "finding": finding,
        "action": action,
        "measure": measure,
        "survey": survey,
        "evidence": (note, link, document),
    }


def _pages(plan) -> list[str]:
    finding, action, measure, survey = plan["finding"], plan["action"], plan["measure"], plan["survey"]
    return [
        "/",
        "/findings",
        f"/findings/{finding.id}",
        f"/findings/{finding.id}/history",
        "/actions",
        "/actions?text=1",
        f"/actions/{action.id}",
        f"/actions/{action.id}/history",
        f"/actions/{action.id}/edit",
        "/inspections",
        "/themes",
        "/evidence",
        *[f"/evidence/{item.id}" for item in plan["evidence"]],
        *[f"/evidence/{item.id}/edit" for item in plan["evidence"]],
        "/measures",
        f"/measures/{measure.id}",
        f"/measures/{measure.id}/edit",
        "/surveys",
        f"/surveys/{survey.id}",
        f"/surveys/{survey.id}/comments",
        f"/surveys/{survey.id}/you-said-we-did",
        f"/surveys/{survey.id}/edit",
        "/exports",
    ]


def test_pages_show_hostile_text_escaped_as_text_and_never_as_markup(client_as, plan):
    client = client_as(plan["leader"])
    for url in _pages(plan):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert SCRIPT not in page and IMG not in page, f"{url} has the markup unescaped"
        assert str(escape(SCRIPT)) in page and str(escape(IMG)) in page, f"{url} does not show the text"
        assert "\u202eevil.exe" in page and "zero\u200dwidth" in page and "cafe\u0301" in page, url
    admin = client_as(Role.ADMIN).get("/admin/users").get_data(as_text=True)
    assert SCRIPT not in admin and str(escape(SCRIPT)) in admin and "\u202eevil.exe" in admin


def test_the_pdf_summary_renders_and_shows_the_text(plan):
    content = export_summary(plan["leader"], ExportRequest(TODAY), "pdf").content
    # pypdf may read a font's own encoding as two bytes a letter: NULs in what it returns are its misreading
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages).replace(
        "\x00", ""
    )
    # "exe.live": the right-to-left override does its work, and the text reads as it is laid out
    for visible in (
        SCRIPT,
        "onerror=alert(1)>",
        '=HYPERLINK("http://x")',
        "+1+1",
        "-2+3",
        "@SUM(1)",
        "exe.live",
        "cafe\u0301",
        "end",
    ):
        assert visible in text


def _word_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_the_word_summary_opens_and_holds_the_text_without_the_control_characters(plan):
    text = _word_text(export_summary(plan["leader"], ExportRequest(TODAY), "docx").content)
    assert written(hostile("+1+1")) in text and written(hostile("-2+3")) in text
    assert (
        "\u202eevil.exe\u202c" in text
        and "zero\u200dwidth" in text
        and "cafe\u0301" in text
        and "👩‍👩‍👧" in text
    )
    assert not UNHOLDABLE.search(text)


def _cells(workbook) -> list:
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def test_the_excel_summary_opens_and_stores_every_formula_as_text(plan):
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_summary(plan["leader"], ExportRequest(TODAY), "xlsx").content)
    )
    cells = _cells(workbook)
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert not [cell.value for cell in cells if cell.value.startswith(FORMULA_STARTS)]
    values = {cell.value for cell in cells}
    for formula in ("+1+1", "-2+3", "@SUM(1)", "=1+1", '=HYPERLINK("http://x")'):
        assert "'" + written(hostile(formula)) in values or any(
            v.startswith("'" + formula) for v in values
        ), formula
    assert not any(UNHOLDABLE.search(value) for value in values)


@pytest.mark.parametrize("name", ["actions", "evidence", "findings", "measures"])
def test_the_csv_lists_neutralise_every_formula(client_as, plan, name):
    response = client_as(plan["leader"]).post(f"/exports/{name}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert response.status_code == 200 and len(rows) > 1
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert any(cell.startswith("'") for cell in cells)
    assert not any(UNHOLDABLE.search(cell) for cell in cells)


def test_the_evidence_pack_has_safe_file_names_an_escaped_index_and_a_neutral_manifest(client_as, plan):
    response = client_as(plan["leader"]).post(f"/exports/pack.zip?as_at={TODAY.isoformat()}")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    documents = [name for name in names if name.startswith("findings/")]
    assert len(documents) == 1
    for name in names:
        parts = name.split("/")
        assert not name.startswith("/") and ".." not in parts and "" not in parts and "\\" not in name, name
        assert not any(
            ord(char) < 32 or 0x200B <= ord(char) <= 0x200F or 0x202A <= ord(char) <= 0x202E for char in name
        ), name
    folder, filename = documents[0].split("/")[1:]
    assert folder == "_1_1_b_" and filename.endswith("-fdp.exe_script_.pdf")
    index = archive.read("index.html").decode()
    assert SCRIPT not in index and IMG not in index and str(escape(SCRIPT)) in index
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode(), newline="")))
    assert not [cell for row in manifest[1:] for cell in row if cell.startswith(FORMULA_STARTS)]


def test_the_you_said_we_did_document_opens_with_the_text(client_as, plan):
    response = client_as(Role.VIEWER).get(f"/surveys/{plan['survey'].id}/you-said-we-did.docx")
    assert response.status_code == 200
    text = _word_text(response.get_data())
    assert written(hostile("@SUM(1)", 5000)) in text and written(hostile("=1+1", 5000)) in text
    assert not UNHOLDABLE.search(text)
    assert response.headers["Content-Disposition"].isascii()
