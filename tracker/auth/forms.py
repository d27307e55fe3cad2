"""The sign-in form, and the forms of two-step verification."""

import re
from typing import TypeVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp


class LoginForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address."),
            Length(max=254, message="Email address must be 254 characters or fewer."),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your password."),
            Length(max=1000, message="Password must be 1000 characters or fewer."),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


MaybeText = TypeVar("MaybeText", str, None)  # what was typed, or None for a field not sent


def _digits_only(value: MaybeText) -> MaybeText:
    """People type codes as 123 456 or 123-456: keep the digits' order, drop the gaps."""
    return re.sub(r"[\s-]", "", value) if isinstance(value, str) else value


class CodeField(StringField):
    """A 6-digit code from an authenticator app. What was typed is never shown again: a code is spent."""

    def __init__(self, label: str = "Code from your authenticator app", **kwargs):
        kwargs.setdefault("description", "The 6-digit code your app shows for this service, like 123456.")
        super().__init__(
            label,
            widget=GovTextInput(),
            filters=[_digits_only],
            validators=[
                InputRequired(message="Enter the 6-digit code from your authenticator app."),
                Regexp(r"^[0-9]{6}$", message="Enter the code as 6 digits, like 123456."),
            ],
            **kwargs,
        )

    def _value(self) -> str:
        return ""


class SignInCodeForm(FlaskForm):
    code = CodeField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


def _code_as_typed(value: str | None) -> str | None:
    """A recovery code typed with capitals, spaces or its hyphen: the letters and digits, in small letters."""
    return _digits_only(value).lower() if isinstance(value, str) else value


class RecoveryCodeField(StringField):
    """A single-use recovery code, typed as shown (abcde-fghij) or without the hyphen; never shown again."""

    def __init__(self, label: str = "Recovery code", **kwargs):
        kwargs.setdefault(
            "description",
            "One of the recovery codes you saved when you set up two-step verification, like abcde-fghij.",
        )
        super().__init__(
            label,
            widget=GovTextInput(),
            filters=[_code_as_typed],
            validators=[
                InputRequired(message="Enter one of your recovery codes."),
                Regexp(
                    r"^[a-z0-9]{10}$",
                    message="Enter the recovery code as 10 letters and numbers, like abcde-fghij.",
                ),
            ],
            **kwargs,
        )

    def _value(self) -> str:
        return ""


def password_again() -> PasswordField:
    """The person's own password, asked again before a change to how they sign in."""
    return PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your password."),
            Length(max=1000, message="Password must be 1000 characters or fewer."),
        ],
    )


class SignInRecoveryCodeForm(FlaskForm):
    code = RecoveryCodeField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class TwoStepStartForm(FlaskForm):
    password = password_again()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class TwoStepSetupForm(FlaskForm):
    code = CodeField(
        description="After you scan the QR code or enter the key, your app shows a 6-digit code, like 123456."
    )
    submit = SubmitField("Turn on two-step verification", widget=GovSubmitInput())


class TwoStepOffForm(FlaskForm):
    password = password_again()
    code = CodeField()
    submit = SubmitField("Turn off two-step verification", widget=GovSubmitInput())


class RecoveryCodesForm(FlaskForm):
    password = password_again()
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    """What was typed in a password field is never sent back: a page shown again asks for them afresh."""

    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your current password."),
            Length(max=1000, message="Password must be 1000 characters or fewer."),
        ],
    )
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 12 characters, not a common password, and not your name or the service's name. "
        "Three or more random words together work well.",
        validators=[
            InputRequired(message="Enter a new password."),
            Length(max=1000, message="Password must be 1000 characters or fewer."),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Repeat the new password."),
            EqualTo("password", message="The two new passwords do not match."),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())
