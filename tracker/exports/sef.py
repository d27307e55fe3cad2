"""The self-evaluation as at any date, as an editable Word document and as a tagged PDF (Typst, the summary's
renderer): headings per evaluation area and criterion, each statement's three parts, its sign-off as it stood
then, its flags, and the citations gathered at the end as a numbered evidence
index that the statements refer to.

Restricted evidence is left out unless a leader includes it (`check_request`), as for the summary; every
export is recorded with its SHA-256 (`services._record`)."""

import hashlib
import io
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.shared import Pt

from tracker.auth.models import User
from tracker.dates import format_date
from tracker.exports.docx import page_furniture_text, styled_heading, styled_paragraph
from tracker.exports.formats import FORMATS
from tracker.exports.pdf import TEMPLATES, render_document
from tracker.exports.services import Export, ExportRequest, check_request, reader_of, record_export
from tracker.extensions import db
from tracker.models import utcnow
from tracker.sef.models import CitedKind
from tracker.sef.services import PARTS, Entry, Sef, sef_at

TITLE = "Self-evaluation"


@dataclass
class Indexed:
    number: int
    kind: str
    label: str
    detail: str
    flag: str


@dataclass
class SefDocument:
    """What both formats print, worked out once: every line as text, the evidence index numbered."""

    title: str
    as_at_line: str
    produced_by: str
    framework: str
    areas: list[dict]
    index: list[Indexed]


def gather_sef(actor: User | None, wanted: ExportRequest) -> Sef:
    check_request(actor, wanted)
    reader = reader_of(actor)
    return sef_at(reader, wanted.as_at, include_restricted=wanted.include_restricted)


def sef_document(sef: Sef, produced_by: str) -> SefDocument:
    numbers: dict[tuple[CitedKind, int], int] = {}
    index: list[Indexed] = []
    areas = []
    for area, entries in sef.areas:
        criteria = []
        for entry in entries:
            refs = []
            for cited in entry.cited:
                key = (cited.kind, cited.id)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                    index.append(
                        Indexed(numbers[key], cited.kind.label, cited.label, cited.detail, cited.flag or "")
                    )
                refs.append(f"[{numbers[key]}] {cited.label}")
            criteria.append(
                {
                    "heading": f"{entry.criterion.key}: {entry.criterion.title}",
                    "wording": (
                        "The extent to which "
                        f"{entry.criterion.wording[:1].lower()}{entry.criterion.wording[1:]}"
                    ),
                    "status": status_line(entry),
                    "parts": [
                        [label, getattr(entry.version, name).strip() or "Not written."]
                        for name, label in PARTS
                    ]
                    if entry.version
                    else [],
                    "citations": refs,
                    "flags": entry.flags,
                }
            )
        areas.append({"heading": area.title, "criteria": criteria})
    return SefDocument(
        TITLE,
        f"As at {format_date(sef.as_at)}",
        produced_by,
        sef.framework.label if sef.framework else "No framework is loaded.",
        areas,
        index,
    )


def status_line(entry: Entry) -> str:
    """The statement's standing as at the date: which version, who wrote it, and its sign-off."""
    version = entry.version
    if version is None:
        return "Not started: no statement had been written by this date."
    author = version.author.name if version.author else "the system"
    line = f"Version {version.number}, written by {author} on {format_date(version.created_at)}. "
    if entry.sign_off is not None:
        who = entry.sign_off.signed_by.name if entry.sign_off.signed_by else "the system"
        return line + f"Signed off by {who} on {format_date(entry.sign_off.signed_at)}."
    line += "Draft: not signed off."
    if entry.last_signed is not None:
        who = entry.last_signed.signed_by.name if entry.last_signed.signed_by else "the system"
        line += (
            f" The last version signed off was version {entry.last_signed.version.number}, by {who} on "
            f"{format_date(entry.last_signed.signed_at)}."
        )
    return line


# Word ------------------------------------------------------------------------------------------------


def sef_docx(doc: SefDocument) -> bytes:
    document = Document()
    properties = document.core_properties
    properties.title, properties.subject, properties.author = doc.title, doc.as_at_line, doc.produced_by
    properties.language = "en-GB"
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    page_furniture_text(document, f"{doc.title}. {doc.as_at_line}")
    styled_heading(document, doc.title, level=0)
    document.add_paragraph(f"{doc.as_at_line}. {doc.framework}. Produced by {doc.produced_by}.")
    for area in doc.areas:
        styled_heading(document, area["heading"], level=1)
        for criterion in area["criteria"]:
            styled_heading(document, criterion["heading"], level=2)
            styled_paragraph(document, criterion["wording"], "Quote")
            document.add_paragraph(criterion["status"])
            for flag in criterion["flags"]:
                document.add_paragraph(f"Flag: {flag}")
            for label, text in criterion["parts"]:
                styled_heading(document, label, level=3)
                for line in text.splitlines() or [""]:
                    document.add_paragraph(line)
            if criterion["citations"]:
                document.add_paragraph("Cites: " + "; ".join(criterion["citations"]) + ".")
    styled_heading(document, "Evidence index", level=1)
    if not doc.index:
        document.add_paragraph("No statement cites evidence, measures or survey results at this date.")
    for item in doc.index:
        line = f"[{item.number}] {item.kind}: {item.label}" + (f". {item.detail}" if item.detail else "")
        document.add_paragraph(line + (f". Flag: {item.flag}" if item.flag else "."))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# PDF -------------------------------------------------------------------------------------------------


def sef_pdf(doc: SefDocument) -> bytes:
    """The self-evaluation as a tagged PDF (PDF/UA-1), compiled by Typst in a child process with limits."""
    return render_document(TEMPLATES / "sef.typ", sef_pdf_data(doc), produced_at=utcnow())


def sef_pdf_data(doc: SefDocument) -> dict:
    """Everything the template prints, as strings: it formats nothing and decides nothing."""
    return {
        "title": doc.title,
        "author": doc.produced_by,
        "as_at_line": doc.as_at_line,
        "framework": doc.framework,
        "areas": doc.areas,
        "index": [
            {"number": f"[{i.number}]", "kind": i.kind, "label": i.label, "detail": i.detail, "flag": i.flag}
            for i in doc.index
        ],
    }


# Making and recording -----------------------------------------------------------------------------------


def export_sef(actor: User | None, as_at: date, fmt: str, include_restricted: bool = False) -> Export:
    """The self-evaluation as at a date in one format, recorded in the audit log with its fingerprint."""
    wanted = ExportRequest(as_at, include_restricted=include_restricted)
    sef = gather_sef(actor, wanted)
    who = getattr(actor, "name", None) or "the system (command line)"
    doc = sef_document(sef, who)
    content = sef_docx(doc) if fmt == "docx" else sef_pdf(doc)
    record_export(actor, "export.sef", wanted, fmt, hashlib.sha256(content).hexdigest(), len(content))
    db.session.commit()
    return Export(content, f"self-evaluation-{as_at.isoformat()}.{fmt}", FORMATS[fmt].mimetype)
