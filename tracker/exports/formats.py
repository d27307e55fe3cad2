"""The one list of the formats files leave the service in:
each one's name as people read it and its media type.

The summary and the self-evaluation say which of them they are made in; the routes, forms, command line and
downloads all read them from here.
"""

from dataclasses import dataclass

from tracker.storage import DOCX, XLSX


@dataclass(frozen=True)
class Format:
    key: str  # the file's extension, and the word in addresses and on the command line
    name: str  # as people read it after "as": "a PDF", "a Word document"
    mimetype: str


FORMATS = {
    each.key: each
    for each in (
        Format("pdf", "a PDF", "application/pdf"),
        Format("docx", "a Word document", DOCX),
        Format("xlsx", "an Excel workbook", XLSX),
        Format("png", "a picture of the first page", "image/png"),
        Format("zip", "a ZIP file", "application/zip"),
        Format("csv", "a CSV file", "text/csv; charset=utf-8"),
    )
}
SUMMARY_FORMATS = ("pdf", "docx", "xlsx")  # the progress summary, in the service
SUMMARY_COMMAND_FORMATS = (
    *SUMMARY_FORMATS,
    "png",
)  # and on the command line, which can also draw its first page
SEF_FORMATS = ("docx", "pdf")  # the self-evaluation


def route_formats(keys: tuple[str, ...]) -> str:
    """The `any` converter's argument for an address ending in one of these extensions."""
    return ", ".join(keys)
