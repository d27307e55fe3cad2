"""The progress summary's PDF read back with real readers: pypdf for its structure (tags, language,
bookmarks, table headers, decoration) and poppler's pdftotext for its text, which follows the tagged
text of complex scripts (Bengali, Urdu) as a screen reader would."""

import dataclasses
import io
import subprocess
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pypdf
import pytest

from tests.unit.test_exports import hand_built_plan
from tracker.dates import today
from tracker.exports import gather, summary
from tracker.exports.pdf import PdfFailed, render_document, summary_pdf, summary_picture
from tracker.exports.summary import Comparison

BIDI_MARKS = dict.fromkeys(map(ord, "\u200b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def pdf_text(content: bytes) -> str:
    """What pdftotext reads, white space folded and the invisible marks it adds (direction, break points)
    removed: first in the order the text was written (emoji stay in their line), then as laid out
    (right-to-left scripts in reading order)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        texts = [
            subprocess.run(
                ["pdftotext", *mode, "-enc", "UTF-8", file.name, "-"], capture_output=True, check=True
            ).stdout
            for mode in (["-raw"], [])
        ]
    return " ||| ".join(" ".join(text.decode("utf-8").translate(BIDI_MARKS).split()) for text in texts)


def structure(reader: pypdf.PdfReader) -> list[dict]:
    """Every element of the structure tree: its tag, attributes and alternative text."""
    found = []

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if "/S" in node:
            found.append({"tag": str(node["/S"]), "attributes": node.get("/A"), "alt": node.get("/Alt")})
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles.extend(outline_titles(item) if isinstance(item, list) else [str(item.title)])
    return titles


@pytest.fixture
def built():
    plan = gather.without_restricted(hand_built_plan())
    return summary.build(
        plan, comparison=Comparison(date(2026, 2, 1), "snapshot", {1: "green", 2: "green", 3: "amber"})
    )


def test_the_pdf_is_tagged_titled_in_british_english_with_a_bookmark_per_finding(built):
    reader = pypdf.PdfReader(io.BytesIO(summary_pdf(built)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Inspection readiness summary: Coventry"
    titles = outline_titles(reader.outline)
    for finding in built.plan.findings:
        assert sum(title.startswith(f"{finding.reference}: ") for title in titles) == 1
    assert "Readiness of every finding" in titles and "The findings, most serious first" in titles


def test_every_table_header_cell_has_a_scope_and_the_charts_have_words(built):
    tags = structure(pypdf.PdfReader(io.BytesIO(summary_pdf(built))))
    counted = Counter(tag["tag"] for tag in tags)
    assert counted["/Table"] >= 4 and counted["/TH"] >= 12
    for header in (tag for tag in tags if tag["tag"] == "/TH"):
        assert any("/Scope" in attribute for attribute in header["attributes"])
    figures = [tag for tag in tags if tag["tag"] == "/Figure"]
    assert figures and all(
        str(figure["alt"]).startswith("Weeks waited for an autism assessment, in weeks") for figure in figures
    )


def test_page_headers_and_footers_are_marked_as_decoration(built):
    reader = pypdf.PdfReader(io.BytesIO(summary_pdf(built)))
    for page in reader.pages:
        content = page.get_contents().get_data()
        assert b"/Artifact<</Attached[/Top]/Subtype/Header" in content
        assert b"/Subtype/Footer" in content


def test_the_first_page_shows_every_findings_readiness_red_first_with_why_and_the_change(built):
    reader = pypdf.PdfReader(io.BytesIO(summary_pdf(built)))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(summary_pdf(built))
        file.flush()
        first = subprocess.run(
            ["pdftotext", "-l", "1", "-layout", file.name, "-"], capture_output=True, check=True
        ).stdout.decode()
    rows = [line.split()[0] for line in first.splitlines() if line.strip().startswith("AFI")]
    assert rows[:3] == ["AFI3", "AFI1", "AFI2"]  # red, amber, green
    assert "Red" in first and "3 actions overdue" in first
    assert "Amber (Worse)" in " ".join(first.split())
    text = " ".join(first.split())
    assert "Since the readiness snapshot of 1 February 2026: 0 findings better, 2 worse, 1 the same." in text
    assert len(reader.pages) >= 2


def test_summary_puts_red_and_amber_actions_in_full_and_green_ones_on_a_line(built):
    plan = built.plan
    green = dataclasses.replace(
        plan.actions[2], rag="green", rag_summary="Green: on track", title="Train the front door"
    )
    plan = dataclasses.replace(plan, actions={**plan.actions, 2: green})
    text = pdf_text(summary_pdf(summary.build(plan)))
    assert (
        "A1: Publish one clear page 1 Owner: Sam Owner (Council) Due: 30 June 2026 (was 31 March 2026" in text
    )  # amber: in full
    assert (
        "A2 Train the front door Green. In progress, 40% complete. Due 30 June 2026. Owner: Sam "
        "Owner (Council)."
    ) in text
    everything = pdf_text(summary_pdf(summary.build(plan, "everything")))
    assert "A2: Train the front door Owner: Sam Owner (Council)" in everything


HOSTILE = [
    '#read("/etc/passwd")',
    "#set page(width: 1pt)",
    "*bold* _under_ $x^2$ @label <label>",
    "= Not a heading",
    '<script>alert("x")</script> <b>bold</b> &amp;',
    "**Markdown** [link](https://example.org) # Title `code`",
    "اردو میں والدین کی رائے",
    "মা-বাবার মতামত বাংলায়",
    "Zażółć gęślą jaźń: opinie rodziców",
    "Families said 😀👍🏽🇬🇧 thank you",
    "Wordwithoutanybreakatall" * 8,
]


def test_hostile_and_unusual_text_prints_exactly_as_typed():
    plan = gather.without_restricted(hand_built_plan())
    findings = tuple(
        dataclasses.replace(finding, title=HOSTILE[index], wording=HOSTILE[-1 - index])
        for index, finding in enumerate(plan.findings)
    )
    actions = {
        key: dataclasses.replace(action, latest_update=" | ".join(HOSTILE[3:8]))
        for key, action in plan.actions.items()
    }
    evidence = {
        key: dataclasses.replace(item, note=" | ".join(HOSTILE[6:])) for key, item in plan.evidence.items()
    }
    plan = dataclasses.replace(
        plan, findings=findings, actions=actions, evidence=evidence, partnership=HOSTILE[0]
    )
    content = summary_pdf(summary.build(plan, "everything"))
    text = "".join(pdf_text(content).split())  # a reader may not give back the space after an emoji
    for hostile in HOSTILE:
        assert "".join(hostile.split()) in text, hostile
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert all(page.mediabox.width > 500 for page in reader.pages)  # no "#set page(width: 1pt)" took effect


def test_an_emoji_and_a_bengali_title_export_without_error():
    plan = gather.without_restricted(hand_built_plan())
    first = dataclasses.replace(plan.findings[0], title="অপেক্ষার সময় কমানো 🙂")
    plan = dataclasses.replace(plan, findings=(first, *plan.findings[1:]))
    content = summary_pdf(summary.build(plan))
    assert content.startswith(b"%PDF-") and "অপেক্ষার সময় কমানো 🙂" in pdf_text(content)


def test_a_character_no_font_has_never_fails_an_export():
    plan = gather.without_restricted(hand_built_plan())
    first = dataclasses.replace(
        plan.findings[0], title="Private use \ue000 and Linear B \U00010000 and a cuneiform \U00012000"
    )
    content = summary_pdf(summary.build(dataclasses.replace(plan, findings=(first, *plan.findings[1:]))))
    assert content.startswith(b"%PDF-")


def test_the_renderer_reads_no_file_outside_its_folder(tmp_path: Path):
    template = tmp_path / "reads.typ"
    template.write_text('#set document(title: "t")\n#set text(lang: "en")\n#read("/etc/hostname")\n')
    with pytest.raises(PdfFailed, match="could not be made"):
        render_document(template, {})


def test_a_renderer_over_its_memory_limit_fails_with_one_line(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_PDF_MEMORY_MB", 40)
    with pytest.raises(PdfFailed) as failed:
        summary_pdf(summary.build(gather.without_restricted(hand_built_plan())))
    assert "The PDF could not be made (renderer exit code" in str(failed.value) and "\n" not in str(
        failed.value
    )


def test_typst_lays_out_on_the_threads_configured_one_by_default(app, monkeypatch):
    """TRACKER_PDF_THREADS reaches the renderer, which sets Typst's thread pool before loading it."""
    import json
    import os

    from tracker.exports import pdf_process

    jobs = []
    real_run = subprocess.run

    def run(args, **kwargs):
        jobs.append(json.loads(kwargs["input"]))
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    assert summary_pdf(summary.build(gather.without_restricted(hand_built_plan()))).startswith(b"%PDF-")
    monkeypatch.setitem(app.config, "TRACKER_PDF_THREADS", 2)
    assert summary_pdf(summary.build(gather.without_restricted(hand_built_plan()))).startswith(b"%PDF-")
    assert [job["threads"] for job in jobs] == [1, 2]
    monkeypatch.delenv("RAYON_NUM_THREADS", raising=False)
    pdf_process.limit_threads(1)
    assert os.environ["RAYON_NUM_THREADS"] == "1"


def test_the_first_page_picture_is_a_png(built):
    assert summary_picture(built).startswith(b"\x89PNG")


def test_the_change_is_worked_out_from_the_last_snapshot_before_the_as_at_date(app):
    from tests import factories
    from tracker.exports.services import ExportRequest, gather_summary
    from tracker.extensions import db
    from tracker.models import Role
    from tracker.readiness.models import ReadinessSnapshot

    finding = factories.FindingFactory(reference="AFI9", title="Waiting times")
    db.session.add(
        ReadinessSnapshot(taken_on=date(2026, 1, 5), finding_id=finding.id, readiness="green", reasons=[])
    )
    db.session.commit()
    leader = factories.UserFactory(role=Role.LEADER)
    gathered = gather_summary(leader, ExportRequest(today()))
    assert gathered.comparison.on == date(2026, 1, 5) and gathered.comparison.readiness == {
        finding.id: "green"
    }
    row = next(r for r in gathered.readiness if r.finding.id == finding.id)
    assert row.then == "Green" and row.change in ("Worse", "No change")


def test_accepted_evidence_prints_its_description_and_note_and_submitted_evidence_waits_for_everything(app):
    from tests import factories
    from tracker.evidence.models import EvidenceKind, EvidenceStatus
    from tracker.exports.services import ExportRequest, export_summary
    from tracker.models import Role

    finding = factories.FindingFactory(reference="AFI7", title="Waiting times")
    action = factories.ActionFactory(findings=[finding])
    factories.EvidenceFactory(
        title="Board minutes",
        kind=EvidenceKind.NOTE,
        actions=[action],
        status=EvidenceStatus.ACCEPTED,
        description="The board agreed the recovery plan.",
        note="Waits fell from 44 to 40 weeks.",
    )
    factories.EvidenceFactory(title="Draft audit", findings=[finding], status=EvidenceStatus.SUBMITTED)
    leader = factories.UserFactory(role=Role.LEADER)
    text = pdf_text(export_summary(leader, ExportRequest(today()), "pdf").content)
    assert (
        "Board minutes" in text
        and "The board agreed the recovery plan." in text
        and "Waits fell from 44 to 40 weeks." in text
    )
    assert "Draft audit" not in text
    everything = pdf_text(export_summary(leader, ExportRequest(today(), detail="everything"), "pdf").content)
    assert "Draft audit" in everything


def test_the_exceptions_list_overdue_and_stale_actions_and_findings_without_current_evidence():
    plan = gather.without_restricted(hand_built_plan())
    overdue = dataclasses.replace(
        plan.actions[1], overdue=True, due_date=date(2026, 2, 1), title="Open the new clinic"
    )
    stale = dataclasses.replace(
        plan.actions[2], stale=True, latest_update_on=date(2025, 12, 1), title="Train the front door"
    )
    plan = dataclasses.replace(plan, actions={**plan.actions, 1: overdue, 2: stale})
    built = summary.build(plan)
    assert [a.reference for a in built.exceptions.overdue] == ["A1"] and [
        a.reference for a in built.exceptions.stale
    ] == ["A2"]
    assert [f.reference for f in built.exceptions.without_evidence] == ["AFI3", "AFI2"]
    text = pdf_text(summary_pdf(built))
    assert (
        "Overdue actions (1) Action Title Owner Due A1 Open the new clinic Sam Owner 1 February 2026" in text
    )
    assert (
        "Actions with no recent update (1)" in text
        and "A2 Train the front door Sam Owner 1 December 2025" in text
    )
    assert "Findings without current accepted evidence (2)" in text


def test_what_families_and_professionals_said_shows_the_newest_open_surveys_with_bases_and_you_said_we_did(
    app,
):
    from tests import factories
    from tracker.exports.services import survey_voices
    from tracker.surveys.models import PublicationStatus

    opened = factories.SurveyFactory(
        title="SPOT survey", opened_on=date(2026, 5, 1), closed_on=date(2026, 5, 31)
    )
    factories.SurveyGroupFactory(survey=opened)
    factories.YouSaidWeDidFactory(
        survey_id=opened.id,
        you_said="Leaflets were confusing.",
        we_did="One new leaflet.",
        status=PublicationStatus.PUBLISHED,
    )
    factories.YouSaidWeDidFactory(survey_id=opened.id, you_said="A draft we have not published.")
    factories.SurveyFactory(title="Never opened", opened_on=None, closed_on=None)
    factories.SurveyFactory(title="Opens next year", opened_on=date(2027, 9, 1), closed_on=None)
    voices = survey_voices(today())  # surveys made now are counted from the day they were made
    assert [v.title for v in voices] == ["SPOT survey"]
    assert voices[0].period == "1 May 2026 to 31 May 2026" and voices[0].bases == ["No replies counted yet"]
    assert [said for said, _, _ in voices[0].you_said_we_did] == ["Leaflets were confusing."]
    plan = gather.without_restricted(hand_built_plan())
    text = pdf_text(summary_pdf(summary.build(plan, voices=voices)))
    assert "SPOT survey 1 May 2026 to 31 May 2026. No replies counted yet." in text
    assert (
        "Leaflets were confusing. One new leaflet." in text and "A draft we have not published." not in text
    )


def test_the_change_compares_only_the_findings_in_the_summary(app):
    from tests import factories
    from tracker.exports.services import ExportRequest, gather_summary
    from tracker.extensions import db
    from tracker.models import Role
    from tracker.readiness.models import ReadinessSnapshot

    ours, theirs = factories.InspectionFactory(), factories.InspectionFactory()
    mine = factories.FindingFactory(inspection=ours, reference="AFI1")
    other = factories.FindingFactory(inspection=theirs, reference="AFI1")
    db.session.add_all(
        [
            ReadinessSnapshot(taken_on=date(2026, 1, 5), finding_id=f.id, readiness="red", reasons=[])
            for f in (mine, other)
        ]
    )
    db.session.commit()
    leader = factories.UserFactory(role=Role.LEADER)
    gathered = gather_summary(leader, ExportRequest(today(), inspection_id=ours.id))
    assert gathered.comparison.readiness == {mine.id: "red"}
    assert gathered.change[1].startswith("Then: 1 red, 0 amber, 0 green.")
    chosen = gather_summary(
        leader, ExportRequest(today(), inspection_id=ours.id, compare_with=date(2026, 1, 5))
    )
    assert (
        chosen.comparison.source == "chosen date" and chosen.comparison.readiness == {}
    )  # not recorded by then
    assert [(row.then, row.change) for row in chosen.readiness] == [("Not recorded", "New")]
    assert "Since the plan as at 5 January 2026:" in chosen.change[0]


def test_no_heading_ends_a_page_without_what_follows_it():
    plan = gather.without_restricted(hand_built_plan())
    findings, actions, evidence = [], {}, {}
    for n in range(1, 31):
        ids = tuple(range(n * 10, n * 10 + 1 + n % 4))
        for i in ids:
            actions[i] = dataclasses.replace(
                plan.actions[1],
                id=i,
                reference=f"A{i}",
                rag="red",
                latest_update="A longer update on where things stand. " * (1 + i % 5),
            )
        evidence[n] = dataclasses.replace(
            plan.evidence[1], id=n, title=f"Minutes {n}", note="What was agreed. " * (n % 7)
        )
        findings.append(
            dataclasses.replace(
                plan.findings[0],
                id=n,
                reference=f"AFI{n}",
                title=f"Finding {n}",
                action_ids=ids,
                evidence_ids=(n,),
                measure_ids=(),
            )
        )
    plan = dataclasses.replace(plan, findings=tuple(findings), actions=actions, evidence=evidence)
    content = summary_pdf(summary.build(plan, "everything"))
    headings = {f"AFI{n}: Finding {n}" for n in range(1, 31)} | {
        "Actions",
        "Evidence",
        "Measures",
        "Exceptions",
        "Key measures",
        "What has changed",
    }
    pages = len(pypdf.PdfReader(io.BytesIO(content)).pages)
    assert pages > 10
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        for number in range(1, pages + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(number), "-l", str(number), "-layout", file.name, "-"],
                capture_output=True,
                check=True,
            ).stdout.decode()
            lines = [
                line.strip()
                for line in text.splitlines()
                if line.strip() and not line.strip().startswith("As at")
            ]
            assert lines[-1] not in headings, f"page {number} ends with the heading {lines[-1]!r}"
