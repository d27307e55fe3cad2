"""Read the forms on a page as a browser would: each field's name, kind, the options it offers and what
it would send as it stands. The fuzzer learns a form's shape from here, never from the Python form class,
so it posts what a person (or anyone with a browser's developer tools) could post."""

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, hidden, password, select, radio, checkbox, file, submit
    options: list[str] = field(default_factory=list)  # what a select, radios or checkboxes offer
    values: list[str] = field(
        default_factory=list
    )  # what the browser would send now, one per input of that name
    multiple: bool = False  # checkboxes, a multiple select, or several inputs of one name (a GOV.UK date)


@dataclass
class Form:
    action: str  # a path
    fields: list[Field]

    @property
    def names(self) -> set[str]:
        return {each.name for each in self.fields}

    def defaults(self) -> list[tuple[str, str]]:
        """The pairs the browser would send if the person pressed the button without touching anything."""
        return [
            (each.name, value)
            for each in self.fields
            if each.kind not in ("file", "submit")
            for value in each.values
        ]


def read_forms(page: str, url: str, method: str = "POST") -> list[Form]:
    """Every form on the page sent with this method (POST, or GET for filters), with its action as a path."""
    if "<form" not in page:
        return []
    document = lxml.html.fromstring(page)
    found = []
    for element in document.forms:
        if (element.method or "GET").upper() != method:
            continue
        action = urlsplit(urljoin(url, element.get("action") or url)).path
        found.append(Form(action, _fields(element)))
    return found


def _fields(form) -> list[Field]:
    by_name: dict[str, Field] = {}
    for element in form.xpath(".//input|.//select|.//textarea|.//button"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        kind = _kind(element)
        entry = by_name.setdefault(name, Field(name, kind))
        if kind in ("radio", "checkbox"):
            entry.options.append(element.get("value", "on"))
            entry.multiple = entry.multiple or kind == "checkbox"
            if element.get("checked") is not None:
                entry.values.append(element.get("value", "on"))
        elif kind == "select":
            entry.options += [value for value in element.value_options]
            entry.multiple = bool(element.multiple)
            chosen = list(element.value) if element.multiple else [element.value or ""]
            entry.values += chosen
        elif kind == "submit":
            entry.values.append(element.get("value", ""))
        elif kind == "textarea":
            entry.values.append(element.text or "")
        elif kind != "file":
            if entry.values or entry.multiple:
                entry.multiple = True  # a GOV.UK date: day, month and year share one name
            entry.values.append(element.get("value", ""))
    return list(by_name.values())


def _kind(element) -> str:
    if element.tag == "select":
        return "select"
    if element.tag == "textarea":
        return "textarea"
    if element.tag == "button":
        return "submit"
    kind = (element.get("type") or "text").lower()
    return kind if kind in ("hidden", "password", "radio", "checkbox", "file", "submit") else "text"
