"""Forms of the improvement plan. Shape only: the services check the rules that need the database."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.forms import GovDateField, LongSelect, Picker, enum_choices, id_in, offered
from tracker.plan.models import (
    ActionStatus,
    FindingKind,
    InspectionOutcome,
    InspectionType,
    Partner,
    Priority,
)
from tracker.plan.queries import SORTS, ActionFilters
from tracker.plan.rag import Rag


def required(message: str) -> DataRequired:
    """Required, and not just spaces: a title of three spaces is no title."""
    return DataRequired(message=message)


class ThemeForm(FlaskForm):
    name = StringField(
        "Theme",
        widget=GovTextInput(),
        validators=[
            required("Enter the theme's name."),
            Length(max=120, message="The theme must be 120 characters or fewer."),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="The description must be 2000 characters or fewer.")],
    )
    submit = SubmitField("Save theme", widget=GovSubmitInput())


class InspectionForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example, Area SEND inspection of Coventry, October 2025.",
        validators=[
            required("Enter a title for the inspection."),
            Length(max=200, message="The title must be 200 characters or fewer."),
        ],
    )
    local_area = StringField(
        "Local area",
        widget=GovTextInput(),
        validators=[
            required("Enter the local area."),
            Length(max=120, message="The local area must be 120 characters or fewer."),
        ],
    )
    inspectorates = StringField(
        "Inspectorates",
        widget=GovTextInput(),
        description="For example, Ofsted and CQC.",
        validators=[
            required("Enter who inspected."),
            Length(max=120, message="Inspectorates must be 120 characters or fewer."),
        ],
    )
    type = RadioField(
        "Type",
        widget=GovRadioInput(),
        choices=enum_choices(InspectionType),
        validators=[required("Select the type of inspection.")],
    )
    start_date = GovDateField("First day (optional)", validators=[Optional()])
    end_date = GovDateField("Last day (optional)", validators=[Optional()])
    published_on = GovDateField("Report published (optional)", validators=[Optional()])
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=enum_choices(InspectionOutcome, blank="Not reported yet"),
        description="The outcome the report states. A self-evaluation has none.",
        validators=[Optional()],
    )
    report_summary = TextAreaField(
        "The report's summary (optional)",
        widget=GovTextArea(),
        description="The report's summary or the outcome in its own words.",
        validators=[Length(max=5000, message="The summary must be 5000 characters or fewer.")],
    )
    plan_due_on = GovDateField(
        "Plan due (optional)",
        validators=[Optional()],
        message="Enter a real date for the plan, like 27 2 2026.",
        description=(
            "The day the plan the outcome asks for is due, if your report or its covering letter gives "
            "one. It replaces the date worked out from the outcome."
        ),
    )
    report_reference = StringField(
        "Report reference (optional)",
        widget=GovTextInput(),
        description="Where the report can be found.",
        validators=[Length(max=500, message="The reference must be 500 characters or fewer.")],
    )
    submit = SubmitField("Save inspection", widget=GovSubmitInput())


class FindingForm(FlaskForm):
    version = HiddenField()
    inspection_id = SelectField(
        "Inspection", widget=GovSelect(), validators=[required("Select the inspection.")]
    )
    kind = RadioField(
        "Kind",
        widget=GovRadioInput(),
        choices=enum_choices(FindingKind),
        validators=[required("Select the kind of finding.")],
    )
    theme_id = SelectField("Theme", widget=GovSelect(), validators=[required("Select a theme.")])
    reference = StringField(
        "Reference",
        widget=GovTextInput(),
        description="The report's paragraph or your own reference, like AFI1 or paragraph 14.",
        validators=[
            required("Enter a reference for the finding."),
            Length(max=40, message="The reference must be 40 characters or fewer."),
        ],
    )
    title = StringField(
        "Short title",
        widget=GovTextInput(),
        validators=[
            required("Enter a short title."),
            Length(max=200, message="The title must be 200 characters or fewer."),
        ],
    )
    wording = TextAreaField(
        "The report's wording",
        widget=GovTextArea(),
        description="Copy the report's own words.",
        validators=[
            required("Enter the report's wording."),
            Length(max=10000, message="The wording must be 10000 characters or fewer."),
        ],
    )
    accountable_partner = RadioField(
        "Accountable partner",
        widget=GovRadioInput(),
        choices=enum_choices(Partner),
        validators=[required("Select the accountable partner.")],
    )
    lead_id = Picker(
        "Lead (optional)",
        message="Choose the lead from the list, or no lead.",
        description="Start typing a name.",
        required=False,
    )
    submit = SubmitField("Save finding", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    version = HiddenField()
    reference = StringField(
        "Reference",
        widget=GovTextInput(),
        description="Unique in the plan, like A12.",
        validators=[
            required("Enter a reference for the action."),
            Length(max=40, message="The reference must be 40 characters or fewer."),
        ],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            required("Enter a title for the action."),
            Length(max=200, message="The title must be 200 characters or fewer."),
        ],
    )
    description = TextAreaField(
        "What will be done (optional)",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="The description must be 10000 characters or fewer.")],
    )
    intended_outcome = TextAreaField(
        "Intended outcome",
        widget=GovTextArea(),
        description="What will be different, and how we will know.",
        validators=[
            required("Say what will be different and how you will know."),
            Length(max=10000, message="The outcome must be 10000 characters or fewer."),
        ],
    )
    # lists of checkboxes take no Optional(): it would skip the check that each value sent is one offered
    finding_ids = SelectMultipleField(
        "Findings this action answers",
        widget=GovCheckboxesInput(),
        validators=[required("Choose at least one finding that this action answers.")],
        invalid_choice_message="Choose findings from the list.",
    )
    measure_ids = SelectMultipleField(
        "Measures that will show impact (optional)",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose measures from the list.",
    )
    owner_id = Picker(
        "Owner", description="Start typing a name.", message="Choose the action's owner from the list."
    )
    contributor_ids = SelectMultipleField(
        "Contributors (optional)",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose contributors from the list.",
    )
    partner = RadioField(
        "Partner",
        widget=GovRadioInput(),
        choices=enum_choices(Partner),
        validators=[required("Select the partner.")],
    )
    priority = RadioField(
        "Priority",
        widget=GovRadioInput(),
        choices=enum_choices(Priority),
        validators=[required("Select a priority.")],
    )
    start_date = GovDateField("Start date (optional)", validators=[Optional()])
    due_date = GovDateField(
        "Due date",
        validators=[InputRequired(message="Enter the due date.")],
        message="Enter a real due date, like 31 3 2027.",
    )
    due_date_reason = TextAreaField(
        "Reason for changing the due date",
        widget=GovTextArea(),
        description=(
            "Needed only when you change the due date. The original date and every change stay on the action."
        ),
        validators=[Length(max=2000, message="The reason must be 2000 characters or fewer.")],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=enum_choices(ActionStatus),
        validators=[required("Select a status.")],
    )
    percent_complete = IntegerField(
        "Percent complete",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the percent complete, from 0 to 100."),
            NumberRange(min=0, max=100, message="Percent complete must be from 0 to 100."),
        ],
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ProgressUpdateForm(FlaskForm):
    written_on = GovDateField(
        "Date of the update", validators=[InputRequired(message="Enter the date of the update.")]
    )
    body = TextAreaField(
        "What happened",
        widget=GovCharacterCount(),
        description="Progress since the last update, and anything blocking it.",
        validators=[
            required("Say what happened since the last update."),
            Length(max=5000, message="The update must be 5000 characters or fewer."),
        ],
    )
    percent_complete = IntegerField(
        "Percent complete",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the percent complete, from 0 to 100."),
            NumberRange(min=0, max=100, message="Percent complete must be from 0 to 100."),
        ],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=enum_choices(ActionStatus),
        validators=[required("Select a status.")],
    )
    rag_note = TextAreaField(
        "Note on the RAG status (optional)",
        widget=GovTextArea(),
        description="For example, why the action is behind and what will bring it back.",
        validators=[Length(max=2000, message="The note must be 2000 characters or fewer.")],
    )
    submit = SubmitField("Add update", widget=GovSubmitInput())


class RagOverrideForm(FlaskForm):
    rag = RadioField(
        "RAG status",
        widget=GovRadioInput(),
        choices=enum_choices(Rag, blank="Use the computed status"),
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason for the override",
        widget=GovTextArea(),
        description="Shown beside the status wherever the status is shown.",
        validators=[Length(max=2000, message="The reason must be 2000 characters or fewer.")],
    )
    submit = SubmitField("Save RAG status", widget=GovSubmitInput())


class RedactForm(FlaskForm):
    reason = TextAreaField(
        "Why is this text being redacted?",
        widget=GovTextArea(),
        description="Shown in its place to everyone who reads the history. Do not repeat the text.",
        validators=[
            required("Say why this text is being redacted."),
            Length(max=500, message="The reason must be 500 characters or fewer."),
        ],
    )
    submit = SubmitField("Redact this text", widget=GovSubmitInput())


class ArchiveForm(FlaskForm):
    """A single button: archive or restore."""


class ActionFilterForm(FlaskForm):
    """Read from the query string, so a filtered list can be bookmarked and shared."""

    class Meta:
        csrf = False

    text = StringField("Search", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    theme = SelectField("Theme", widget=GovSelect(), validators=[Optional()])
    finding = SelectField("Finding", widget=LongSelect(), validators=[Optional()])
    owner = StringField(
        "Owner",
        widget=GovTextInput(),
        description="Part of their name or email address",
        validators=[Optional(), Length(max=254)],
    )
    partner = SelectField(
        "Partner",
        widget=GovSelect(),
        choices=enum_choices(Partner, blank="Any partner"),
        validators=[Optional()],
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=enum_choices(ActionStatus, blank="Any status"),
        validators=[Optional()],
    )
    rag = SelectField(
        "RAG", widget=GovSelect(), choices=enum_choices(Rag, blank="Any RAG"), validators=[Optional()]
    )
    only = SelectMultipleField(
        "Show only",
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        choices=[
            SelectChoice("overdue", "Overdue actions"),
            SelectChoice("stale", "Stale actions (no recent update)"),
        ],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


def read_action_filters(args) -> tuple["ActionFilterForm", ActionFilters]:
    """The actions list's filters from an address: the one reading for the /actions page, its CSV and any
    other list of actions. Values the form does not offer are ignored, never errors."""
    form = ActionFilterForm(args, meta={"csrf": False})
    sort = args.get("sort", "due")
    return form, ActionFilters(
        theme_id=id_in(args, "theme"),
        finding_id=id_in(args, "finding"),
        owner=(form.owner.data or "")[:254],
        partner=offered(Partner, form.partner.data),
        status=offered(ActionStatus, form.status.data),
        rag=offered(Rag, form.rag.data),
        overdue="overdue" in (form.only.data or []),
        stale="stale" in (form.only.data or []),
        text=(form.text.data or "")[:200],
        archived=args.get("archived") == "1",
        sort=sort if sort in SORTS else "due",
        descending=args.get("order") == "desc",
        page=id_in(args, "page") or 1,
    )
