"""The self-evaluation's forms: a statement's three parts and its citations, and the sign-off button."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

LIMIT = 20000
_number = Regexp(
    r"^\d{1,9}$", message="The form was out of date. Open the statement again and make your change."
)


def _part(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint,
        validators=[Length(max=LIMIT, message=f"{label} must be {LIMIT} characters or fewer.")],
    )


def _picker(label: str, hint: str) -> SelectMultipleField:
    # the service checks each choice (archived, restricted, gone) and says which,
    # so the field does not refuse it first
    return SelectMultipleField(
        label, widget=GovCheckboxesInput(), validators=[Optional()], validate_choice=False, description=hint
    )


class StatementForm(FlaskForm):
    version = HiddenField(
        validators=[_number]
    )  # the newest version's number when the form was opened: 0 for none
    working_well = _part("What is working well", "In the partnership's words, with what shows it.")
    to_improve = _part(
        "What needs to improve", "Where experiences and outcomes are not yet good enough, and for whom."
    )
    being_done = _part("What is being done", "The actions under way and when their difference will show.")
    evidence_ids = _picker(
        "Evidence it cites (optional)", "Accepted evidence that is within its review-by date counts best."
    )
    measure_ids = _picker("Measures it cites (optional)", "")
    survey_ids = _picker("Survey results it cites (optional)", "")
    submit = SubmitField("Save as a draft", widget=GovSubmitInput())


class SignOffForm(FlaskForm):
    version = HiddenField(validators=[_number])  # the version the leader was reading
    submit = SubmitField("Sign off this version", widget=GovSubmitInput())
