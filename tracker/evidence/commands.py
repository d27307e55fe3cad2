"""`flask storage check`: compare the evidence files on record with the files in storage."""

from collections import defaultdict

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker import storage
from tracker.evidence.models import EvidenceFile
from tracker.extensions import db
from tracker.text import counted

storage_cli = AppGroup("storage", help="Look after the folder where evidence files are kept.")


def storage_problems() -> tuple[int, list[str]]:
    """(how many files were checked, one sentence per problem found)."""
    rows = db.session.execute(
        sa.select(
            EvidenceFile.id, EvidenceFile.storage_key, EvidenceFile.sha256, EvidenceFile.filename
        ).order_by(EvidenceFile.storage_key, EvidenceFile.id)
    ).all()
    by_key = defaultdict(list)
    for row in rows:
        by_key[row.storage_key].append(row)
    on_disk = set(storage.stored_keys())
    problems = []
    for key, key_rows in by_key.items():
        names = ", ".join(f'evidence file {row.id} "{row.filename}"' for row in key_rows)
        if key not in on_disk:
            problems.append(f"{key} is missing: {names} has no file in storage.")
        elif {row.sha256 for row in key_rows} != {_content_hash(key)}:
            problems.append(f"{key} has changed: it no longer matches the SHA-256 hash recorded for {names}.")
        elif not all(_allowed(key, row.filename) for row in key_rows):
            problems.append(
                f"{key} is not an allowed document type ({names}): it is left out of evidence packs; "
                "archive the evidence or upload it again as an allowed document."
            )
    for key in sorted(on_disk - by_key.keys()):
        problems.append(f"{key} is unknown: no evidence file refers to it.")
    return len(on_disk | by_key.keys()), problems


def _allowed(key: str, filename: str) -> bool:
    path = storage.path_of(key)
    with path.open("rb") as file:
        head = file.read(storage.SNIFF_BYTES)
    return storage.is_allowed_document(filename, head, path)


def _content_hash(key: str) -> str | None:
    try:
        return storage.hash_file(storage.path_of(key))
    except storage.StorageError:  # a malformed key on record can never match
        return None


@storage_cli.command("check")
def check_command() -> None:
    """Report evidence files that are missing, unknown to the database, changed since upload,
    or not an allowed document type."""
    checked, problems = storage_problems()
    for problem in problems:
        click.echo(problem)
    if problems:
        count = len(problems)
        raise click.ClickException(f"{counted(count, 'problem')} found in evidence storage.")
    click.echo(f"Storage is consistent: {counted(checked, 'file')} checked.")
