"""Text as it comes in and goes out (tracker/text.py): what is dropped, what is kept,
what a spreadsheet gets."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from tracker.text import CleanMultiDict, clean_text, formula_safe


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Waiting\x00 times", "Waiting times"),
        ("a\x01\x08\x0b\x0c\x0e\x1f\x7f\x85\x9fb", "ab"),
        ("x\ud800y", "xy"),
        ("no\ufffe\uffffn-characters", "non-characters"),
        ("Line one\r\nLine\ttwo\n", "Line one\r\nLine\ttwo\n"),  # tab and line ends are writing, not noise
        (
            "\u202eevil\u202c \u200f\u200e zero\u200dwidth 👩‍👩‍👧 cafe\u0301 ÉÀ",
            "\u202eevil\u202c \u200f\u200e zero\u200dwidth 👩‍👩‍👧 cafe\u0301 ÉÀ",
        ),
    ],
)
def test_clean_text_drops_only_what_no_database_or_document_can_hold(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "raw, cell",
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\r=1", "'\r=1"),
        ("\t=1", "'\t'=1"),  # a tab starts a formula and, to a reader of tab-separated text, a cell
        (
            "\x00=HYPERLINK(1)",
            "'=HYPERLINK(1)",
        ),  # cleaned first, so a hidden character cannot smuggle a formula through
        # full-width = + - @, which spreadsheets in East Asian locales read as the same
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d2+3", "'\uff0d2+3"),
        ("\uff20SUM(1)", "'\uff20SUM(1)"),
        ("  =1+1", "'  =1+1"),  # a reader that trims spaces would find the formula
        # after a separator a spreadsheet may split the cell at: ; in most of Europe, ,
        # and tab to readers that ignore quotes
        ("Late;=HYPERLINK(1)", "Late;'=HYPERLINK(1)"),
        ("a,=1+1", "a,'=1+1"),
        ("a\t@SUM(1)", "a\t'@SUM(1)"),
        ("a; -2+3", "a;' -2+3"),
        ("a;\uff1d1", "a;'\uff1d1"),
        ("a;\x00=1", "a;'=1"),
        ("=1;=2", "'=1;'=2"),
        ("a=b", "a=b"),
        ("5-3", "5-3"),
        ("a; b, c", "a; b, c"),
        ("Plain", "Plain"),
        ("", ""),
    ],
)
def test_formula_safe_quotes_what_a_spreadsheet_would_run(raw, cell):
    assert formula_safe(raw) == cell


def test_form_data_is_cleaned_and_files_are_left_alone():
    upload = FileStorage(io.BytesIO(b"\x00binary"), filename="a.pdf")
    data = CleanMultiDict(
        [("title", "Wait\x00ing"), ("title", "two\x01"), ("na\x00me", "x"), ("file", upload)]
    )
    assert data.getlist("title") == ["Waiting", "two"] and data["name"] == "x" and data["file"] is upload
    assert not CleanMultiDict() and CleanMultiDict({"a": "b\x00"}).to_dict() == {"a": "b"}
