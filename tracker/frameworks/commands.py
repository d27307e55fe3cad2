"""`flask frameworks load FILE` and `flask frameworks list`: the criteria library, loaded from files."""

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.dates import format_date
from tracker.frameworks.loader import SHIPPED, FrameworkFileError, load_framework_file
from tracker.frameworks.services import current_framework, list_frameworks

frameworks_cli = AppGroup("frameworks", help="Inspection frameworks: their evaluation areas and criteria.")


@frameworks_cli.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def load_command(file: Path) -> None:
    """Check a framework file and load it as a new version, or refuse it whole, saying on which line and why.

    Loading the same file again changes nothing; a different file with a version already loaded is refused.
    """
    try:
        loaded = load_framework_file(file)
    except FrameworkFileError as error:
        click.echo(error.line_for(str(file)), err=True)
        raise SystemExit(1)
    click.echo(loaded.line())


@frameworks_cli.command("list")
def list_command() -> None:
    """Every framework version loaded, the current one marked."""
    current = current_framework()
    frameworks = list_frameworks()
    if not frameworks:
        click.echo(f"No framework is loaded yet: flask frameworks load {SHIPPED}")
        return
    for framework in frameworks:
        published = (
            f"published {format_date(framework.published_on)}" if framework.published_on else "not published"
        )
        mark = " (current)" if current and framework.id == current.id else ""
        click.echo(
            f"{framework.key} {framework.version}: {framework.name}, {published}, "
            f"{len(framework.criteria)} criteria{mark}"
        )
