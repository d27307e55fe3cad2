"""Survey forms. Shape only: the services check the rules that need the database."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from tracker.forms import GovDateField, enum_choices
from tracker.surveys.models import Audience

STATUS_CHOICES = [
    SelectChoice("draft", "Draft: only people on the plan see it"),
    SelectChoice("published", "Published: on the page for families and in the Word document"),
]


class SurveyForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example, SPOT service survey, May 2026.",
        validators=[
            InputRequired(message="Enter a title for the survey."),
            Length(max=200, message="The title must be 200 characters or fewer."),
        ],
    )
    service = StringField(
        "Service",
        widget=GovTextInput(),
        description="The service the survey asked about.",
        validators=[
            InputRequired(message="Enter the service the survey asked about."),
            Length(max=200, message="The service must be 200 characters or fewer."),
        ],
    )
    teams = TextAreaField(
        "Teams (optional)",
        widget=GovTextArea(),
        description="The teams within the service, as families know them.",
        validators=[Length(max=2000, message="The teams must be 2000 characters or fewer.")],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="What the survey asked and why.",
        validators=[Length(max=5000, message="The description must be 5000 characters or fewer.")],
    )
    audiences = SelectMultipleField(
        "Who the survey asked",
        widget=GovCheckboxesInput(),
        choices=enum_choices(Audience),
        validators=[InputRequired(message="Select at least one group the survey asked.")],
    )
    opened_on = GovDateField(
        "Opened (optional)", validators=[Optional()], description="For example, 1 5 2026."
    )
    closed_on = GovDateField(
        "Closed (optional)", validators=[Optional()], message="Enter a real closing date, like 31 5 2026."
    )
    # lists of checkboxes take no Optional(): it would skip the check that each value sent is one offered
    finding_ids = SelectMultipleField(
        "Findings it is evidence for (optional)",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose findings from the list.",
    )
    submit = SubmitField("Save survey", widget=GovSubmitInput())


class TagCommentForm(FlaskForm):
    theme_ids = SelectMultipleField(
        "Themes it speaks to",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose themes from the list.",
    )
    finding_ids = SelectMultipleField(
        "Findings it speaks to",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose findings from the list.",
    )
    submit = SubmitField("Save tags", widget=GovSubmitInput())


class RestrictCommentForm(FlaskForm):
    """A single button: mark a comment restricted, or lift the mark (a hidden
    `restricted` of 1 or 0 says which)."""


class ResponseForm(FlaskForm):
    you_said = TextAreaField(
        "You said",
        widget=GovTextArea(),
        description="What people told us, in words families will recognise.",
        validators=[
            InputRequired(message="Say what people told us."),
            Length(max=5000, message="What people said must be 5000 characters or fewer."),
        ],
    )
    comment_ids = SelectMultipleField(
        "Comments it answers (optional)",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose comments from this survey's list.",
    )
    we_did = TextAreaField(
        "We did",
        widget=GovTextArea(),
        description="What we did, or will do, in response.",
        validators=[
            InputRequired(message="Say what we did, or will do, in response."),
            Length(max=5000, message="What we did must be 5000 characters or fewer."),
        ],
    )
    action_ids = SelectMultipleField(
        "Actions that deliver it (optional)",
        widget=GovCheckboxesInput(),
        description="Families see how far these actions have got, never who owns them.",
        invalid_choice_message="Choose actions from the list.",
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=STATUS_CHOICES,
        validators=[InputRequired(message="Select draft or published.")],
    )
    submit = SubmitField("Save response", widget=GovSubmitInput())


class SummaryFilterForm(FlaskForm):
    """Read from the query string, so a filtered summary can be bookmarked and shared."""

    class Meta:
        csrf = False

    group = SelectField("Group", widget=GovSelect(), validators=[Optional()])
    team = SelectField("Team", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class CommentFilterForm(FlaskForm):
    """Read from the query string."""

    class Meta:
        csrf = False

    group = SelectField("Group", widget=GovSelect(), validators=[Optional()])
    finding = SelectField(
        "Finding",
        description="Findings these comments are tagged with.",
        widget=GovSelect(),
        validators=[Optional()],
    )
    theme = SelectField("Theme", widget=GovSelect(), validators=[Optional()])
    tags = SelectField(
        "Tags",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[SelectChoice("", "Any comment"), SelectChoice("untagged", "Not tagged yet")],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
