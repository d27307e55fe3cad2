"""`flask import survey FILE --survey ID`: bring a survey's replies in from an export file."""

import json
from pathlib import Path

import click
import sqlalchemy as sa

from tracker.extensions import db
from tracker.plan.commands import import_cli
from tracker.surveys.importer import SurveyFileError, import_replies, preview_replies
from tracker.surveys.models import Survey
from tracker.text import counted


def _load_mapping(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{path.name} is not valid JSON: {error.msg} at line {error.lineno}.")
    except (OSError, UnicodeDecodeError):
        raise click.ClickException(f"{path.name} could not be read as a UTF-8 text file.")


@import_cli.command("survey")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--survey", "survey_id", type=int, required=True, help="The survey's id: the number in its address."
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON file saying how to read each column. Without it the suggested mapping is printed and used.",
)
def survey_command(file: Path, survey_id: int, mapping_file: Path | None) -> None:
    """Import a survey's replies from a .csv, .xlsx or .ods export: every reply, or nothing."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.id == survey_id, Survey.archived_at.is_(None)))
    if survey is None:
        raise click.ClickException(
            f"There is no survey {survey_id}: the id is the number in the survey's address."
        )
    content = file.read_bytes()
    try:
        if mapping_file is not None:
            mapping = _load_mapping(mapping_file)
        else:
            mapping = preview_replies(file.name, content, survey).mapping
            click.echo(
                "The suggested mapping (to change it, save it to a file, edit it and pass it with --mapping):"
            )
            click.echo(json.dumps(mapping, indent=2, ensure_ascii=False))
        result = import_replies(None, survey, file.name, content, mapping)
    except SurveyFileError as error:
        raise click.ClickException(str(error))
    replies = counted(result.replies, "reply")
    click.echo(f"Imported {replies} from {file.name} into {survey.title}.")
