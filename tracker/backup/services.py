"""Backups and restores (docs/backup.md).

`make_backup` writes into an empty folder a consistent copy of the database, the evidence files that copy
refers to, and a manifest of hashes. `restore_backup` checks a backup against its manifest, restores it into
an empty installation, and checks the result against the manifest again.

Consistent means that the copy is the database as it stood at one moment, and that everything the manifest
says about it (rows per table, evidence files, the audit chain) is read from that same moment, the copy or
the snapshot it was made from, never from the live database, which may have moved on meanwhile. How each
kind of database is copied is in `databases.py`.
"""

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from hashlib import sha256
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from tracker import audit, storage
from tracker.backup import BackupError, databases
from tracker.backup.databases import KIND_NAMES, METHODS, PG_DUMP, SQLITE_API
from tracker.evidence.models import EvidenceFile
from tracker.extensions import db
from tracker.text import counted, plural

FORMAT = "inspection-readiness-tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files"
_FILE_PATH = re.compile(r"files/([0-9a-f]{2})/(\1[0-9a-f]{62})")
_HASH = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024
# tables that a new, migrated database already fills: its migration, and the start of its audit chain
_SET_UP_TABLES = ("alembic_version", "audit_chain_head")
_NEW_INSTALLATION = (
    "restore only into a new installation, with an empty database and an empty evidence folder."
)

__all__ = ["BackupError", "BackupSummary", "RestoreSummary", "make_backup", "restore_backup"]


class _Backup:
    """What a backup's audit events are about: the whole installation, which has no row of its own."""

    __tablename__ = "backup"
    id = None


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str

    def paragraph(self) -> str:
        m = self.manifest
        chain = m["audit_chain"]
        return (
            f"Backed up to {self.folder}: the {KIND_NAMES[m['database']['kind']]} database ({_how(m)}; "
            f"{len(m['tables'])} tables, {_rows(m)} rows, migration {m['migration']}) and "
            f"{counted(len(m['files']), 'evidence file')} ({_size(_bytes(m))}), each checked by SHA-256 as "
            f"it was copied. The audit chain has {counted(chain['length'], 'event')} and ends at "
            f"{chain['head_hash']}. The manifest's SHA-256 is {self.manifest_sha256}: keep it apart from "
            "the backup to check the backup later."
        )


@dataclass(frozen=True)
class RestoreSummary:
    folder: Path
    manifest: dict[str, Any]
    database: str
    evidence: Path
    upgraded_to: str | None
    event_id: int

    def paragraph(self) -> str:
        m = self.manifest
        chain = m["audit_chain"]
        upgraded = (
            f" The database was then migrated from {m['migration']} to this version's {self.upgraded_to}."
            if self.upgraded_to
            else ""
        )
        return (
            f"Restored the backup made at {m['created_at']} from {self.folder} ({_how(m)}, migration "
            f"{m['migration']}) into {self.database} and {self.evidence}. Checked against its manifest: "
            f"{len(m['tables'])} tables with {_rows(m)} rows, {counted(len(m['files']), 'evidence file')} "
            f"({_size(_bytes(m))}) by SHA-256, and the audit chain's {counted(chain['length'], 'event')}, "
            f"which verify and end at {chain['head_hash']} as recorded.{upgraded} The restore is recorded "
            f"in the audit log as event {self.event_id}."
        )


# ---------------------------------------------------------------------------------------------- backing up


def make_backup(folder: Path) -> BackupSummary:
    """Write a consistent copy of the database and its evidence files, with a manifest, into an empty folder.

    Refused, leaving nothing behind, when the folder is not empty, when storage is missing or has changed a
    file the copy refers to, or when the copy's audit chain is broken. The manifest is written last: a folder
    without one is not a backup. The backup is recorded in the live database's audit log.
    """
    _refuse_unless_reachable()
    created = _prepare(folder)
    try:
        made_at = datetime.now(timezone.utc)
        with _owner_only(), databases.snapshot(folder) as (connection, database):
            tables, chain, references, migration = _describe(connection)
        files = _copy_evidence(references, folder)
        copy = folder / database["file"]
        copy.chmod(0o600)
        database |= {"sha256": storage.hash_file(copy), "size_bytes": copy.stat().st_size}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": made_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "app_version": _app_version(),
            "migration": migration,
            "database": database,
            "tables": tables,
            "audit_chain": {"length": chain.checked, "head_hash": chain.head_hash},
            "files": files,
        }
        manifest_sha256 = _write_manifest(folder, manifest)
    except OSError as error:  # a full or unwritable disk, a file storage cannot give
        _clear(folder, created)
        raise BackupError(
            f"Could not write the backup into {folder}: {error.strerror or error}. Nothing was backed up."
        ) from None
    except BaseException:
        _clear(folder, created)
        raise
    audit.record(
        None,
        "backup.made",
        _Backup(),
        after={
            "folder": str(folder),
            "method": database["method"],
            "manifest_sha256": manifest_sha256,
            "rows": sum(tables.values()),
            "files": len(files),
            "chain_length": chain.checked,
            "chain_head": chain.head_hash,
        },
    )
    db.session.commit()
    return BackupSummary(folder, manifest, manifest_sha256)


@contextmanager
def _owner_only() -> Iterator[None]:
    """The database's copy (made by SQLite, pg_dump or the logical writer) is its owner's alone from its first
    byte, even in a folder others can open: umask 077 while it is written (the command runs
    alone in its process)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _refuse_unless_reachable() -> None:
    """A database that cannot be opened (no such file's folder, no such PostgreSQL database, no server) is
    named in one line, never a traceback."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except sa.exc.OperationalError as error:
        db.session.rollback()
        reason = str(error.orig).strip().splitlines()[-1] if error.orig else "it does not answer"
        raise BackupError(
            f"Could not open the database {db.engine.url.render_as_string(hide_password=True)}: {reason}"
        ) from None


def _prepare(folder: Path) -> bool:
    """Refuse a folder that is a file or holds anything; True when the folder had to be created."""
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file: give a new or empty folder for the backup.")
    if folder.is_dir():
        if any(folder.iterdir()):
            raise BackupError(
                f"{folder} is not empty: give a new or empty folder for the backup, "
                "so that nothing from another backup is mixed into it."
            )
        return False
    try:
        folder.mkdir(parents=True, mode=0o700)  # the backup holds personal data: for its owner only
    except OSError as error:
        raise BackupError(f"Could not create {folder}: {error.strerror}.") from None
    return True


def _clear(folder: Path, created: bool) -> None:
    """Take away what a refused or failed backup wrote."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)


def _describe(connection: sa.Connection) -> tuple[dict[str, int], audit.ChainReport, Sequence[sa.Row], str]:
    """Read from the copy (or its snapshot): rows per table, the audit chain, the evidence files it refers
    to, and its migration."""
    tables = _row_counts(connection)
    if "alembic_version" not in tables:
        raise BackupError(
            "The database has not been set up (run flask --app wsgi db upgrade): there is nothing to back up."
        )
    migration = ",".join(connection.scalars(sa.text("SELECT version_num FROM alembic_version ORDER BY 1")))
    with _session_on(connection):
        chain = audit.verify_chain()
        references = db.session.execute(
            sa.select(
                EvidenceFile.storage_key, EvidenceFile.sha256, EvidenceFile.id, EvidenceFile.filename
            ).order_by(EvidenceFile.storage_key, EvidenceFile.id)
        ).all()
    if not chain.whole:
        raise BackupError(
            f"The audit chain in the copy of the database is broken: {chain.problem}. Nothing was backed up."
        )
    return tables, chain, references, migration


def _row_counts(connection: sa.Connection) -> dict[str, int]:
    return {
        name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
        for name in sorted(sa.inspect(connection).get_table_names())
    }


@contextmanager
def _session_on(connection: sa.Connection) -> Iterator[None]:
    """`db.session` reads through `connection` for the code called inside (audit.verify_chain reads through
    `db.session`), then is what it was before."""
    registry = db.session.registry
    outer = registry() if registry.has() else None
    session = Session(bind=connection)
    # a plain session on the copy's connection, where the registry's type expects Flask-SQLAlchemy's own:
    # what is read through it (the audit chain) needs nothing Flask-SQLAlchemy adds
    registry.set(session)  # type: ignore[arg-type]
    try:
        yield
    finally:
        session.close()
        if outer is None:
            registry.clear()
        else:
            registry.set(outer)


def _copy_evidence(references: Sequence[sa.Row], folder: Path) -> list[dict[str, Any]]:
    """Copy each stored file the copy of the database refers to, checking its SHA-256 as it is copied."""
    by_key: dict[str, list] = {}
    for row in references:
        by_key.setdefault(row.storage_key, []).append(row)
    copied = []
    for key, rows in by_key.items():
        names = ", ".join(f'evidence file {row.id} "{row.filename}"' for row in rows)
        try:
            with storage.open_stored(key) as source, _new_file(folder / FILES / key) as out:
                digest, size = _copy_hashed(source, out)
        except storage.StorageError:
            raise BackupError(
                f"Storage is missing {key}, the file of {names}: nothing was backed up. "
                "Run flask --app wsgi storage check."
            ) from None
        if {digest} != {row.sha256 for row in rows} or not key.endswith(digest):
            raise BackupError(
                f"{key} in storage has changed: it no longer matches the SHA-256 recorded for {names}. "
                "Nothing was backed up; run flask --app wsgi storage check."
            )
        copied.append({"path": f"{FILES}/{key}", "sha256": digest, "size_bytes": size})
    return copied


def _copy_hashed(source: BinaryIO, out: BinaryIO) -> tuple[str, int]:
    """Copy a stream into a file and sync it to disk; returns (SHA-256, size) of what was copied."""
    digest, size = sha256(), 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        out.write(chunk)
    out.flush()
    os.fsync(out.fileno())
    return digest.hexdigest(), size


def _new_file(path: Path) -> BinaryIO:
    """A new file that only its owner may read: a backup holds personal data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> str:
    content = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    partial = folder / f".{MANIFEST}.partial"
    with _new_file(partial) as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, folder / MANIFEST)
    return sha256(content).hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("inspection-readiness-tracker")
    except metadata.PackageNotFoundError:
        return "unknown"


# ------------------------------------------------------------------------------------------------ restoring


def restore_backup(folder: Path) -> RestoreSummary:
    """Restore a backup into this installation, which must be empty, and check it against the manifest.

    Refused, changing nothing, when the manifest is missing or unreadable; when the backup is of the other
    kind of database, or of a migration this version does not know; when the database or the evidence folder
    already holds anything; or when the database copy or a file in the backup differs from the manifest.
    Once it is checked, the restore is recorded in the restored audit log.
    """
    manifest = read_manifest(folder)
    _refuse_unless_reachable()
    kind, method = manifest["database"]["kind"], manifest["database"]["method"]
    here = db.engine.dialect.name
    if kind != here:
        raise BackupError(
            f"The backup is of a {KIND_NAMES[kind]} database but this installation uses "
            f"{KIND_NAMES.get(here, here)}: restore it into a {KIND_NAMES[kind]} database."
        )
    scripts = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    if manifest["migration"] not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(
            f"The backup's database is at migration {manifest['migration']}, which this version of the "
            f"tracker does not know: restore it with version {manifest['app_version']} or later."
        )
    tool = databases.pg_restore_for(manifest["database"].get("tool")) if method == PG_DUMP else None
    revision = _refuse_unless_empty(method, manifest["migration"])
    problems = backup_problems(folder, manifest)
    if problems:
        raise BackupError(
            f"The backup in {folder} does not match its manifest: {_first(problems)}. Nothing was restored."
        )
    databases.restore(
        method, folder / manifest["database"]["file"], tool, revision is None, manifest["migration"]
    )
    try:
        _restore_files(folder, manifest["files"])
    except OSError as error:
        raise BackupError(
            f"Could not copy the evidence files into {storage.root()}: {error.strerror or error}. "
            "The database holds the restored copy: empty it and the evidence folder before trying "
            "again."
        ) from None
    problems = restored_problems(manifest)
    if problems:
        raise BackupError(
            f"The restored installation does not match the manifest: {_first(problems)}. The database "
            "and the evidence folder hold the restored copy: empty them before trying again."
        )
    head = scripts.get_current_head()
    upgraded_to = None
    if manifest["migration"] != head:
        upgrade()
        upgraded_to = head
    event = audit.record(
        None,
        "backup.restored",
        _Backup(),
        after={
            "folder": str(folder),
            "made_at": manifest["created_at"],
            "method": method,
            "manifest_sha256": storage.hash_file(folder / MANIFEST),
            "chain_length": manifest["audit_chain"]["length"],
            "chain_head": manifest["audit_chain"]["head_hash"],
        },
    )
    db.session.commit()
    return RestoreSummary(
        folder,
        manifest,
        db.engine.url.render_as_string(hide_password=True),
        storage.root(),
        upgraded_to,
        event.id,
    )


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, or a BackupError saying why there is none this version can read."""
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder: give the folder that flask backup wrote.")
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST}: it is not a complete backup (an interrupted backup has none)."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(f"{path} is not a backup manifest: it is not valid JSON.") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise BackupError(f"{path} is not a backup manifest this version can read: {problem}.")
    return manifest


def _manifest_problem(manifest: Any) -> str | None:
    """What makes this not a manifest of format 1, or None."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return "it does not say it describes a backup of the tracker"
    if manifest.get("format_version") != FORMAT_VERSION:
        return (
            f"it is of format {manifest.get('format_version')!r}, and this version reads format "
            f"{FORMAT_VERSION}"
        )
    database, chain, tables, files = (
        manifest.get(name) for name in ("database", "audit_chain", "tables", "files")
    )
    if not isinstance(database, dict) or database.get("method") not in METHODS:
        return "its database method is not one of " + ", ".join(METHODS)
    if (database.get("kind"), database.get("file")) != METHODS[database["method"]]:
        return "its database kind or file does not go with its method"
    if not _is_hash(database.get("sha256")) or not _is_count(database.get("size_bytes")):
        return "its database file has no SHA-256 or size"
    if not all(isinstance(manifest.get(name), str) for name in ("migration", "created_at", "app_version")):
        return "it has no migration, version or time it was made"
    if not isinstance(tables, dict) or not all(
        isinstance(k, str) and _is_count(v) for k, v in tables.items()
    ):
        return "its row counts are not numbers of rows per table"
    if (
        not isinstance(chain, dict)
        or not _is_count(chain.get("length"))
        or not _is_hash(chain.get("head_hash"))
    ):
        return "its audit chain has no length or head hash"
    if not isinstance(files, list):
        return "its list of files is missing"
    for entry in files:
        path = entry.get("path") if isinstance(entry, dict) else None
        named = _FILE_PATH.fullmatch(path) if isinstance(path, str) else None
        if not named or entry.get("sha256") != named.group(2) or not _is_count(entry.get("size_bytes")):
            return f"the file entry {entry!r} is not files/<ab>/<its SHA-256> with a size"
    return None


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and _HASH.fullmatch(value) is not None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def backup_problems(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Every difference between the backup folder and its manifest: the database copy and each file."""
    problems = []
    entries = [
        {
            "path": manifest["database"]["file"],
            "sha256": manifest["database"]["sha256"],
            "size_bytes": manifest["database"]["size_bytes"],
        },
        *manifest["files"],
    ]
    for entry in entries:
        path = folder / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']} is missing")
        elif path.stat().st_size != entry["size_bytes"] or storage.hash_file(path) != entry["sha256"]:
            problems.append(
                f"{entry['path']} has changed since the backup was made (its SHA-256 is not the one recorded)"
            )
    return problems


def _refuse_unless_empty(method: str, migration: str) -> str | None:
    """The empty database's migration (None when it has no tables yet); refused when the database or the
    evidence folder holds anything, or when a PostgreSQL database is migrated to another revision than the
    backup's (an SQLite database is replaced whole, so any empty one will do)."""
    if databases.in_memory():
        raise BackupError("The database is in memory: set DATABASE_URL to the database to restore into.")
    connection = db.session.connection()
    names = sorted(sa.inspect(connection).get_table_names())
    filled = [
        name
        for name in names
        if name not in _SET_UP_TABLES
        and connection.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first()
    ]
    head = sa.table("audit_chain_head", sa.column("last_seq"))
    if "audit_chain_head" in names and connection.scalar(
        sa.select(sa.func.count()).select_from(head).where(head.c.last_seq != 0)
    ):
        filled.append("audit_chain_head")
    revision = None
    if "alembic_version" in names:
        revision = (
            ",".join(connection.scalars(sa.text("SELECT version_num FROM alembic_version ORDER BY 1")))
            or None
        )
    db.session.rollback()  # nothing of the target stays locked while it is restored into
    if filled:
        shown = ", ".join(filled[:3]) + (
            f" and {counted(len(filled) - 3, 'more table')}" if len(filled) > 3 else ""
        )
        raise BackupError(
            f"The database to restore into is not empty ({shown} {plural(len(filled), 'has', 'have')} "
            f"rows): {_NEW_INSTALLATION}"
        )
    root = storage.root()
    held = next((path for path in sorted(root.rglob("*")) if path.is_file()), None)
    if held:
        raise BackupError(
            f"The evidence folder {root} is not empty (it holds {held.relative_to(root)}): "
            f"{_NEW_INSTALLATION}"
        )
    if method != SQLITE_API and names and revision != migration:
        raise BackupError(
            f"The database to restore into is migrated to {revision or 'no revision'}, and the backup's "
            f"is at {migration}: restore into a new database that only has been created, or migrated "
            f"to {migration}."
        )
    return revision


def _restore_files(folder: Path, entries: list[dict[str, Any]]) -> None:
    """Copy each file into storage under its key, through tmp/ so that a file in files/ is always whole."""
    root = storage.root()
    (root / storage.TMP).mkdir(exist_ok=True)
    for entry in entries:
        key = entry["path"].removeprefix(f"{FILES}/")
        final = storage.path_of(key)
        handle, name = tempfile.mkstemp(dir=root / storage.TMP, prefix="restore-")
        temp = Path(name)
        try:
            with (folder / entry["path"]).open("rb") as source, os.fdopen(handle, "wb") as out:
                digest, _size = _copy_hashed(source, out)
            if digest != entry["sha256"]:
                raise BackupError(
                    f"{entry['path']} changed while it was being restored: check the backup's disk."
                )
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)


def restored_problems(manifest: dict[str, Any]) -> list[str]:
    """Every difference between this installation and the manifest: rows per table, files, the audit chain."""
    problems = []
    counts = _row_counts(db.session.connection())
    for name, expected in manifest["tables"].items():
        found = counts.get(name)
        if found is None:
            problems.append(f"table {name} is missing")
        elif found != expected:
            problems.append(f"table {name} has {found:,} rows where the manifest records {expected:,}")
    listed = {entry["path"].removeprefix(f"{FILES}/"): entry["sha256"] for entry in manifest["files"]}
    for key, expected in listed.items():
        path = storage.path_of(key)
        if not path.is_file():
            problems.append(f"{key} is missing from storage")
        elif storage.hash_file(path) != expected:
            problems.append(f"{key} in storage does not have the SHA-256 recorded")
    unlisted = set(db.session.scalars(sa.select(EvidenceFile.storage_key).distinct())) - listed.keys()
    if unlisted:
        problems.append(f"{counted(len(unlisted), 'evidence file')} in the database are not in the manifest")
    chain, recorded = audit.verify_chain(), manifest["audit_chain"]
    if not chain.whole:
        problems.append(f"the audit chain is broken: {chain.problem}")
    elif (chain.checked, chain.head_hash) != (recorded["length"], recorded["head_hash"]):
        problems.append(
            f"the audit chain has {chain.checked} events ending at {chain.head_hash}, where the manifest "
            f"records {recorded['length']} ending at {recorded['head_hash']}"
        )
    db.session.rollback()
    return problems


# ------------------------------------------------------------------------------------------------- wording


def _first(problems: list[str]) -> str:
    more = len(problems) - 1
    return problems[0] + (f" (and {counted(more, 'more problem')})" if more else "")


def _how(manifest: dict[str, Any]) -> str:
    database = manifest["database"]
    if database["method"] == SQLITE_API:
        return "copied with SQLite's online backup API"
    if database["method"] == PG_DUMP:
        return f"dumped by {database.get('tool') or 'pg_dump'}"
    return f"copied row by row as JSON lines, because {database.get('why') or 'pg_dump could not be used'}"


def _rows(manifest: dict[str, Any]) -> str:
    return f"{sum(manifest['tables'].values()):,}"


def _bytes(manifest: dict[str, Any]) -> int:
    return sum(entry["size_bytes"] for entry in manifest["files"])


def _size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return counted(size, "byte")
