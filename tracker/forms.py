"""Form fields every domain shares: GOV.UK dates and choices built from enums and rows; the tokens of
files kept between an import's preview and its confirmation; one-time form keys, which make every form that
creates something safe to send twice."""

import functools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, flash, redirect, request, session
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from markupsafe import Markup, escape
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, StopValidation, ValidationError

from tracker.extensions import Model, db
from tracker.models import UTCDateTime, utcnow


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year) that reads blank as 'no date' and says what is wrong."""

    widget = GovDateInput()
    raw_data: list[str] | None

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


class ListChoice(SelectField):
    """A GOV.UK select whose answer must be one of its options, said in words (an import's mapping page)."""

    widget = GovSelect()

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of the options in the list.")


class PickerSelect(GovSelect):
    """The select of a Picker: app.mjs turns it into an accessible autocomplete (data-module), whose box is
    named `<name>-typed` and, when the form comes back with an error, starts with what was typed."""

    def __call__(self, field, **kwargs):
        attributes = {"data-module": "app-autocomplete"}
        if getattr(field, "typed", None) is not None:
            attributes["data-typed"] = field.typed
        params = kwargs.pop("params", {}) or {}
        params = {**params, "attributes": {**params.get("attributes", {}), **attributes}}
        return super().__call__(field, params=params, **kwargs)


class Picker(SelectField):
    """One row chosen from a long list (a person, an evidence item): a GOV.UK select with a blank first
    option, which app.mjs enhances into an accessible autocomplete.

    Only an exact choice is saved, whatever the browser did: the value must be one of the options, and the
    enhanced box also posts its text as `<name>-typed`, which must be exactly that option's words. The
    autocomplete can leave a stale or half-chosen option in the hidden select (typing "a" then Escape and
    Tab chose the first name; a misspelt name kept the last one), so the server checks what the person saw,
    not only what the select held. An empty box is no choice: `message` for a required picker, nothing for
    an optional one. docs/style.md ("Pickers") says why.
    """

    widget = PickerSelect()
    TYPED = "-typed"  # the suffix of the enhanced box's name

    def __init__(self, label=None, validators=None, *, message: str, required: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.required = required
        self.typed: str | None = None
        if required:
            self.flags.required = True

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        typed = formdata.getlist(self.name + self.TYPED) if formdata is not None else []
        self.typed = typed[0] if typed else None

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None

    def pre_validate(self, form):
        labels = {str(choice.value): str(choice.label) for choice in self.choices if choice.value != ""}
        if self.typed is not None and not self.typed.strip():
            self.data = ""  # the box was emptied: whatever the hidden select still holds was not chosen
        if not self.data:
            if self.required or (self.typed or "").strip():
                self.data = ""
                raise StopValidation(self.message)
            self.data = None
            return
        if self.data not in labels and not self.validate_choice:
            return  # the service says in words why a choice offered on an older page is gone
        if self.data not in labels or (self.typed is not None and self.typed.strip() != labels[self.data]):
            self.data = ""
            raise StopValidation(self.message)


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
        error = "".join(
            (
                f'<p id="{field.id}-error" class="govuk-error-message"><span '
                'class="govuk-visually-hidden">Error:</span> '
                f"{escape(message)}</p>"
            )
            for message in field.errors[:1]
        )
        described = f' aria-describedby="{field.id}-error"' if field.errors else ""
        group = "govuk-form-group govuk-form-group--error" if field.errors else "govuk-form-group"
        return Markup(
            f'<div class="{group}"><label class="govuk-label" '
            f'for="{field.id}">{escape(field.label.text)}</label>{error}<select '
            f'class="{classes}{" govuk-select--error" if field.errors else ""}" id="{field.id}" '
            f'name="{field.name}"{described}>{options}</select></div>'
        )


def enum_choices(enum_class, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(member.value, member.label) for member in enum_class]


def row_choices(rows, label=lambda row: row.name, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(str(row.id), label(row)) for row in rows]


class Entered(InputRequired):
    """Something entered, for numbers, dates and choices: a value that reads as nothing (a number field of
    spaces) is nothing, so the form asks for it rather than passing validation without a value."""

    def __call__(self, form, field) -> None:
        super().__call__(form, field)
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


Value = TypeVar("Value")


def filled(value: Value | None) -> Value:
    """The value of a field the form requires (InputRequired), once the form has validated: never None."""
    if value is None:
        raise ValueError("A required field passed validation without a value.")
    return value


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
    return id_in(request.args, name)


def id_in(args, name: str) -> int | None:
    """An id from these arguments (an address's query string); anything that is not a plausible id is None."""
    value = args.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 10 else None


def offered(enum_class, value):
    """The member of `enum_class` with this value, or None for a value the form does not
    offer (a filter ignores it)."""
    return enum_class(value) if value in {member.value for member in enum_class} else None


# One-time form keys ------------------------------------------------------------------------------
#
# Every form that creates something carries a random key, made when the form is drawn. The key is stored with
# what the form created, in the same transaction, under a unique constraint, so a second post of the same form
# (a retry after an error page, a double click, the browser's "resend") finds it and is shown what was saved
# instead of saving it again; and when the database fails during or after the commit,
# the key says which it was.

FORM_KEY = "form_key"  # the hidden field's name
_KEY_SHAPE = re.compile(r"[0-9a-f]{32}")
_PENDING = (
    "form_key_pending"  # db.session.info: this request's key, waiting to be stored with what it creates
)
_COMMIT = (
    "form_key_commit"  # db.session.info: "started" while a commit is under way, "done" once one has finished
)
ALREADY_SAVED = "This was already saved: it has not been saved a second time."
SAVE_CHECK_SECONDS = (
    3.0  # how long the error page waits for the database to come back to say whether it saved
)


class FormSubmission(Model):
    """A one-time form key and the row its form created: the proof that a post was saved, and where."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    entity_type: Mapped[str] = mapped_column(sa.String(80))
    entity_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass
class PendingKey:
    key: str
    user_id: int
    model: type
    url: Callable[[Any], str]
    created: Any = None  # the row the form created, once it is in the session
    link: str | None = (
        None  # where to see it, worked out before the commit (afterwards reading it needs the database)
    )


def posted_key() -> str | None:
    """The one-time key this request posted, if it has the shape of one; anything else is no key."""
    value = request.form.get(FORM_KEY, "") if request.method == "POST" else ""
    return value if _KEY_SHAPE.fullmatch(value) else None


def form_key_field() -> Markup:
    """The hidden field for a create form (`{{ form_key_field() }}`): a new key, or the one posted if the form
    is drawn again after an error, so that sending it once more is still the same attempt."""
    return Markup(f'<input type="hidden" name="{FORM_KEY}" value="{posted_key() or secrets.token_hex(16)}">')


def once(model: type, url: Callable[[Any], str]):
    """Make a create view idempotent by its form's one-time key: `model` is what the view creates, `url(row)`
    where to see it. A post whose key was already used by this person is sent to what it saved."""

    def decorate(view):
        @functools.wraps(view)
        def create_once(*args, **kwargs):
            key = posted_key() if current_user.is_authenticated else None
            if key is None:
                return view(*args, **kwargs)
            used = db.session.scalar(sa.select(FormSubmission).where(FormSubmission.key == key))
            if used is not None:  # another person's key (copied, never shown to them) counts as no key
                return (
                    _show_saved(model, used.entity_id, url)
                    if used.user_id == current_user.id
                    else view(*args, **kwargs)
                )
            db.session.info[_PENDING] = PendingKey(key, current_user.id, model, url)
            try:
                return view(*args, **kwargs)
            except (
                sa.exc.IntegrityError
            ):  # the same form sent twice at the same moment: the other one saved it
                db.session.rollback()
                used = db.session.scalar(sa.select(FormSubmission).where(FormSubmission.key == key))
                if used is None:
                    raise
                return _show_saved(model, used.entity_id, url)

        return create_once

    return decorate


def _show_saved(model: type, entity_id: int, url: Callable[[Any], str]):
    flash(ALREADY_SAVED, "success")
    return redirect(url(db.get_or_404(model, entity_id)))


def _note_created(session, _context, _instances) -> None:
    pending = session.info.get(_PENDING)
    if pending is not None and pending.created is None:
        pending.created = next((row for row in session.new if isinstance(row, pending.model)), None)


def _store_key(session) -> None:
    """Before a commit: keep the key with the row its form created, in the same transaction."""
    session.info[_COMMIT] = "started"
    pending = session.info.get(_PENDING)
    if pending is None or pending.link is not None:
        return
    session.flush()  # the new row's id
    if pending.created is not None:
        session.add(
            FormSubmission(
                key=pending.key,
                user_id=pending.user_id,
                entity_type=pending.model.__tablename__,
                entity_id=pending.created.id,
            )
        )
        pending.link = pending.url(pending.created)


def _committed(session) -> None:
    session.info[_COMMIT] = "done"


def _forget_keys() -> None:
    """Each request starts with no key and no commit (tests share one session between requests)."""
    db.session.info.pop(_PENDING, None)
    db.session.info.pop(_COMMIT, None)


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool | None  # None: the database could not be asked
    link: str | None = None


def outcome_after_failure() -> SaveOutcome:
    """After the database failed under a request (its session already rolled back):
    was what it was saving saved?

    A create form's key says: its row's commit never began, not saved; finished, saved (the failure came
    after); failed part-way, the key is looked for in a fresh connection, waiting up to SAVE_CHECK_SECONDS for
    the database. Without a key, a post whose commit had begun cannot be told (a commit may be only the
    session's own upkeep).
    """
    pending, commit = db.session.info.get(_PENDING), db.session.info.get(_COMMIT)
    if pending is None:
        return SaveOutcome(None if commit is not None and request.method == "POST" else False)
    if pending.link is None:
        return SaveOutcome(False)
    if commit == "done":
        return SaveOutcome(True, pending.link)
    return SaveOutcome(_key_stored(pending.key), pending.link)


def _key_stored(key: str) -> bool | None:
    deadline = time.monotonic() + SAVE_CHECK_SECONDS
    while True:
        try:
            with db.engine.connect() as connection:
                return (
                    connection.scalar(sa.select(FormSubmission.id).where(FormSubmission.key == key))
                    is not None
                )
        except sa.exc.DBAPIError:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.5)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["form_key_field"] = form_key_field
    app.before_request(_forget_keys)
    if not sa.event.contains(sa.orm.Session, "before_commit", _store_key):
        sa.event.listen(sa.orm.Session, "before_flush", _note_created)
        sa.event.listen(sa.orm.Session, "before_commit", _store_key)
        sa.event.listen(sa.orm.Session, "after_commit", _committed)
