"""`flask audit verify`: check from the command line that no audit event was changed, removed or inserted, and
with `--data` that no audited row was changed in the database behind the service."""

import click
from flask.cli import AppGroup

from tracker import audit

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
@click.option(
    "--data",
    is_flag=True,
    help="Also compare every audited row with the fingerprint its last event recorded.",
)
def verify_command(data: bool) -> None:
    """Walk the chain of audit events; exit 1 naming the first event that was changed, removed or inserted,
    and with --data every row that differs from its last event."""
    report = audit.verify_chain()
    if not report.whole:
        raise click.ClickException(
            f"The audit log has been altered after {report.checked} whole events: {report.problem}."
        )
    click.echo(f"The audit log is whole: {report.checked} events, the last fingerprint {report.head_hash}.")
    if data:
        _verify_data()


def _verify_data() -> None:
    report = audit.verify_data()
    for table, ids in report.unrecorded.items():
        shown = ", ".join(str(row_id) for row_id in ids[:10]) + (
            f" and {len(ids) - 10} more" if len(ids) > 10 else ""
        )
        click.echo(
            f"No audit record of its state (made by an import, a migration, or before row fingerprints were "
            f"kept; not checked): {table} {shown}."
        )
    if not report.whole:
        listed = "\n".join(f"  {problem}" for problem in report.problems)
        raise click.ClickException(
            f"{len(report.problems)} of {report.checked} rows compared differ from what the audit log "
            f"recorded: they were changed in the database, not through the service:\n{listed}"
        )
    click.echo(
        f"The data matches the audit log: {report.checked} rows compared with their last event, in "
        f"{len(audit.AUDITED_TABLES)} tables."
    )
