"""Forms for measures and readings. Shape only: the services check the rules that need the database."""

import math

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    FieldList,
    FloatField,
    Form,
    FormField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms import Entered, GovDateField, Picker, enum_choices
from tracker.measures.models import Direction, Frequency
from tracker.measures.services import MAX_MILESTONES, MAX_NOTE
from tracker.templating import format_number

UNIT_CHOICES = [
    SelectChoice("weeks", "Weeks"),
    SelectChoice("days", "Days"),
    SelectChoice("%", "Percentage (%)"),
    SelectChoice("count", "Count (a number of children, plans or replies)"),
]


def required(message: str) -> Entered:
    """Something entered: for numbers, dates and choices."""
    return Entered(message=message)


def written(message: str) -> DataRequired:
    """Words entered, not just spaces."""
    return DataRequired(message=message)


class NumberField(FloatField):
    """A number typed as text, like 40 or 12.5, with the sentence to show when it is not one."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, message="Enter a number, like 40 or 12.5.", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.message)
        if not math.isfinite(self.data):
            self.data = None
            raise ValueError(self.message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data) if self.data is not None else ""


class MilestoneForm(Form):
    """One row of milestones; a row left empty is no milestone."""

    due_on = GovDateField(
        "Date", validators=[Optional()], message="Enter a real date for the milestone, like 31 3 2027."
    )
    value = NumberField("Value", validators=[Optional()])
    label = StringField(
        "Label (optional)",
        widget=GovTextInput(),
        validators=[Length(max=200, message="The label must be 200 characters or fewer.")],
    )

    @property
    def is_blank(self) -> bool:
        return (
            self.due_on.data is None
            and self.value.data is None
            and not (self.label.data or "").strip()
            and not any(part.strip() for part in (self.due_on.raw_data or []))
            and not (self.value.raw_data or [""])[0].strip()
        )


class MeasureForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="What is counted, like Longest wait for an autism assessment.",
        validators=[
            written("Enter the measure's name."),
            Length(max=200, message="The name must be 200 characters or fewer."),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="How it is counted, so that the next person counts it the same way.",
        validators=[Length(max=5000, message="The description must be 5000 characters or fewer.")],
    )
    unit = RadioField(
        "Unit",
        widget=GovRadioInput(),
        choices=UNIT_CHOICES,
        validators=[required("Choose the unit the measure is counted in.")],
    )
    direction = RadioField(
        "Which way is better",
        widget=GovRadioInput(),
        choices=enum_choices(Direction),
        validators=[required("Choose whether lower or higher is better.")],
    )
    baseline_value = NumberField(
        "Baseline value (optional)",
        validators=[Optional()],
        description="Where the measure started, before the actions.",
        message="Enter the baseline as a number, like 56 or 12.5.",
    )
    baseline_date = GovDateField(
        "Date of the baseline (optional)",
        validators=[Optional()],
        message="Enter a real date for the baseline, like 31 10 2025.",
    )
    target_value = NumberField(
        "Target value",
        validators=[required("Enter the target value.")],
        message="Enter the target as a number, like 18 or 90.",
    )
    target_date = GovDateField(
        "Target date (optional)",
        validators=[Optional()],
        message="Enter a real target date, like 31 3 2027.",
        description=(
            "With a baseline date, the measure is judged against the straight path from baseline to target."
        ),
    )
    milestones = FieldList(FormField(MilestoneForm), min_entries=MAX_MILESTONES, max_entries=MAX_MILESTONES)
    frequency = RadioField(
        "How often it is reported",
        widget=GovRadioInput(),
        choices=enum_choices(Frequency),
        validators=[required("Choose how often the measure is reported.")],
    )
    source = StringField(
        "Source (optional)",
        widget=GovTextInput(),
        description="Where the figures come from, like the SEND casework system.",
        validators=[Length(max=200, message="The source must be 200 characters or fewer.")],
    )
    # the services say which choice is wrong, in words, when a page was opened before a list changed
    owner_id = Picker(
        "Owner",
        description="The leader or officer who adds its readings. Start typing a name.",
        message="Choose the measure's owner from the list.",
        validate_choice=False,
    )
    finding_ids = SelectMultipleField(
        "Findings it evidences (optional)",
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        validate_choice=False,
    )
    submit = SubmitField("Save measure", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for number, row in enumerate(self.milestones, start=1):
            stone = row.form
            if stone.is_blank or stone.due_on.errors or stone.value.errors:
                continue
            if stone.due_on.data is None:
                stone.due_on.errors.append(f"Enter the date of milestone {number}.")
            if stone.value.data is None:
                stone.value.errors.append(f"Enter the value of milestone {number}.")
        self.milestones.errors = (
            [row.errors for row in self.milestones] if any(row.errors for row in self.milestones) else []
        )
        return valid and not self.milestones.errors


class ReadingForm(FlaskForm):
    period_end = GovDateField(
        "Last day of the period",
        validators=[required("Enter the last day of the period the reading covers.")],
        description="For a quarter to September, 30 9 2026.",
        message="Enter a real date, like 30 9 2026.",
    )
    value = NumberField("Value", validators=[required("Enter the value, like 40 or 12.5.")])
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        description="Anything a reader needs to read the figure right.",
        validators=[Length(max=MAX_NOTE, message=f"The note must be {MAX_NOTE} characters or fewer.")],
    )
    evidence_id = Picker(
        "Evidence (optional)",
        description="The report or extract the figure comes from. Start typing its title.",
        message="Choose evidence from the list, or no evidence.",
        required=False,
        validate_choice=False,
    )
    submit = SubmitField("Add reading", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    value = NumberField("Value", validators=[required("Enter the corrected value, like 40 or 12.5.")])
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        validators=[Length(max=MAX_NOTE, message=f"The note must be {MAX_NOTE} characters or fewer.")],
    )
    reason = TextAreaField(
        "Reason for the correction",
        widget=GovTextArea(),
        description="Shown on the measure's page beside the earlier value.",
        validators=[
            written("Give a reason for correcting the reading."),
            Length(max=2000, message="The reason must be 2000 characters or fewer."),
        ],
    )
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        widget=GovFileInput(),
        description="Columns period_end, value and note (optional), with their names on the first row.",
        validators=[required("Choose a CSV file of readings to import.")],
    )
    submit = SubmitField("Import readings", widget=GovSubmitInput())
