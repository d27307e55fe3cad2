"""`flask demo load`: build the demo partnership. In a checkout of the repository, `flask demo generate`
too: made-up partnerships of a county's or a region's size, from `tracker_dev` (docs/generated-data.md)."""

import os
from importlib.util import find_spec

import click
from flask.cli import AppGroup

from tracker.demo.services import DemoError, database_is_empty, load_demo

demo_cli = AppGroup("demo", help="The demo partnership.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Load only into a database with no users yet.")
def load_command(if_empty: bool) -> None:
    """Load Coventry's inspection findings, plan, measures and SPOT survey. Loading twice changes nothing."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data: the demo was not loaded.")
        return
    try:
        created = load_demo(os.environ.get("DEMO_PASSWORD", "demo-password-2026"))
    except DemoError as error:
        raise click.ClickException(str(error))
    if created:
        click.echo("Loaded the demo partnership: Coventry's area SEND inspection and the SPOT survey.")
    else:
        click.echo("The demo partnership is already loaded: nothing changed.")


# the generators are development tools, left out of the wheel: an installed package has no `demo generate`
if find_spec("tracker_dev") is not None:
    from tracker_dev.commands import generate_command

    demo_cli.add_command(generate_command)
