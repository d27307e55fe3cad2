"""Spreadsheets made to hurt a reader: a stray far cell, a crafted dimension, rows and cells of nothing, a zip bomb."""

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
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data.decode()).encode() if info.filename == part else data)
    return out.getvalue()


def with_dimension(content: bytes, ref: str) -> bytes:
    """The sheet claims to span `ref`, e.g. A1:XFD1048576, whatever it holds."""
    return rewritten(content, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml))


def with_stray_cell(content: bytes, column: str, row: int, value: str = "x") -> bytes:
    """A value far from the data, and the dimension Excel then writes (A1 to that cell)."""
    cell = f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>{value}</t></is></c></row>'
    return with_dimension(rewritten(content, lambda xml: xml.replace("</sheetData>", cell + "</sheetData>")),
                          f"A1:{column}{row}")


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
    return with_dimension(rewritten(xlsx([["x"]]), lambda xml: re.sub(r"<sheetData>.*</sheetData>",
                                                                      f'<sheetData><row r="1">{cells}</row></sheetData>',
                                                                      xml, flags=re.S)), "A1")


def wide_csv(header: str, columns: int) -> str:
    """A CSV whose first row names `columns` columns, the real ones first."""
    names = header.split(",")
    return ",".join(names + [f"extra {number}" for number in range(len(names) + 1, columns + 1)]) + "\n"
