"""`flask export summary` and `flask export pack`: the same exports as the page, made by the system."""

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.exports.pdf import PdfFailed
from tracker.exports.services import SYSTEM, ExportError, ExportRequest, export_pack, export_summary

export_cli = AppGroup("export", help="Export the progress summary or the evidence pack as at a date.")


def _as_at(raw: str | None) -> date:
    if raw is None:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise click.ClickException(f"--as-at must be a date written as YYYY-MM-DD, like 2026-03-31, not {raw!r}.") from None


def _writable(out: str) -> Path:
    path = Path(out)
    if not path.parent.is_dir():
        raise click.ClickException(f"The folder {str(path.parent)!r} does not exist.")
    return path


@export_cli.command("summary")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "xlsx"]), required=True, help="PDF, Word or Excel.")
@click.option("--out", required=True, help="The file to write.")
@click.option("--as-at", "as_at", help="YYYY-MM-DD; today when left out.")
@click.option("--inspection", type=int, help="Only this inspection's findings (its number).")
def summary_command(fmt: str, out: str, as_at: str | None, inspection: int | None) -> None:
    """Write the progress summary. Restricted evidence is always left out of it here; the pack can include it."""
    path = _writable(out)
    try:
        export = export_summary(SYSTEM, ExportRequest(_as_at(as_at), inspection), fmt)
    except (ExportError, PdfFailed) as error:
        raise click.ClickException(str(error)) from None
    path.write_bytes(export.content)
    click.echo(f"Wrote {path} ({len(export.content)} bytes).")


@export_cli.command("pack")
@click.option("--out", required=True, help="The ZIP file to write.")
@click.option("--as-at", "as_at", help="YYYY-MM-DD; today when left out.")
@click.option("--include-restricted", is_flag=True, help="Put restricted evidence in the pack; recorded in the audit log.")
def pack_command(out: str, as_at: str | None, include_restricted: bool) -> None:
    """Write the evidence pack, chunk by chunk."""
    path = _writable(out)
    try:
        chunks, _ = export_pack(SYSTEM, ExportRequest(_as_at(as_at), include_restricted=include_restricted))
    except (ExportError, PdfFailed) as error:
        raise click.ClickException(str(error)) from None
    size = 0
    with path.open("wb") as file:
        for chunk in chunks:
            size += len(chunk)
            file.write(chunk)
    click.echo(f"Wrote {path} ({size} bytes).")
