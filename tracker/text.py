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

# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str) -> str:
    """The text without the characters no database or document format can hold."""
    return UNHOLDABLE.sub("", text)


def formula_safe(text: str) -> str:
    """Text for a spreadsheet cell: cleaned, then a single quote in front if a spreadsheet would run it."""
    text = clean_text(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CleanMultiDict(ImmutableMultiDict):
    """Form fields or address parameters with every text value (and name) cleaned; files are left as they are."""

    def __init__(self, mapping: Mapping | Iterable | None = None):
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__([(clean_text(key) if isinstance(key, str) else key,
                           clean_text(value) if isinstance(value, str) else value) for key, value in pairs])


class CleanRequest(Request):
    """The app's request: what a person sends is cleaned before any form, view or service reads it."""

    parameter_storage_class = CleanMultiDict
