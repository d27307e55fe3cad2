"""`flask demo generate`: make up a large partnership from a seed. Added to `flask demo` by
`tracker.demo.commands` when this package can be imported (a checkout of the repository)."""

import click

from tracker_dev.generate import DEFAULT_PASSWORD, SCALES, GenerateError, generate


@click.command("generate")
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
