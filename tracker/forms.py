"""Form fields every domain shares: GOV.UK dates and choices built from enums and rows; the tokens of
files kept between an import's preview and its confirmation."""

from datetime import date

from flask import request, session
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from markupsafe import Markup, escape
from wtforms import DateField
from wtforms.fields.choices import SelectChoice


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year) that reads blank as 'no date' and says what is wrong."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, message="Enter a real date, like 31 3 2027.", **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        # govuk-frontend-wtf's widget unpacks raw_data as exactly (day, month, year): a form sent
        # without the field, or with extra parts, must not break the page that explains the error
        if valuelist and len(valuelist) != 3:
            self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        if not valuelist:
            self.raw_data = None
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        parts = [part.strip() for part in valuelist]
        if len(parts) != 3 or not all(part.isdecimal() for part in parts):
            self.data = None
            raise ValueError(self.message)
        day, month, year = (int(part) for part in parts)
        try:
            self.data = date(year, month, day) if year >= 1900 else None
        except ValueError:
            self.data = None
            raise ValueError(self.message)
        if self.data is None:
            raise ValueError(self.message)


class LongSelect:
    """A GOV.UK select for filters that offer hundreds of rows (owners, findings, uploaders).

    The same markup as GOV.UK Frontend's select with a label, built in one pass: the
    component macro costs tens of microseconds an option, which a region's thousand
    owners would turn into most of the page's time. Takes `params={"classes": ...}` like
    the govuk-frontend-wtf widgets it sits beside.
    """

    def __call__(self, field, params: dict | None = None, **_kwargs) -> Markup:
        classes = " ".join(filter(None, ["govuk-select", (params or {}).get("classes", "")]))
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}</option>'
            for value, label, selected, _ in field.iter_choices()
        )
        error = "".join(f'<p id="{field.id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
                        f"{escape(message)}</p>" for message in field.errors[:1])
        described = f' aria-describedby="{field.id}-error"' if field.errors else ""
        group = "govuk-form-group govuk-form-group--error" if field.errors else "govuk-form-group"
        return Markup(f'<div class="{group}"><label class="govuk-label" for="{field.id}">{escape(field.label.text)}</label>'
                      f'{error}<select class="{classes}{" govuk-select--error" if field.errors else ""}" id="{field.id}" '
                      f'name="{field.name}"{described}>{options}</select></div>')


def enum_choices(enum_class, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(member.value, member.label) for member in enum_class]


def row_choices(rows, label=lambda row: row.name, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(str(row.id), label(row)) for row in rows]


def show_error(form, error: Exception) -> None:
    """Put a service's refusal beside the field it names (its `field`), or at the top of the form."""
    name = getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    (field.errors if field is not None else form.form_errors).append(str(error))


KEPT_UPLOADS = "kept_uploads"  # in the session: the files this person previewed and may now confirm


def remember_kept(token: str) -> str:
    """Note that this session previewed the kept file, so that only it can confirm the import: the token
    travels in a hidden field, which anyone can change."""
    kept = [other for other in session.get(KEPT_UPLOADS, []) if other != token]
    session[KEPT_UPLOADS] = [*kept[-9:], token]
    return token


def kept_here(token: str | None) -> str:
    """The token if this session previewed its file; otherwise none, which reads as an expired import."""
    return token if token and token in session.get(KEPT_UPLOADS, []) else ""


def id_arg(name: str) -> int | None:
    """An id from the query string; anything that is not a plausible id is ignored, never an error."""
    value = request.args.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 10 else None
