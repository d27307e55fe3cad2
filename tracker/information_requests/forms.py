"""Forms of an inspection under way: opening a period, logging and changing a request (its due time as a date
and a time of day in UK time), answering it, attaching or uploading evidence, and single buttons."""

import re
from datetime import datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tracker.dates import LONDON
from tracker.evidence.forms import SENSITIVITY_CHOICES
from tracker.forms import GovDateField, Picker, enum_choices
from tracker.information_requests.models import RequestCategory, RequestStatus

WORDING_LIMIT = 5000
RESPONSE_LIMIT = 10000
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)
TIME_MESSAGE = "Enter the time it is due in 24-hour or 12-hour form, like 14:30 or 2:30pm."


def read_time(raw: str | None) -> time | None:
    """A time of day as people type it: 14:30, 9.15, 2pm, 2:30pm. None when it is not one."""
    found = _TIME.match(raw or "")
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), (found.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found.group(2) is None:  # "14" alone is too easily a typo for a date; ask for minutes
        return None
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _time_shape(form, field) -> None:
    if (field.data or "").strip() and read_time(field.data) is None:
        raise ValidationError(TIME_MESSAGE)


class PeriodForm(FlaskForm):
    notified_on = GovDateField(
        "Date the inspectors notified you",
        validators=[InputRequired(message="Enter the date the inspectors notified you.")],
        description="The working day of the notification call. For example, 2 3 2026.",
    )
    inspection = SelectField(
        "Inspection (optional)",
        widget=GovSelect(),
        validators=[Optional()],
        description="Leave blank to link the inspection whose start date falls in the three "
        "weeks, if there is one.",
    )
    submit = SubmitField("Open the inspection period", widget=GovSubmitInput())


class RequestForm(FlaskForm):
    version = HiddenField()  # the request's version when the form was opened (changing only)
    wording = TextAreaField(
        "What the inspectors asked for",
        widget=GovTextArea(),
        description="Their words. Do not write a child's name or any detail that identifies a child.",
        validators=[
            InputRequired(message="Enter the request's wording, as the inspectors put it."),
            Length(max=WORDING_LIMIT, message=f"The wording must be {WORDING_LIMIT} characters or fewer."),
        ],
    )
    category = RadioField(
        "Category",
        widget=GovRadioInput(),
        choices=enum_choices(RequestCategory),
        validators=[InputRequired(message="Choose the request's category.")],
    )
    owner_id = Picker(
        "Owner",
        message="Choose the request's owner from the list.",
        description="The leader or officer who gathers the answer. Start typing a name.",
    )
    due_on = GovDateField(
        "Due date",
        validators=[InputRequired(message="Enter the date the request is due.")],
        description="For example, 4 3 2026.",
    )
    due_time = StringField(
        "Due time",
        widget=GovTextInput(),
        description="UK time, for example 14:30 or 9am.",
        validators=[InputRequired(message="Enter the time the request is due, like 14:30."), _time_shape],
    )
    names_child = BooleanField(
        "This request names a child",
        widget=GovCheckboxInput(),
        description="For example, a child chosen for case tracking. The request is then seen only "
        "by leaders and its owner, like restricted evidence, and left out of exports "
        "unless a leader includes it.",
    )
    submit = SubmitField("Save the request", widget=GovSubmitInput())

    def due_at(self) -> datetime | None:
        moment = read_time(self.due_time.data)
        if self.due_on.data is None or moment is None:
            return None
        return datetime.combine(self.due_on.data, moment, tzinfo=LONDON)


class RespondForm(FlaskForm):
    version = HiddenField()
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=enum_choices(RequestStatus),
        validators=[InputRequired(message="Choose the request's status.")],
    )
    response = TextAreaField(
        "Response note",
        widget=GovTextArea(),
        description="What was sent, where it is, or why nothing was. No child's name.",
        validators=[
            Length(
                max=RESPONSE_LIMIT, message=f"The response note must be {RESPONSE_LIMIT} characters or fewer."
            )
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class AttachForm(FlaskForm):
    # the service checks each choice (archived, restricted, gone) and says which,
    # so the field does not refuse it first
    evidence_ids = SelectMultipleField(
        "Evidence to attach", widget=GovCheckboxesInput(), validators=[Optional()], validate_choice=False
    )
    submit = SubmitField("Attach", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title for the file."),
            Length(max=200, message="The title must be 200 characters or fewer."),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="The description must be 5000 characters or fewer.")],
    )
    file = FileField(
        "File",
        widget=GovFileInput(),
        validators=[InputRequired(message="Choose the file to upload.")],
        description="PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG.",
    )
    about_date = GovDateField(
        "Date the file is about",
        validators=[InputRequired(message="Enter the date the file is about.")],
        description="For example, the date of the figures or the meeting.",
    )
    sensitivity = RadioField(
        "Sensitivity",
        widget=GovRadioInput(),
        choices=SENSITIVITY_CHOICES,
        validators=[InputRequired(message="Select how sensitive the file is.")],
    )
    submit = SubmitField("Upload and attach", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A single button: close a period, take evidence off a request."""
