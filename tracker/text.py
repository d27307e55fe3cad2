"""Text as it comes in and goes out: characters no database or document can hold are dropped, and
spreadsheet cells that would run as formulas are neutralised (docs/exports.md, "Text that cannot be
written").

On the way in, `CleanRequest` cleans every form field and address parameter a person sends, and the
importers clean every cell they read. On the way out, every export cleans again (rows written before
this rule, or by a command) and every spreadsheet cell, CSV or Excel, goes through `formula_safe`.

Words made from numbers and names are made here too, once for pages, messages and exports: `counted` and
`plural` ("1 finding", "2 findings"), `with_article` ("an officer") and `as_words` ("RAG overridden").
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


def plural(count: float, one: str, many: str | None = None) -> str:
    """The words for this many: `one` for 1, otherwise `many`, which by default is `one` with its last word
    made plural by the regular rule (finding, findings; reply, replies; match, matches). Give `many` where
    the rule is wrong, or for a verb that agrees ("is", "are")."""
    if count == 1:
        return one
    if many is not None:
        return many
    if one.endswith("y") and one[-2:-1] not in ("a", "e", "i", "o", "u"):
        return one[:-1] + "ies"
    if one.endswith(("s", "x", "z", "ch", "sh")):
        return one + "es"
    return one + "s"


def counted(count: int, one: str, many: str | None = None) -> str:
    """A count and its noun: "1 finding", "2 amber findings", "1,204 events"."""
    return f"{count:,} {plural(count, one, many)}"


def with_article(word: str) -> str:
    """A noun after "a" or "an" as it is said: "an officer", "an admin", "a leader"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


# words that stay in capitals when a name from the code is turned into words
ACRONYMS = {"rag": "RAG", "send": "SEND", "sef": "SEF", "api": "API", "id": "ID", "sso": "SSO", "csv": "CSV"}


def as_words(name: str) -> str:
    """A name from the code as a label people read, first letter capital and acronyms kept:
    `rag_overridden` is "RAG overridden", `due_date` is "Due date"."""
    words = " ".join(ACRONYMS.get(word, word) for word in name.replace("_", " ").split())
    return words[:1].upper() + words[1:]


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
