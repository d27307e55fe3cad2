"""`flask export summary` and `flask export pack`: the same exports as the page, made by the system."""

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.dates import as_at_day
from tracker.exports.formats import SEF_FORMATS, SUMMARY_COMMAND_FORMATS
from tracker.exports.pdf import PdfFailed
from tracker.exports.sef import export_sef
from tracker.exports.services import DETAILS, SYSTEM, ExportError, ExportRequest, export_pack, export_summary

export_cli = AppGroup(
    "export", help="Export the progress summary, the evidence pack or the self-evaluation as at a date."
)


def _as_at(raw: str | None) -> date:
    return _day("The as-at date", raw)


def _day(what: str, raw: str | None) -> date:
    try:
        return as_at_day(raw, what)
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None


def _detail(raw: str) -> str:
    # checked here, not by click.Choice, so a wrong value is one line and status 1 like every other error
    if raw not in DETAILS:
        raise click.ClickException(f"--detail must be summary or everything, not {raw!r}.")
    return raw


def detail_options(command):
    """--detail and --compare-with: how much the summary shows and the date it shows change since."""
    command = click.option(
        "--compare-with",
        "compare_with",
        help="YYYY-MM-DD: show what changed since this day; the last readiness snapshot when left out.",
    )(command)
    return click.option(
        "--detail",
        default="summary",
        show_default=True,
        help="summary (the story first, green actions one line each) or everything (every row in full).",
    )(command)


def _writable(out: str) -> Path:
    path = Path(out)
    if not path.parent.is_dir():
        raise click.ClickException(f"The folder {str(path.parent)!r} does not exist.")
    return path


@export_cli.command("summary")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SUMMARY_COMMAND_FORMATS),
    required=True,
    help="PDF, Word or Excel; png is a picture of the PDF's first page (docs/exports.md shows one).",
)
@click.option("--out", required=True, help="The file to write.")
@click.option("--as-at", "as_at", help="YYYY-MM-DD; today when left out.")
@click.option("--inspection", type=int, help="Only this inspection's findings (its number).")
@detail_options
def summary_command(
    fmt: str, out: str, as_at: str | None, inspection: int | None, detail: str, compare_with: str | None
) -> None:
    """Write the progress summary. Restricted evidence is always left out of it here;
    the pack can include it."""
    path = _writable(out)
    wanted = ExportRequest(
        _as_at(as_at),
        inspection,
        detail=_detail(detail),
        compare_with=_day("The date to compare with", compare_with) if compare_with else None,
    )
    try:
        export = export_summary(SYSTEM, wanted, fmt)
    except (ExportError, PdfFailed) as error:
        raise click.ClickException(str(error)) from None
    path.write_bytes(export.content)
    click.echo(f"Wrote {path} ({len(export.content)} bytes).")


@export_cli.command("pack")
@click.option("--out", required=True, help="The ZIP file to write.")
@click.option("--as-at", "as_at", help="YYYY-MM-DD; today when left out.")
@click.option(
    "--include-restricted",
    is_flag=True,
    help="Put restricted evidence in the pack; recorded in the audit log.",
)
@click.option(
    "--all-evidence",
    is_flag=True,
    help=(
        "Evidence whatever its status at the as-at date; without it, accepted evidence only (for inspectors)."
    ),
)
@detail_options
def pack_command(
    out: str,
    as_at: str | None,
    include_restricted: bool,
    all_evidence: bool,
    detail: str,
    compare_with: str | None,
) -> None:
    """Write the evidence pack, chunk by chunk: accepted evidence only unless --all-evidence is given."""
    path = _writable(out)
    wanted = ExportRequest(
        _as_at(as_at),
        include_restricted=include_restricted,
        detail=_detail(detail),
        compare_with=_day("The date to compare with", compare_with) if compare_with else None,
        accepted_only=not all_evidence,
    )
    try:
        chunks, _ = export_pack(SYSTEM, wanted)
    except (ExportError, PdfFailed) as error:
        raise click.ClickException(str(error)) from None
    size = 0
    with path.open("wb") as file:
        for chunk in chunks:
            size += len(chunk)
            file.write(chunk)
    click.echo(f"Wrote {path} ({size} bytes).")


@export_cli.command("sef")
@click.option("--format", "fmt", required=True, help="docx (Word, editable) or pdf.")
@click.option("--out", required=True, help="The file to write.")
@click.option(
    "--as-at",
    "as_at",
    help="YYYY-MM-DD: each statement as it stood at the end of this day; today when left out.",
)
def sef_command(fmt: str, out: str, as_at: str | None) -> None:
    """Write the self-evaluation as at a date. Restricted evidence is always left out of it here."""
    if fmt not in SEF_FORMATS:  # checked here, not by click.Choice, so a wrong value is one line and status 1
        raise click.ClickException(f"--format must be docx or pdf, not {fmt!r}.")
    path = _writable(out)
    try:
        export = export_sef(SYSTEM, _as_at(as_at), fmt)
    except (ExportError, PdfFailed) as error:
        raise click.ClickException(str(error)) from None
    path.write_bytes(export.content)
    click.echo(f"Wrote {path} ({len(export.content)} bytes).")
