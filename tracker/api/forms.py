"""The form that makes an API token: its name and how long it lasts (a year at most)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.api.tokens import EXPIRY_CHOICES
from tracker.forms import GovDateField

CHOSEN_DAY = "day"


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="Say what uses it, so you know which to revoke: for example, SEND board report.",
        validators=[
            DataRequired(message="Enter a name for the token."),
            Length(max=80, message="The name must be 80 characters or fewer."),
        ],
    )
    lasts = RadioField(
        "How long should it work?",
        widget=GovRadioInput(),
        choices=[SelectChoice(str(days), f"{days} days") for days in EXPIRY_CHOICES]
        + [SelectChoice(CHOSEN_DAY, "Until a day I choose (a year at most)")],
        default="90",
        validators=[InputRequired(message="Choose how long the token should work.")],
    )
    expires_on = GovDateField(
        "Last day it works",
        description="Only if you chose a day. For example, 31 3 2027.",
        validators=[Optional()],
    )
    submit = SubmitField("Make token", widget=GovSubmitInput())
