"""The demo's documents, made as small tagged PDFs from the source documents' own words with Typst
(`typst/document.typ`, through tracker.exports.pdf.render_document)."""

from datetime import date, datetime, timezone
from pathlib import Path

from tracker.dates import format_date
from tracker.exports.pdf import render_document

TEMPLATE = Path(__file__).with_name("typst") / "document.typ"
AUTHOR = "SPOT service"


def _pdf(
    title: str, dated: date, paragraphs: list[str], sections: list[tuple[str, list[str], list[str]]]
) -> bytes:
    """The document, dated `dated` inside the PDF too, so the same words always make the same file."""
    data = {
        "title": title,
        "author": AUTHOR,
        "dated": format_date(dated),
        "paragraphs": paragraphs,
        "sections": [
            {"heading": heading, "paragraphs": texts, "items": items} for heading, texts, items in sections
        ],
    }
    return render_document(
        TEMPLATE, data, produced_at=datetime(dated.year, dated.month, dated.day, 12, tzinfo=timezone.utc)
    )


def survey_report(dated: date) -> bytes:
    return _pdf(
        "SPOT service survey: you said, we did",
        dated,
        [
            "In May we asked parents/carers and SENCOs to share thoughts and experience of our SPOT "
            "service by completing a short survey.",
        ],
        [
            (
                "Who replied",
                [],
                [
                    "61 replies in all",
                    "39 replies from SENCOs (29 SENCOs; some completed the form once for each team that "
                    "supports them)",
                    "22 replies from parents and carers",
                ],
            ),
            (
                "What you said",
                [],
                [
                    "32 out of 39 replies from SENCOs said that they are very satisfied with the level of "
                    "support received from the four teams.",
                    "Three parents said that they would not recommend a service to others.",
                    "Seven parents felt that the service had not met the needs of their child or "
                    "young person.",
                    "There is some confusion between the Children's Occupational Therapy Service within "
                    "SPOT and the Children and Young People's Therapy Service, delivered by the NHS.",
                ],
            ),
            (
                "What we did",
                [],
                [
                    "Published a new set of leaflets, including one for Children's Occupational Therapy.",
                    "Reviewed our procedure for professional contributions to the EHCP process, with a "
                    "new template.",
                    "Continued annual audits of the reports shared with schools and parents.",
                    "Added a link to the SE website into our notes of visit and assessment.",
                ],
            ),
        ],
    )


def ot_leaflet(dated: date) -> bytes:
    return _pdf(
        "Children's Occupational Therapy Service (SPOT)",
        dated,
        [
            "This leaflet explains what the Children's Occupational Therapy Service within SPOT does, and "
            "how it differs from the Children and Young People's Therapy Service delivered by the NHS.",
        ],
        [
            (
                "What we do",
                [
                    "We advise schools and families on the support a child needs to take part in learning "
                    "and everyday activities at school."
                ],
                [],
            ),
            (
                "The NHS therapy service",
                [
                    "The NHS Children and Young People's Therapy Service provides clinical "
                    "occupational therapy. Your GP, health visitor or school can refer to it."
                ],
                [],
            ),
        ],
    )
