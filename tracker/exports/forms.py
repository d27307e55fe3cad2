"""The exports page's form, and the filters of each list read from the query string as the list's own page reads them."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Optional

from tracker.evidence.forms import EvidenceFilterForm
from tracker.evidence.models import EvidenceKind, EvidenceStatus, Sensitivity
from tracker.evidence.services import EvidenceFilters
from tracker.exports.formats import FORMATS, SUMMARY_FORMATS
from tracker.exports.services import DETAILS, ExportRequest
from tracker.forms import GovDateField
from tracker.plan.forms import ActionFilterForm
from tracker.plan.models import ActionStatus, Partner
from tracker.plan.rag import Rag
from tracker.plan.queries import SORTS, ActionFilters

WHAT_CHOICES = [
    *(SelectChoice(key, f"Progress summary as {FORMATS[key].name}") for key in SUMMARY_FORMATS),
    SelectChoice("zip", "Evidence pack: a ZIP file of the evidence documents by finding, with an index and the PDF summary"),
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
    what = RadioField("What do you want to export?", widget=GovRadioInput(), choices=WHAT_CHOICES,
                      validators=[InputRequired(message="Choose what to export.")])
    as_at = GovDateField("As at", validators=[InputRequired(message="Enter the date the export should show the plan as at.")],
                         message="The as-at date must be a real date, like 31 3 2026.",
                         description="The plan as it stood at the end of this day: today or earlier. For example, 31 3 2026.")
    inspection = SelectField("Inspection (optional)", widget=GovSelect(), validators=[Optional()])
    # a radio left out of what was sent keeps its default, as a browser always sends the checked one
    detail = RadioField("How much detail", widget=GovRadioInput(), choices=DETAIL_CHOICES, default="summary", validate_choice=False,
                        validators=[AnyOf(DETAILS, message="Choose how much detail: summary or everything.")])
    # no Optional(): it looks only at the day, so "", "3", "2026" would pass as no date; the field itself reads
    # all three blank as none and any part typed as a date to check
    compare_with = GovDateField("Compare with (optional)",
                                message="The date to compare with must be a real date, like 31 1 2026.",
                                description="Show what changed since this date. Leave blank to compare with the last "
                                            "readiness snapshot. For example, 31 1 2026.")
    evidence = RadioField("Which evidence goes in the evidence pack", widget=GovRadioInput(), choices=EVIDENCE_CHOICES,
                          default="accepted", validate_choice=False,
                          validators=[AnyOf(["accepted", "all"], message="Choose which evidence goes in the evidence pack.")],
                          description="For the evidence pack only. Evidence waiting for review or returned with comment "
                                      "is left out unless you choose all evidence.")
    include_restricted = BooleanField("Include restricted evidence", widget=GovCheckboxInput(),
                                      description="Restricted evidence holds personal data about a child or family. "
                                                  "Including it is recorded in the audit log.")
    submit = SubmitField("Export", widget=GovSubmitInput())

    def export_request(self) -> ExportRequest:
        """What the filled-in form asks for; accepted evidence only is a choice for the pack alone."""
        return ExportRequest(self.as_at.data, int(self.inspection.data) if self.inspection.data else None,
                             bool(self.include_restricted.data), detail=self.detail.data, compare_with=self.compare_with.data,
                             accepted_only=self.what.data == "zip" and self.evidence.data != "all")


def _int(args: MultiDict, name: str) -> int | None:
    value = args.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 10 else None


def _pick(enum_class, value):
    return enum_class(value) if value in {member.value for member in enum_class} else None


def action_filters(args: MultiDict) -> ActionFilters:
    """The same reading as the /actions page: values that are not offered are ignored, not errors."""
    form = ActionFilterForm(args, meta={"csrf": False})
    sort = args.get("sort", "due")
    return ActionFilters(
        theme_id=_int(args, "theme"), finding_id=_int(args, "finding"), owner=(form.owner.data or "")[:254],
        partner=_pick(Partner, form.partner.data), status=_pick(ActionStatus, form.status.data), rag=_pick(Rag, form.rag.data),
        overdue="overdue" in (form.only.data or []), stale="stale" in (form.only.data or []),
        text=(form.text.data or "")[:200], archived=args.get("archived") == "1",
        sort=sort if sort in SORTS else "due", descending=args.get("order") == "desc",
    )


def evidence_filters(args: MultiDict) -> EvidenceFilters:
    """The same reading as the /evidence page: a date that is not a real date is ignored."""
    form = EvidenceFilterForm(args, meta={"csrf": False})
    dates = {}
    for name in ("about_from", "about_to"):
        field = getattr(form, name)
        dates[name] = field.data if field.validate(form) else None
    return EvidenceFilters(
        status=_pick(EvidenceStatus, form.status.data), kind=_pick(EvidenceKind, form.kind.data),
        sensitivity=_pick(Sensitivity, form.sensitivity.data), finding_id=_int(args, "finding"),
        action_reference=(form.action.data or "")[:40],
        added_by=(form.added_by.data or "")[:254], text=(form.text.data or "")[:200], expired=args.get("expired") == "1", **dates,
    )


class SefExportForm(FlaskForm):
    """The self-evaluation's export: Word or PDF, as at a date, with restricted evidence only if a leader includes it."""

    what = RadioField("Format", widget=GovRadioInput(), validators=[InputRequired(message="Choose Word or PDF.")],
                      choices=[SelectChoice("docx", "Word document (editable)"), SelectChoice("pdf", "PDF")])
    as_at = GovDateField("As at", validators=[InputRequired(message="Enter the date the self-evaluation should be shown as at.")],
                         message="The as-at date must be a real date, like 31 3 2026.",
                         description="Each statement as it stood at the end of this day, with its sign-off and flags "
                                     "as they were then: today or earlier. For example, 31 3 2026.")
    include_restricted = BooleanField("Include restricted evidence", widget=GovCheckboxInput(),
                                      description="Restricted evidence holds personal data about a child or family. "
                                                  "Including it is recorded in the audit log.")
    submit = SubmitField("Export", widget=GovSubmitInput())


class RequestsExportForm(FlaskForm):
    """The information requests' ZIP: which inspection period, and whether a leader includes what names a child."""

    period = SelectField("Inspection period", widget=GovSelect(), validators=[InputRequired(message="Choose the inspection period.")])
    include_restricted = BooleanField("Include requests that name a child, and restricted evidence", widget=GovCheckboxInput(),
                                      description="They hold personal data about a child or family. Including them is "
                                                  "recorded in the audit log.")
    submit = SubmitField("Export", widget=GovSubmitInput())
