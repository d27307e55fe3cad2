"""`flask readiness snapshot [--date YYYY-MM-DD]`: store each finding's readiness for the day, for cron."""

import click
from flask.cli import AppGroup

from tracker.dates import format_date, today
from tracker.readiness.kept_figures import work_out_today
from tracker.readiness.services import ReadinessError, take_snapshot

readiness_cli = AppGroup("readiness", help="Readiness of the findings over time.")


@readiness_cli.command("snapshot")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to record, as YYYY-MM-DD (the plan as it stood at its end); today if left out.",
)
def snapshot_command(on) -> None:
    """Record each live finding's readiness; running it again for the same day replaces that day's record.
    For today, it also works out today's dashboard figures, so that the day's first view does not wait."""
    try:
        result = take_snapshot(None, on.date() if on else None)
    except ReadinessError as error:
        raise click.ClickException(str(error))
    counts = ", ".join(f"{count} {colour}" for colour, count in result.counts.items())
    replaced = " (replacing the earlier snapshot of that day)" if result.replaced else ""
    click.echo(
        f"Readiness of {result.findings} findings recorded for {format_date(result.taken_on)}: "
        f"{counts}{replaced}."
    )
    if result.taken_on == today():
        findings = work_out_today()
        click.echo(
            f"Today's dashboard figures are worked out for {findings} findings, their actions and measures."
        )
