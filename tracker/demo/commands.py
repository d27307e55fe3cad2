"""`flask demo load`: build the demo partnership; `flask demo generate`: make up a large one from a seed."""

import os

import click
from flask.cli import AppGroup

from tracker.demo.generate import DEFAULT_PASSWORD, SCALES, GenerateError, generate
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


@demo_cli.command("generate")
@click.option(
    "--scale",
    "scale_name",
    type=click.Choice(list(SCALES)),
    required=True,
    help="county: 600 actions, 12,000 evidence items; region: ten times as much.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed makes the same data.")
@click.option(
    "--password",
    envvar="GENERATED_PASSWORD",
    default=DEFAULT_PASSWORD,
    show_default=True,
    help="Every generated user's password (or set GENERATED_PASSWORD).",
)
def generate_command(scale_name: str, seed: int, password: str) -> None:
    """Fill an empty, migrated database with a made-up partnership of a county's or a region's size."""
    try:
        summary = generate(SCALES[scale_name], seed, password, on_progress=click.echo)
    except GenerateError as error:
        raise click.ClickException(str(error))
    click.echo(summary.line())
    emails = summary.sign_in
    click.echo(
        f"Sign in as {emails['leader']} (leader), {emails['officer']} (the officer with the most actions), "
        f"{emails['viewer']} or {emails['admin']}, with the password {password}"
    )
