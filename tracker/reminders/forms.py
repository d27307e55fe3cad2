"""Forms of the reminder pages: how often you hear about each kind, a Teams channel (its webhook address never
drawn back into the page), and the button that turns a channel off or on."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.forms import enum_choices
from tracker.plan.models import Partner
from tracker.reminders.models import ReminderFrequency, ReminderKind
from tracker.reminders.settings import URL_LIMIT, ChannelData

EVERY_PARTNER = "every"


class PreferencesForm(FlaskForm):
    """One question per kind the person can hear about, added by `preferences_form`."""

    submit = SubmitField("Save your choices", widget=GovSubmitInput())

    def chosen(self, kinds: list[ReminderKind]) -> dict[ReminderKind, ReminderFrequency]:
        return {kind: ReminderFrequency(self[kind.value].data) for kind in kinds}


def preferences_form(
    kinds: list[ReminderKind],
    current: dict[ReminderKind, ReminderFrequency],
    meanings: dict[ReminderKind, str],
) -> PreferencesForm:
    """The form for these kinds, each showing the person's current choice until they send theirs."""

    class Form(PreferencesForm):
        pass

    for kind in kinds:
        setattr(
            Form,
            kind.value,
            RadioField(
                kind.label,
                widget=GovRadioInput(),
                choices=enum_choices(ReminderFrequency),
                description=meanings[kind],
                validators=[InputRequired(message=f"Choose how often to hear about {kind.label.lower()}.")],
            ),
        )
    return Form(data={kind.value: current[kind].value for kind in kinds})


class SecretField(StringField):
    """A text field that never draws its value back into the page: a secret sent once stays unseen, even when
    the form is shown again with an error."""

    def _value(self) -> str:
        return ""


class ChannelForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="How people know the channel, for example SEND leadership team.",
        validators=[
            DataRequired(message="Enter a name for the channel."),
            Length(max=120, message="The name must be 120 characters or fewer."),
        ],
    )
    partner = RadioField(
        "Whose actions it hears about",
        widget=GovRadioInput(),
        choices=[SelectChoice(EVERY_PARTNER, "Every partner"), *enum_choices(Partner)],
        default=EVERY_PARTNER,
        validators=[InputRequired(message="Choose whose actions the channel hears about.")],
    )
    webhook_url = SecretField(
        "Webhook address",
        widget=GovTextInput(),
        description=(
            'In Teams, add the workflow "Post to a channel when a webhook request is received" and copy the '
            "address it gives. It is kept secret: after saving it is never shown again."
        ),
        validators=[
            DataRequired(message="Enter the channel's webhook address."),
            Length(max=URL_LIMIT, message=f"The webhook address must be {URL_LIMIT:,} characters or fewer."),
        ],
    )
    submit = SubmitField("Add the channel", widget=GovSubmitInput())

    def data_sent(self) -> ChannelData:
        partner = None if self.partner.data == EVERY_PARTNER else Partner(self.partner.data)
        return ChannelData(self.name.data or "", partner, self.webhook_url.data or "")


class EditChannelForm(ChannelForm):
    webhook_url = SecretField(
        "New webhook address (optional)",
        widget=GovTextInput(),
        description="Leave blank to keep the current address.",
        validators=[
            Length(max=URL_LIMIT, message=f"The webhook address must be {URL_LIMIT:,} characters or fewer.")
        ],
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A single button: its CSRF token is all it sends."""
