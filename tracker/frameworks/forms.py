"""Forms for linking records to criteria. Shape only: the services check the rules that need the database."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from tracker.forms import LongSelect, enum_choices
from tracker.frameworks.models import LinkKind


class ChooseKindForm(FlaskForm):
    """The first step of linking, read from the query string: what kind of record to link."""

    class Meta:
        csrf = False

    kind = SelectField(
        "What to link", widget=GovSelect(), choices=enum_choices(LinkKind), validators=[InputRequired()]
    )
    submit = SubmitField("Choose", widget=GovSubmitInput())


class LinkForm(FlaskForm):
    """The second step: which record of that kind."""

    target = SelectField(
        "Record", widget=LongSelect(), validators=[InputRequired(message="Choose the record to link.")]
    )
    submit = SubmitField("Link to this criterion", widget=GovSubmitInput())


class UnlinkForm(FlaskForm):
    """A single button: remove a link."""
