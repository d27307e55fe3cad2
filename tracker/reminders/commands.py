"""`flask reminders send [--dry-run] [--as-of YYYY-MM-DD]`: the reminder job, for cron or a systemd timer
every 15 minutes (docs/reminders.md)."""

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from tracker.dates import LONDON, as_at_day
from tracker.reminders.jobs import RunSummary, describe, describe_stuck, send_reminders
from tracker.reminders.transports import ReminderConfigError
from tracker.text import counted

reminders_cli = AppGroup("reminders", help="Email digests and Teams summaries of what needs attention.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="YYYY-MM-DD",
    help="The day to work out, at the current London time; today if left out.",
)
def send_command(dry_run: bool, as_of: str | None) -> None:
    """Try again what failed, then send each person's digest (once a day, from TRACKER_REMINDER_HOUR) and each
    Teams channel's summary; exits non-zero when anything could not be delivered, or was found stuck (a run
    stopped while sending it: it may not have gone, and is not sent again)."""
    try:
        on = as_at_day(as_of, "--as-of")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    now = datetime.combine(on, datetime.now(LONDON).time(), tzinfo=LONDON).astimezone(UTC)
    try:
        summary = send_reminders(on, now, dry_run=dry_run)
    except ReminderConfigError as error:
        raise click.ClickException(str(error)) from None
    for line in summary.planned:
        click.echo(line)
    for failure in summary.failures:
        click.echo(describe(failure), err=True)
    for stuck in summary.stuck:
        click.echo(describe_stuck(stuck), err=True)
    click.echo(_summary_line(summary, dry_run))
    if summary.failures or summary.stuck:
        raise SystemExit(1)


def _summary_line(summary: RunSummary, dry_run: bool) -> str:
    if dry_run:
        early = (
            ", before the digest hour (TRACKER_REMINDER_HOUR): only retries" if summary.only_retries else ""
        )
        return f"Dry run{early}: nothing was sent or recorded."
    digests = counted(summary.digests_sent, "digest")
    posts = counted(summary.teams_sent, "Teams summary")
    line = f"Sent {digests} and {posts}"
    if summary.only_retries:
        line += " (before the digest hour, TRACKER_REMINDER_HOUR: only retries)"
    if summary.failures:
        retrying = [failure for failure in summary.failures if failure.retry_at is not None]
        line += (
            f"; {len(summary.failures)} failed: {len(retrying)} will be tried again, "
            f"{len(summary.failures) - len(retrying)} given up"
        )
    if summary.stuck:
        line += f"; {len(summary.stuck)} stuck: may not have been sent (see Reminder problems)"
    return line + "."
