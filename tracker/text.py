"""Text as it comes in and goes out: characters no database or document can hold are dropped, and
spreadsheet cells that would run as formulas are neutralised (docs/exports.md, "Text that cannot be
written").

On the way in, `CleanRequest` cleans every form field and address parameter a person sends, and the
importers clean every cell they read. On the way out, every export cleans again (rows written before
this rule, or by a command) and every spreadsheet cell, CSV or Excel, goes through `formula_safe`.
"""

import re
from collections.abc import Iterable, Mapping

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

# Control characters other than tab, line feed and carriage return (C0, DEL and C1); lone surrogates;
# and the two non-characters. PostgreSQL refuses NUL, XML (Word, Excel) refuses the C0 ones and the
# rest, a PDF draws DEL and C1 as boxes that copy out as garbage, and none of them shows as anything
# a reader could use: a pasted one is noise, not something the person meant to write.
UNHOLDABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"), with the full-width = + - @
# that Excel and LibreOffice read as the same when typed or opened in an East Asian locale.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Where a spreadsheet could see a formula start: the text's start, and straight after a separator anywhere in
# it, spaces allowed between (some readers trim them). A spreadsheet whose locale separates lists with ; (most
# of Europe) opens a comma-separated file split at each ; and a reader that ignores quotes splits at each ,
# and tab too: the text after one would be a cell of its own and run.
FORMULA_AT = re.compile("(?:^|(?<=[,;\t]))(?= *[" + re.escape("".join(FORMULA_STARTS)) + "])")


def clean_text(text: str) -> str:
    """The text without the characters no database or document format can hold."""
    return UNHOLDABLE.sub("", text)


def formula_safe(text: str) -> str:
    """Text for a spreadsheet cell: cleaned, then a single quote wherever a spreadsheet could see a formula
    start: in front of the text (`=1+1` is `'=1+1`) and after a separator (`a;=1+1` is `a;'=1+1`)."""
    return FORMULA_AT.sub("'", clean_text(text))


class CleanMultiDict(ImmutableMultiDict):
    """Form fields or address parameters with every text value (and name) cleaned;
    files are left as they are."""

    def __init__(self, mapping: Mapping | Iterable | None = None):
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__(
            [
                (
                    clean_text(key) if isinstance(key, str) else key,
                    clean_text(value) if isinstance(value, str) else value,
                )
                for key, value in pairs
            ]
        )


class CleanRequest(Request):
    """The app's request: what a person sends is cleaned before any form, view or service reads it."""

    parameter_storage_class = CleanMultiDict
