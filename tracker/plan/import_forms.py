"""Forms for importing a plan: the upload, and the mapping page's choices (each column, each partner value,
people who share a name, and the new findings)."""

import hashlib

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tracker.forms import ListChoice, row_choices
from tracker.plan.import_columns import CHOICES, name_key, partner_key, split_people
from tracker.plan.importer import (
    ImportPreview,
    PartnerValue,
    PlanColumn,
    PlanMapping,
    PlanSheet,
    SharedName,
    new_findings_place,
)
from tracker.plan.models import Partner
from tracker.plan.services import list_inspections, list_themes
from tracker.text import counted


class UploadForm(FlaskForm):
    file = FileField(
        "Spreadsheet",
        widget=GovFileInput(),
        description="An .xlsx, .ods or .csv file: your own plan as it is, or the template filled in.",
        validators=[InputRequired(message="Choose a .csv, .xlsx or .ods file to import.")],
    )
    submit = SubmitField("Preview the import", widget=GovSubmitInput())


class TokenForm(FlaskForm):
    """The kept file: its token, the name it was uploaded with,
    and the choices whose outcome the page showed."""

    token = HiddenField()
    name = HiddenField()
    shown = HiddenField()


class MappingForm(TokenForm):
    """How to read the plan; the column, partner and people fields are added for each file."""

    create_findings = BooleanField("Create these new findings", widget=GovCheckboxInput())
    inspection_id = ListChoice("Inspection the new findings belong to")
    theme_id = ListChoice("Theme for the new findings")
    check = SubmitField("Check the rows again", widget=GovSubmitInput())
    submit = SubmitField("Import these actions", widget=GovSubmitInput())
    column_fields: list[tuple[PlanColumn, ListChoice]]
    partner_fields: list[tuple[PartnerValue, ListChoice]]
    name_fields: list[tuple[SharedName, ListChoice]]

    def show(self, preview: ImportPreview) -> None:
        """Put each problem beside the choice it is about: columns, partners, people, the new findings."""
        columns = {column.key: field for column, field in self.column_fields}
        for key, messages in preview.problems.items():
            target = columns.get(key) or (
                self.create_findings if key == "findings" else None
            )  # None: at the top
            (target.errors if target is not None else self.form_errors).extend(messages)
        for value, field in self.partner_fields:
            if not value.partner:
                field.errors = [*field.errors, f"Choose which partner “{value.written}” means."]
        for name, field in self.name_fields:
            if name.chosen is None:
                field.errors = [*field.errors, f"Choose who “{name.written}” is."]
        if preview.new_findings and not self.create_findings.data:
            self.create_findings.errors = [
                *self.create_findings.errors,
                "Tick this to create the findings the tracker "
                "does not have, or write their references in the file.",
            ]

    def summary(self) -> list[dict]:
        """Every error, for the GOV.UK error summary, each linked to the control it is about."""
        items = [{"text": message, "href": "#columns"} for message in self.form_errors]
        fields = [
            *(f for _, f in self.column_fields),
            *(f for _, f in self.partner_fields),
            *(f for _, f in self.name_fields),
            self.create_findings,
            self.inspection_id,
            self.theme_id,
        ]
        for field in filter(None, fields):
            items += [{"text": message, "href": f"#{field.id}"} for message in field.errors]
        return items


def _field_name(prefix: str, value: str) -> str:
    return f"{prefix}_{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() and len(value) < 10 else None


def posted_mapping(sheet: PlanSheet, form: MultiDict) -> PlanMapping:
    """The choices as the mapping page sent them back; a partner value or shared name it did not show
    yet is left to the suggestion."""
    columns = {column.key: form.get(f"column_{index}", "") for index, column in enumerate(sheet.columns)}
    inspection_id, theme_id = new_findings_place()  # when the page did not ask yet
    mapping = PlanMapping(
        columns,
        create_findings=bool(form.get("create_findings")),
        inspection_id=_int(form["inspection_id"]) if "inspection_id" in form else inspection_id,
        theme_id=_int(form["theme_id"]) if "theme_id" in form else theme_id,
    )
    for field_key, prefix in (("partner", "partner"), ("owner", "person"), ("contributors", "person")):
        key = mapping.column_of(field_key)
        for cell in sheet.values(key) if key else []:
            for written in [cell] if prefix == "partner" else split_people(cell):
                value_key = partner_key(written) if prefix == "partner" else name_key(written)
                posted = form.get(_field_name(prefix, value_key))
                if posted is not None and prefix == "partner":
                    mapping.partners[value_key] = posted
                elif posted is not None:
                    mapping.people[value_key] = _int(posted)
    return mapping


def _hint(column: PlanColumn) -> str:
    where = f"Column {column.letters}{'' if column.header else ', no heading'}."
    if not column.samples:
        return f"{where} No values."
    return f"{where} For example: {'; '.join(column.samples)}."


def mapping_form(preview: ImportPreview, *, fresh: bool = False, **data) -> MappingForm:
    """The mapping page's form for this preview: prefilled with its choices when fresh,
    else with those posted."""

    class Form(MappingForm):
        pass

    if not preview.new_findings:  # nothing to create: the choices are not shown, so not asked for
        for hidden in ("create_findings", "inspection_id", "theme_id"):
            setattr(Form, hidden, None)
    for index, column in enumerate(preview.sheet.columns):
        setattr(
            Form,
            f"column_{index}",
            ListChoice(
                column.header or f"Column {column.letters}",
                choices=[SelectChoice(*item) for item in CHOICES.items()],
                default=preview.mapping.columns.get(column.key),
                description=_hint(column),
            ),
        )
    partners = [SelectChoice("", "Choose a partner"), *(SelectChoice(p.value, p.label) for p in Partner)]
    for value in preview.partners:
        rows = counted(value.rows, "row")
        setattr(
            Form,
            _field_name("partner", value.key),
            ListChoice(f"“{value.written}”", choices=partners, default=value.partner, description=f"{rows}."),
        )
    for name in preview.shared_names:
        setattr(
            Form,
            _field_name("person", name.key),
            ListChoice(
                f"Who is “{name.written}”?",
                default=str(name.chosen or ""),
                choices=[
                    SelectChoice("", "Choose who"),
                    *(SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in name.people),
                ],
            ),
        )
    values = {
        "create_findings": preview.mapping.create_findings,
        "inspection_id": str(preview.mapping.inspection_id or ""),
        "theme_id": str(preview.mapping.theme_id or ""),
    }
    form = Form(formdata=None, **values, **data) if fresh else Form(**values, **data)  # posted values win
    if preview.new_findings:
        form.inspection_id.choices = row_choices(
            list_inspections(), label=lambda row: row.title, blank="Choose an inspection"
        )
        form.theme_id.choices = row_choices(list_themes(), blank="Choose a theme")
    form.column_fields = [
        (column, form[f"column_{index}"]) for index, column in enumerate(preview.sheet.columns)
    ]
    form.partner_fields = [(value, form[_field_name("partner", value.key)]) for value in preview.partners]
    form.name_fields = [(name, form[_field_name("person", name.key)]) for name in preview.shared_names]
    return form
