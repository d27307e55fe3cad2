"""Forms for importing replies: the upload, and the preview's choice for each column and each group answer."""

import hashlib
from collections.abc import Callable

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from tracker.surveys.importer import (
    AUDIENCES,
    ROLES,
    GroupValue,
    PreviewColumn,
    SurveyFileError,
    SurveyPreview,
    refusal,
)
from tracker.surveys.suggestions import PERSONAL_KINDS
from tracker.text import counted


class UploadForm(FlaskForm):
    file = FileField(
        "File of replies",
        widget=GovFileInput(),
        description="A .csv, .xlsx or .ods file exported from Microsoft Forms, SurveyMonkey or SmartSurvey, "
        "or any spreadsheet with the questions in row 1 and one reply in each row below.",
        validators=[InputRequired(message="Choose a .csv, .xlsx or .ods file of replies to import.")],
    )
    submit = SubmitField("Preview the import", widget=GovSubmitInput())


class TokenForm(FlaskForm):
    """The kept file: its token (the SHA-256 of its content) and the name it was uploaded with."""

    token = HiddenField()
    name = HiddenField()


class Choice(SelectField):
    widget = GovSelect()
    refused: Callable[[str], str | None] | None = (
        None  # why a value not offered is refused, said beside the field
    )

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            why = self.refused(self.data) if self.refused is not None and isinstance(self.data, str) else None
            raise ValidationError(why or "Choose one of the options in the list.")


class MappingForm(TokenForm):
    """How to read each column and which audience each group answer is; the fields are added for each file."""

    groups = HiddenField()  # carries problems about the group column as a whole
    every = Choice(
        "Who replied",
        choices=[
            SelectChoice("", "A column in the file says who replied"),
            *(
                SelectChoice(value, f"Every reply is from {label.lower()}")
                for value, label in AUDIENCES.items()
            ),
        ],
        description="Choose “Every reply is from …” when the survey asked one group, so the file has no "
        "column that says who replied.",
    )
    submit = SubmitField("Import replies", widget=GovSubmitInput())
    column_fields: list[tuple[PreviewColumn, Choice]]
    audience_fields: list[tuple[GroupValue, Choice]]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        unseen = [field for _, field in self.audience_fields if field.raw_data == []]
        if unseen:  # "who replied" is now another column, whose answers the leader has not matched yet
            self.groups.errors = [
                *self.groups.errors,
                f"Match each answer in “{self.group_column}” to an "
                "audience below, then select “Import replies”.",
            ]
        return valid and not unseen

    def mapping(self) -> dict:
        """The choices as the importer's JSON mapping."""
        return {
            "columns": {column.key: field.data for column, field in self.column_fields},
            "audiences": {value.value: field.data for value, field in self.audience_fields if field.data},
            **({"audience": self.every.data} if self.every.data else {}),
        }

    def show(self, error: SurveyFileError) -> None:
        """Put each of the importer's problems beside the column or the group answer it is about."""
        columns = {column.key: field for column, field in self.column_fields}
        values = {value.value: field for value, field in self.audience_fields}
        for problem in error.problems:
            field = (
                self.every if problem.audience else columns.get(problem.column) if problem.column else None
            )
            if field is None and problem.value is not None:
                field = values.get(problem.value, self.groups)
            if field is None:
                self.form_errors.append(problem.message)
            else:
                field.errors = [*field.errors, problem.message]

    def summary(self) -> list[dict]:
        """Every error, for the GOV.UK error summary, each linked to the control it is about."""
        items = [{"text": message, "href": "#columns"} for message in self.form_errors]
        for field in [
            self.every,
            self.groups,
            *(field for _, field in self.column_fields + self.audience_fields),
        ]:
            items += [{"text": message, "href": f"#{field.id}"} for message in field.errors]
        return items


def _hint(column: PreviewColumn, keep_personal: bool) -> str:
    where = f"Column {column.letters}."
    if column.personal == "ip":
        return f"{where} IP addresses are never stored."
    if column.personal:
        kept = {"name": "Respondent's name", "email": "Respondent's email"}.get(column.personal)
        if kept and keep_personal:
            choices = (
                f"leave it out, keep it only as a one-way id, or keep it as “{kept}”, which no page shows"
            )
        else:
            choices = "leave it out or keep it only as a one-way id"
        leaders = (
            " Only a leader can choose to keep respondents' names and email addresses."
            if kept and not keep_personal
            else ""
        )
        return (
            f"{where} Personal data: its answers are not shown here. It looks like "
            f"{PERSONAL_KINDS[column.personal]}, so it cannot be a question or comments, which everyone "
            f"who can see the survey reads: {choices}.{leaders} If it holds no personal data, rename its "
            "heading in the file."
        )
    if not column.answered:
        return f"{where} No answers."
    asked = f" Imported as the question “{column.question}”." if column.question != column.header else ""
    samples = "; ".join(column.samples)
    return f"{where} {counted(column.answered, 'answer')}, for example: {samples}.{asked}"


def _field_name(value: str) -> str:
    return "audience_" + hashlib.sha256(value.encode()).hexdigest()[:12]


def mapping_form(preview: SurveyPreview, *, keep_personal: bool, fresh: bool = False, **data) -> MappingForm:
    """The preview's form: prefilled with the suggestions when fresh, else with the choices posted back.

    Each column offers only the ways it may be read (importer.refusal): respondents' names and emails
    only when `keep_personal` (a leader: can_see_respondents); a value posted that was not offered is
    refused beside its column, saying why. The group answers offered are those of the column chosen as
    "who replied", so choosing another column and submitting shows that column's answers to match.
    """

    class Form(MappingForm):
        pass

    for index, column in enumerate(preview.columns):
        choices = [SelectChoice(value, label) for value, label in column.roles(keep_personal).items()]
        setattr(
            Form,
            f"column_{index}",
            Choice(
                column.header, choices=choices, default=column.role, description=_hint(column, keep_personal)
            ),
        )
    group = preview.group_column
    if not fresh:
        chosen = [
            column.key
            for index, column in enumerate(preview.columns)
            if request.form.get(f"column_{index}") == "group"
        ]
        group = chosen[0] if chosen else None
    values = preview.values_of(group)
    for value in values:
        replies = counted(value.replies, "reply")
        setattr(
            Form,
            _field_name(value.value),
            Choice(
                f"Replies that answered “{value.value}”",
                description=f"{replies}.",
                default=value.audience or "",
                choices=[
                    SelectChoice("", "Choose an audience"),
                    *(SelectChoice(*item) for item in AUDIENCES.items()),
                ],
            ),
        )
    if fresh:
        data.setdefault("every", preview.audience or "")
    form = Form(formdata=None, **data) if fresh else Form(**data)
    form.column_fields = [(column, form[f"column_{index}"]) for index, column in enumerate(preview.columns)]
    for column, field in form.column_fields:
        field.refused = lambda role, column=column: (
            refusal(column.header, column.personal, role, keep_personal) if role in ROLES else None
        )
    form.audience_fields = [(value, form[_field_name(value.value)]) for value in values]
    form.group_column = group
    return form
