"""Forms for managing users."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from tracker.forms import GovDateField
from tracker.models import Role

ROLE_CHOICES = [
    SelectChoice(
        Role.LEADER.value, "Leader: everything about the plan, reviews evidence, sees restricted evidence"
    ),
    SelectChoice(Role.OFFICER.value, "Officer: updates the actions they own, attaches evidence"),
    SelectChoice(Role.VIEWER.value, "Viewer: reads everything that is not restricted"),
    SelectChoice(Role.ADMIN.value, "Administrator: manages users and settings, not plan content"),
]


class UserDetailsForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the person's name."),
            Length(max=200, message="Name must be 200 characters or fewer."),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        validators=[InputRequired(message="Select a role.")],
    )


class CreateUserForm(UserDetailsForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="They sign in with this address.",
        validators=[
            InputRequired(message="Enter an email address."),
            Length(max=254, message="Email address must be 254 characters or fewer."),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description=(
            "At least 12 characters. Give it to them in person or by phone, never in the same email as "
            "their address."
        ),
        validators=[InputRequired(message="Enter a password.")],
    )
    confirm = PasswordField(
        "Repeat the password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Repeat the password."),
            EqualTo("password", message="The two passwords do not match."),
        ],
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())


class EditUserForm(UserDetailsForm):
    active = BooleanField(
        "Can sign in",
        widget=GovCheckboxInput(),
        description="Untick to deactivate: they can no longer sign in, and their history is kept.",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class AuditFilterForm(FlaskForm):
    """Read from the query string, so a filtered log can be bookmarked and shared."""

    class Meta:
        csrf = False

    who = StringField(
        "Who",
        widget=GovTextInput(),
        description="Part of their email address, or system",
        validators=[Optional(), Length(max=254)],
    )
    verb = SelectField("What happened", widget=GovSelect(), validators=[Optional()])
    record_type = StringField(
        "Kind of record",
        widget=GovTextInput(),
        description="For example, action or evidence_item",
        validators=[Optional(), Length(max=80)],
    )
    record_id = StringField("Record number", widget=GovTextInput(), validators=[Optional(), Length(max=9)])
    on_from = GovDateField("From", validators=[Optional()])
    on_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class VerifyAuditForm(FlaskForm):
    submit = SubmitField(
        "Check the whole audit log", widget=GovSubmitInput(), render_kw={"class": "govuk-button--secondary"}
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="Leave blank and the service makes a temporary password, shown to you once. "
        "Give it to them in person or by phone.",
        validators=[Optional(), Length(max=1000, message="Password must be 1000 characters or fewer.")],
    )
    confirm = PasswordField(
        "Repeat the new password",
        widget=GovPasswordInput(),
        validators=[EqualTo("password", message="The two passwords do not match.")],
    )
    must_change = BooleanField(
        "They must choose their own password when they next sign in", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Reset password", widget=GovSubmitInput())


class SsoDomainForm(FlaskForm):
    domain = StringField(
        "Domain",
        widget=GovTextInput(),
        description="The part of their email address after the @, like council.gov.uk. A subdomain, like "
        "schools.council.gov.uk, is a domain of its own: add it too if its people must use single sign-on.",
        validators=[
            InputRequired(message="Enter a domain, like council.gov.uk."),
            Length(max=253, message="A domain must be 253 characters or fewer."),
        ],
    )
    submit = SubmitField("Add domain", widget=GovSubmitInput())


class RemoveSsoDomainForm(FlaskForm):
    """A single Remove button beside each domain: its CSRF token is all it sends."""
