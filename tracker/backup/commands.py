"""`flask backup --out DIR` and `flask restore DIR` (docs/backup.md)."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.backup import BackupError
from tracker.backup.services import make_backup, restore_backup


@click.command("backup")
@click.option(
    "--out",
    "folder",
    required=True,
    type=click.Path(path_type=Path),
    help="A new or empty folder to write the backup into.",
)
@with_appcontext
def backup_command(folder: Path) -> None:
    """Copy the database and its evidence files, consistently, with a manifest of hashes."""
    try:
        summary = make_backup(folder)
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(summary.paragraph())


@click.command("restore")
@click.argument("folder", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(folder: Path) -> None:
    """Restore a backup into this empty installation, then check it against the backup's manifest."""
    try:
        summary = restore_backup(folder)
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(summary.paragraph())
