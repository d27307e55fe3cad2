"""`flask audit verify`: check from the command line that no audit event was changed, removed or inserted."""

import click
from flask.cli import AppGroup

from tracker import audit

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the chain of audit events; exit 1 naming the first event that was changed, removed or inserted."""
    report = audit.verify_chain()
    if not report.whole:
        raise click.ClickException(f"The audit log has been altered after {report.checked} whole events: {report.problem}.")
    click.echo(f"The audit log is whole: {report.checked} events, the last fingerprint {report.head_hash}.")
