"""Spreadsheets made to hurt a reader: a stray far cell, a crafted dimension,
rows and cells of nothing, a zip bomb."""

import io
import re
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def xlsx(rows: list[list]) -> bytes:
    """An ordinary workbook with these rows on its first sheet, as openpyxl writes it."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewritten(content: bytes, change, part: str = SHEET) -> bytes:
    """The workbook with one part's XML changed by `change(text) -> text`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data.decode()).encode() if info.filename == part else data)
    return out.getvalue()


def with_dimension(content: bytes, ref: str) -> bytes:
    """The sheet claims to span `ref`, e.g. A1:XFD1048576, whatever it holds."""
    return rewritten(
        content, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
    )


def with_stray_cell(content: bytes, column: str, row: int, value: str = "x") -> bytes:
    """A value far from the data, and the dimension Excel then writes (A1 to that cell)."""
    cell = f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>{value}</t></is></c></row>'
    return with_dimension(
        rewritten(content, lambda xml: xml.replace("</sheetData>", cell + "</sheetData>")),
        f"A1:{column}{row}",
    )


def with_empty_rows(content: bytes, count: int) -> bytes:
    """`count` formatted rows holding nothing, after the data: megabytes of XML that pack into kilobytes."""
    rows = '<row ht="30" customHeight="1"/>' * count
    return rewritten(content, lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))


def with_empty_cells(content: bytes, count: int, row: int) -> bytes:
    """One row of `count` formatted cells holding nothing."""
    cells = f'<row r="{row}">' + '<c s="0"/>' * count + "</row>"
    return rewritten(content, lambda xml: xml.replace("</sheetData>", cells + "</sheetData>"))


def wide_xlsx(header: list[str], columns: int) -> bytes:
    """A first row of `header` then named columns up to `columns` wide (cells without their own address)."""
    names = header + [f"extra {number}" for number in range(len(header) + 1, columns + 1)]
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in names)
    return with_dimension(
        rewritten(
            xlsx([["x"]]),
            lambda xml: re.sub(
                r"<sheetData>.*</sheetData>",
                f'<sheetData><row r="1">{cells}</row></sheetData>',
                xml,
                flags=re.S,
            ),
        ),
        "A1",
    )


def wide_csv(header: str, columns: int) -> str:
    """A CSV whose first row names `columns` columns, the real ones first."""
    names = header.split(",")
    return ",".join(names + [f"extra {number}" for number in range(len(names) + 1, columns + 1)]) + "\n"


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
    "<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
)
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(
    value=None,
    *,
    spans: tuple[int, int] | None = None,
    repeat: int = 1,
    formula: str | None = None,
    kind: str | None = None,
) -> str:
    """One table:table-cell as LibreOffice writes it: a number, a date, text,
    or a formula with no saved value."""
    attributes = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if spans:
        attributes += f' table:number-rows-spanned="{spans[0]}" table:number-columns-spanned="{spans[1]}"'
    if formula is not None:
        return f'<table:table-cell{attributes} table:formula="of:={formula}"/>'
    if value is None:
        return f"<table:table-cell{attributes}/>"
    if kind == "percentage":
        return (
            f'<table:table-cell{attributes} office:value-type="percentage" office:value="{value}">'
            f"<text:p>{value * 100:g}%</text:p></table:table-cell>"
        )
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell{attributes} office:value-type="float" '
            f'office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        )
    if kind == "date":
        return (
            f'<table:table-cell{attributes} office:value-type="date" '
            f'office:date-value="{value}"><text:p>{value}</text:p></table:table-cell>'
        )
    return (
        f"<table:table-cell{attributes} "
        f'office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def ods_row(cells: list[str], repeat: int = 1) -> str:
    attributes = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attributes}>{''.join(cells)}</table:table-row>"


def ods(rows: list[list], name: str = "Sheet1", raw_rows: str = "", more_tables: str = "") -> bytes:
    """An OpenDocument spreadsheet: `rows` of plain values (or ready table:table-cell strings), then
    `raw_rows` (table-row XML as written), then LibreOffice's trailing blank rows and columns repeated to
    the sheet's edge."""
    body = "".join(
        ods_row(
            [cell if isinstance(cell, str) and cell.startswith("<table:") else ods_cell(cell) for cell in row]
        )
        for row in rows
    )
    edge = ods_row([ods_cell(repeat=16384)], repeat=1_048_576 - len(rows))
    table = f'<table:table table:name="{name}">{body}{raw_rows}{edge}</table:table>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_CONTENT.format(tables=table + more_tables))
    return out.getvalue()
