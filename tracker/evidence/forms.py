"""Evidence forms. Shape only: the services check the rules that need the database or the file."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.evidence.models import EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import EvidenceFilters
from tracker.forms import GovDateField, LongSelect, enum_choices, id_in, offered

SENSITIVITY_CHOICES = [
    SelectChoice("public", "Public: can be published, for example on the local offer"),
    SelectChoice("internal", "Internal: for the partnership, not for publication"),
    SelectChoice("restricted", "Restricted: contains personal data about a child or family"),
]


class EvidenceForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter a title for the evidence."),
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
        description="PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG.",
    )
    url = StringField(
        "Link",
        widget=GovTextInput(),
        description="Starts with https:// or http://.",
        validators=[Length(max=2000, message="The link must be 2000 characters or fewer.")],
    )
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="The note must be 10000 characters or fewer.")],
    )
    about_date = GovDateField(
        "Date the evidence is about",
        validators=[InputRequired(message="Enter the date the evidence is about.")],
        description=(
            "For example, the date of the meeting, the survey or the figures. Not the date you upload it."
        ),
    )
    review_by = GovDateField(
        "Review by (optional)",
        validators=[Optional()],
        description="After this date the evidence no longer counts as current.",
    )
    sensitivity = RadioField(
        "Sensitivity",
        widget=GovRadioInput(),
        choices=SENSITIVITY_CHOICES,
        validators=[InputRequired(message="Select how sensitive the evidence is.")],
    )
    source = StringField(
        "Source (optional)",
        widget=GovTextInput(),
        description="Where it comes from, for example the SEND casework system.",
        validators=[Length(max=200, message="The source must be 200 characters or fewer.")],
    )
    # no Optional(): it would skip the check that each value sent is one offered
    finding_ids = SelectMultipleField(
        "Findings it supports",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose findings from the list.",
    )
    action_ids = SelectMultipleField(
        "Actions it supports",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose actions from the list.",
    )
    submit = SubmitField("Save evidence", widget=GovSubmitInput())


class VersionForm(FlaskForm):
    file = FileField(
        "New version",
        widget=GovFileInput(),
        validators=[InputRequired(message="Choose the file of the new version.")],
    )
    submit = SubmitField("Upload new version", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("accept", "Accept: it shows what it claims"),
            SelectChoice("return", "Return it to the uploader with a comment"),
        ],
        validators=[InputRequired(message="Choose whether to accept or return the evidence.")],
    )
    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        description="Needed when you return it: say what needs to change.",
        validators=[Length(max=2000, message="The comment must be 2000 characters or fewer.")],
    )
    submit = SubmitField("Save review", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A single button: resubmit, archive or restore."""


class EvidenceFilterForm(FlaskForm):
    """Read from the query string, so a filtered list can be bookmarked and shared."""

    class Meta:
        csrf = False

    text = StringField("Search", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=enum_choices(EvidenceStatus, blank="Any status"),
        validators=[Optional()],
    )
    kind = SelectField(
        "Kind",
        widget=GovSelect(),
        choices=enum_choices(EvidenceKind, blank="Any kind"),
        validators=[Optional()],
    )
    sensitivity = SelectField(
        "Sensitivity",
        widget=GovSelect(),
        choices=enum_choices(Sensitivity, blank="Any sensitivity"),
        validators=[Optional()],
    )
    finding = SelectField("Finding", widget=LongSelect(), validators=[Optional()])
    action = StringField(
        "Action reference",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
        description="For example, A12",
    )
    added_by = StringField(
        "Added by",
        widget=GovTextInput(),
        description="Part of their name or email address",
        validators=[Optional(), Length(max=254)],
    )
    about_from = GovDateField("About, from", validators=[Optional()])
    about_to = GovDateField("About, to", validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


def read_evidence_filters(
    args, uploader_id: int | None = None
) -> tuple["EvidenceFilterForm", EvidenceFilters]:
    """The evidence list's filters from an address: the one reading for /evidence, My evidence and their CSV.
    Values the form does not offer, and a date that is not a real date, are ignored, never errors."""
    form = EvidenceFilterForm(args, meta={"csrf": False})
    about_from, about_to = (
        field.data if field.validate(form) else None for field in (form.about_from, form.about_to)
    )
    return form, EvidenceFilters(
        status=offered(EvidenceStatus, form.status.data),
        kind=offered(EvidenceKind, form.kind.data),
        sensitivity=offered(Sensitivity, form.sensitivity.data),
        finding_id=id_in(args, "finding"),
        action_reference=(form.action.data or "")[:40],
        uploader_id=uploader_id,
        added_by=(form.added_by.data or "")[:254],
        about_from=about_from,
        about_to=about_to,
        text=(form.text.data or "")[:200],
        expired=args.get("expired") == "1",
        page=id_in(args, "page") or 1,
    )
