"""The exports' forms: the exports page, the self-evaluation's and the information requests'. A list's filters
are read by the list's own reader (plan.forms.read_action_filters, evidence.forms.read_evidence_filters)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput
from wtforms import BooleanField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Optional

from tracker.exports.formats import FORMATS, SUMMARY_FORMATS
from tracker.exports.services import DETAILS, ExportRequest
from tracker.forms import GovDateField, filled

WHAT_CHOICES = [
    *(SelectChoice(key, f"Progress summary as {FORMATS[key].name}") for key in SUMMARY_FORMATS),
    SelectChoice(
        "zip",
        "Evidence pack: a ZIP file of the evidence documents by finding, with an index and the PDF summary",
    ),
]

DETAIL_CHOICES = [
    SelectChoice("summary", "Summary: the story first, green actions one line each"),
    SelectChoice("everything", "Everything: every action, measure and evidence item in full"),
]
EVIDENCE_CHOICES = [
    SelectChoice("accepted", "Accepted evidence only (for inspectors)"),
    SelectChoice("all", "All evidence, whatever its status"),
]


class ExportForm(FlaskForm):
    what = RadioField(
        "What do you want to export?",
        widget=GovRadioInput(),
        choices=WHAT_CHOICES,
        validators=[InputRequired(message="Choose what to export.")],
    )
    as_at = GovDateField(
        "As at",
        validators=[InputRequired(message="Enter the date the export should show the plan as at.")],
        message="The as-at date must be a real date, like 31 3 2026.",
        description="The plan as it stood at the end of this day: today or earlier. For example, 31 3 2026.",
    )
    inspection = SelectField("Inspection (optional)", widget=GovSelect(), validators=[Optional()])
    # a radio left out of what was sent keeps its default, as a browser always sends the checked one
    detail = RadioField(
        "How much detail",
        widget=GovRadioInput(),
        choices=DETAIL_CHOICES,
        default="summary",
        validate_choice=False,
        validators=[AnyOf(DETAILS, message="Choose how much detail: summary or everything.")],
    )
    # no Optional(): it looks only at the day, so "", "3", "2026" would pass as no date; the field itself
    # reads all three blank as none and any part typed as a date to check
    compare_with = GovDateField(
        "Compare with (optional)",
        message="The date to compare with must be a real date, like 31 1 2026.",
        description="Show what changed since this date. Leave blank to compare with the last "
        "readiness snapshot. For example, 31 1 2026.",
    )
    evidence = RadioField(
        "Which evidence goes in the evidence pack",
        widget=GovRadioInput(),
        choices=EVIDENCE_CHOICES,
        default="accepted",
        validate_choice=False,
        validators=[AnyOf(["accepted", "all"], message="Choose which evidence goes in the evidence pack.")],
        description="For the evidence pack only. Evidence waiting for review or returned with comment "
        "is left out unless you choose all evidence.",
    )
    include_restricted = BooleanField(
        "Include restricted evidence",
        widget=GovCheckboxInput(),
        description="Restricted evidence holds personal data about a child or family. "
        "Including it is recorded in the audit log.",
    )
    submit = SubmitField("Export", widget=GovSubmitInput())

    def export_request(self) -> ExportRequest:
        """What the filled-in form asks for; accepted evidence only is a choice for the pack alone."""
        return ExportRequest(
            filled(self.as_at.data),
            int(self.inspection.data) if self.inspection.data else None,
            bool(self.include_restricted.data),
            detail=self.detail.data,
            compare_with=self.compare_with.data,
            accepted_only=self.what.data == "zip" and self.evidence.data != "all",
        )


class SefExportForm(FlaskForm):
    """The self-evaluation's export: Word or PDF, as at a date, with restricted evidence
    only if a leader includes it."""

    what = RadioField(
        "Format",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose Word or PDF.")],
        choices=[SelectChoice("docx", "Word document (editable)"), SelectChoice("pdf", "PDF")],
    )
    as_at = GovDateField(
        "As at",
        validators=[InputRequired(message="Enter the date the self-evaluation should be shown as at.")],
        message="The as-at date must be a real date, like 31 3 2026.",
        description="Each statement as it stood at the end of this day, with its sign-off and flags "
        "as they were then: today or earlier. For example, 31 3 2026.",
    )
    include_restricted = BooleanField(
        "Include restricted evidence",
        widget=GovCheckboxInput(),
        description="Restricted evidence holds personal data about a child or family. "
        "Including it is recorded in the audit log.",
    )
    submit = SubmitField("Export", widget=GovSubmitInput())


class RequestsExportForm(FlaskForm):
    """The information requests' ZIP: which inspection period,
    and whether a leader includes what names a child."""

    period = SelectField(
        "Inspection period",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the inspection period.")],
    )
    include_restricted = BooleanField(
        "Include requests that name a child, and restricted evidence",
        widget=GovCheckboxInput(),
        description="They hold personal data about a child or family. Including them is "
        "recorded in the audit log.",
    )
    submit = SubmitField("Export", widget=GovSubmitInput())
