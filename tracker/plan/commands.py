"""`flask import plan FILE`: bring an action plan in from a spreadsheet."""

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.plan.importer import ImportFileError, apply_plan, preview_plan
from tracker.plan.services import PlanError

import_cli = AppGroup("import", help="Bring existing work in from files.")


@import_cli.command("plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; write nothing.")
def plan_command(file: Path, dry_run: bool) -> None:
    """Import actions from a .csv, .xlsx or .ods file: every row, or nothing if any row has errors.

    The columns are read as the mapping page last read the same headings, or as their headings suggest."""
    try:
        with file.open("rb") as stream:
            preview = preview_plan(file.name, stream)
    except ImportFileError as error:
        raise click.ClickException(str(error))
    for note in preview.notes:
        click.echo(f"Note: {note}")
    for row in preview.rows:
        name = f"Row {row.number} {row.reference}".rstrip()
        outcome = (
            f"error: {' '.join(row.errors)}"
            if row.errors
            else f"left out: {row.left_out}"
            if row.left_out
            else row.outcome
        )
        click.echo(f"{name}: {outcome}" + "".join(f" Warning: {warning}" for warning in row.warnings))
    if not preview.valid:
        raise click.ClickException(preview.refusal or "Nothing was imported.")
    if dry_run:
        click.echo(
            f"Dry run, nothing was written: {preview.creates} to create, {preview.updates} to update, "
            f"{preview.unchanged} unchanged."
        )
        return
    try:
        result = apply_plan(None, preview, file.name)
    except PlanError as error:
        raise click.ClickException(str(error))
    click.echo(
        f"Imported {file.name}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
