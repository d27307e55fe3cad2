"""The three ways a backup copies the database, and restores that copy (docs/backup.md).

- `sqlite-backup-api`: SQLite's online backup API copies every page in one step, so inside one read
  transaction: with WAL the application goes on writing meanwhile. The restore copies the pages back.
- `pg_dump`: one REPEATABLE READ transaction exports its snapshot and `pg_dump` dumps exactly that snapshot
  (custom format, no owners or privileges). `pg_restore` restores it in one transaction.
- `logical`: when no `pg_dump` on PATH can dump the server, the same transaction writes every table itself,
  as JSON lines; the restore inserts them table by table and moves the id sequences on.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import sqlalchemy as sa
from flask_migrate import upgrade

from tracker import audit
from tracker.backup import BackupError
from tracker.database import reset_sequences
from tracker.extensions import db
from tracker.readiness.kept_figures import copied_as_they_were

SQLITE_API, PG_DUMP, LOGICAL = "sqlite-backup-api", "pg_dump", "logical"
# each method: the kind of database it copies, and the name of its copy in the backup folder
METHODS = {
    SQLITE_API: ("sqlite", "database.sqlite3"),
    PG_DUMP: ("postgresql", "database.dump"),
    LOGICAL: ("postgresql", "database.jsonl"),
}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_BATCH = 1000
# Under these, PostgreSQL writes every value in the same text form whatever the server's defaults (a float
# with extra_float_digits above 0 is written in full, so it reads back as the same number).
_PORTABLE = {
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "TimeZone": "UTC",
    "extra_float_digits": "3",
    "bytea_output": "hex",
}

Snapshot = tuple[sa.Connection, dict[str, Any]]


@contextmanager
def snapshot(folder: Path) -> Iterator[Snapshot]:
    """Copy the database into the folder. Yields a connection that reads the copy (or the very snapshot it
    was made from) and what the manifest should say about the copy: its kind, method and file."""
    kind = db.engine.dialect.name
    if kind == "sqlite":
        with _sqlite_copy(folder) as taken:
            yield taken
    elif kind == "postgresql":
        with _postgresql_snapshot(folder) as taken:
            yield taken
    else:
        raise BackupError(f"Backing up a {kind} database is not supported: only SQLite and PostgreSQL.")


def restore(method: str, copy: Path, tool: str | None, bare: bool, migration: str) -> None:
    """Restore the copy into this installation's database, which the caller has found empty."""
    if method == SQLITE_API:
        _restore_sqlite(copy)
    elif method == PG_DUMP:
        assert tool is not None, "a pg_dump copy is restored with pg_restore_for's tool"
        _restore_pg_dump(copy, tool)
    else:
        _restore_logical(copy, bare, migration)


def in_memory() -> bool:
    return db.engine.dialect.name == "sqlite" and db.engine.url.database in (None, "", ":memory:")


# ------------------------------------------------------------------------------------------------- SQLite


@contextmanager
def _sqlite_copy(folder: Path) -> Iterator[Snapshot]:
    if in_memory():
        raise BackupError("The database is in memory: there is no file to back up.")
    copy = folder / METHODS[SQLITE_API][1]
    source = db.engine.raw_connection()
    try:
        target = sqlite3.connect(copy)
        try:
            # pages=-1: every page in one step, so in one read transaction, whatever is written meanwhile
            cast(sqlite3.Connection, source.driver_connection).backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")  # the copy is one file, with no -wal beside it
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}.") from None
    finally:
        source.close()
    engine = sa.create_engine("sqlite://", creator=lambda: _read_only(copy), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            yield (
                connection,
                {
                    "kind": "sqlite",
                    "method": SQLITE_API,
                    "file": copy.name,
                    "sqlite_version": sqlite3.sqlite_version,
                },
            )
    finally:
        engine.dispose()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True)


def _restore_sqlite(copy: Path) -> None:
    """Copy every page of the backup into the configured database: the whole database is replaced, schema
    and migration included, whether it was new or migrated (and empty)."""
    db.session.close()
    source = _read_only(copy)
    target = db.engine.raw_connection()
    try:
        source.backup(cast(sqlite3.Connection, target.driver_connection), pages=-1)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not restore the copy: {error}.") from None
    finally:
        target.close()
        source.close()
    db.engine.dispose()  # no pooled connection keeps what it knew of the database before


# --------------------------------------------------------------------------------------------- PostgreSQL


@contextmanager
def _postgresql_snapshot(folder: Path) -> Iterator[Snapshot]:
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            _portable_settings(connection)
            server = connection.dialect.server_version_info
            assert server is not None  # known once connected
            about: dict[str, Any] = {
                "kind": "postgresql",
                "server_version": ".".join(str(part) for part in server),
            }
            tool, version, why_not = _pg_dump_for(server[0])
            if tool:
                snapshot_id = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
                _run_pg_dump(tool, snapshot_id, folder / METHODS[PG_DUMP][1])
                about |= {"method": PG_DUMP, "file": METHODS[PG_DUMP][1], "tool": version}
            else:
                _write_logical(connection, folder / METHODS[LOGICAL][1])
                about |= {"method": LOGICAL, "file": METHODS[LOGICAL][1], "why": why_not}
            yield connection, about


def _portable_settings(connection: sa.Connection) -> None:
    for name, value in _PORTABLE.items():  # for this transaction only
        connection.execute(sa.text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def _pg_dump_for(server_major: int) -> tuple[str | None, str | None, str]:
    """(pg_dump's path, its version, "") when it can dump this server; otherwise (None, version, why not)."""
    tool = shutil.which("pg_dump")
    if tool is None:
        return None, None, "pg_dump is not on PATH"
    version = tool_version(tool)
    major = major_version(version)
    if major is None:
        return None, None, f"{tool} --version did not say its version"
    if major < server_major:
        return None, version, f"{version} cannot dump a PostgreSQL {server_major} server"
    return tool, version, ""


def tool_version(tool: str) -> str | None:
    try:
        answer = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return answer.stdout.strip()


def major_version(version: str | None) -> int | None:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"."""
    found = re.search(r"\)\s*(\d+)", version or "") or re.search(r"(\d+)", version or "")
    return int(found.group(1)) if found else None


def pg_restore_for(dumped_with: str | None) -> str:
    """pg_restore's path, when it can read a dump made by `dumped_with`; otherwise a BackupError."""
    needed = major_version(dumped_with)
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupError(
            f"pg_restore is not on PATH: install PostgreSQL's client programs (version {needed} or "
            "newer) to restore this backup."
        )
    version = tool_version(tool)
    if needed and (major_version(version) or 0) < needed:
        raise BackupError(
            f"This backup was dumped by pg_dump {needed}, which {version or tool} cannot read: "
            f"install PostgreSQL's client programs, version {needed} or newer."
        )
    return tool


def libpq_connection() -> tuple[str, dict[str, str]]:
    """The database's address for PostgreSQL's own programs, and their environment. The password goes in
    PGPASSWORD, never on the command line, where anyone on the machine could read it."""
    url = db.engine.url
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, environment


def _run_pg_dump(tool: str, snapshot_id: str, dump: Path) -> None:
    address, environment = libpq_connection()
    done = subprocess.run(
        [
            tool,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot_id}",
            f"--file={dump}",
            f"--dbname={address}",
        ],
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump could not dump the database: {_last_line(done.stderr)}")


def _restore_pg_dump(dump: Path, tool: str) -> None:
    """pg_restore in one transaction. --clean first drops the tables of a database migrated to the backup's
    revision (they are empty) and makes them again from the dump; a new, bare database simply gets them."""
    address, environment = libpq_connection()
    db.session.close()  # nothing of ours holds a lock on the tables pg_restore drops
    done = subprocess.run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={address}",
            str(dump),
        ],
        env=environment,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore could not restore the dump, so nothing was restored: {_last_line(done.stderr)}"
        )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "it gave no reason"


# ----------------------------------------------------------------------------------- the logical copy


def _write_logical(connection: sa.Connection, path: Path) -> None:
    """Every table but alembic_version (the manifest names the migration), parents before children.

    Each table is a header line, {"table", "columns", "rows"}, then one JSON array per row, in primary key
    order, of each value in PostgreSQL's own text form (what COPY writes), or null.
    """
    inspector = sa.inspect(connection)
    with path.open("w", encoding="utf-8") as out:
        for name in [name for name, _ in inspector.get_sorted_table_and_fkc_names() if name]:
            if name == "alembic_version":
                continue
            columns = [column["name"] for column in inspector.get_columns(name)]
            table = sa.table(name, *(sa.column(column) for column in columns))
            order = inspector.get_pk_constraint(name)["constrained_columns"] or columns
            count = connection.scalar(sa.select(sa.func.count()).select_from(table))
            out.write(_line({"table": name, "columns": columns, "rows": count}))
            rows = connection.execute(
                sa.select(*(sa.cast(table.c[column], sa.Text) for column in columns)).order_by(
                    *(table.c[column] for column in order)
                ),
                execution_options={"yield_per": _BATCH},
            )
            for row in rows:
                out.write(_line(list(row)))
        out.flush()
        os.fsync(out.fileno())


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _restore_logical(copy: Path, bare: bool, migration: str) -> None:
    """Make the schema at the backup's migration (unless it is there already), insert every table's rows in
    the order they were written, move each id sequence past its largest id, and commit once."""
    if bare:
        upgrade(revision=migration)
    try:
        connection = db.session.connection()
        _portable_settings(connection)
        db.session.execute(
            sa.delete(audit.AuditChainHead)
        )  # a new database's empty chain: the backup's replaces it
        with copy.open(encoding="utf-8") as lines:
            loaded = _insert_tables(sa.inspect(connection), (json.loads(line) for line in lines))
        reset_sequences(name for name in loaded if name in db.metadata.tables)
        # the kept dashboard figures are copied as they were, with the rows they were worked out from
        copied_as_they_were(db.session())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _insert_tables(inspector: sa.Inspector, items: Iterator[Any]) -> list[str]:
    """Insert the rows that follow each table's header, a batch at a time, checking each table's count."""
    loaded: list[str] = []
    header: dict[str, Any] | None = None
    statement: sa.Insert | None = None
    batch: list[list[Any]] = []
    inserted = 0

    def flush() -> None:
        nonlocal inserted
        if batch:
            assert statement is not None, "each table's rows follow its header"
            db.session.execute(statement, [{f"v{i}": value for i, value in enumerate(row)} for row in batch])
            inserted += len(batch)
            batch.clear()

    def finish_table() -> None:
        flush()
        if header is not None and inserted != header["rows"]:
            raise BackupError(
                f"The copy of table {header['table']} has {inserted} rows where its header says "
                f"{header['rows']}: nothing was restored."
            )

    for item in items:
        if isinstance(item, dict):
            finish_table()
            header, statement, inserted = item, _insert_for(inspector, item), 0
            loaded.append(item["table"])
        else:
            batch.append(item)
            if len(batch) >= _BATCH:
                flush()
    finish_table()
    return loaded


def _insert_for(inspector: sa.Inspector, header: dict[str, Any]) -> sa.Insert:
    """An INSERT of one table's rows, each value cast from its text form to its column's type here."""
    types = {column["name"]: column["type"] for column in inspector.get_columns(header["table"])}
    missing = [name for name in header["columns"] if name not in types]
    if not types or missing:
        what = f"column {missing[0]} in table" if types else "table"
        raise BackupError(
            f"The database has no {what} {header['table']}: it is not at the backup's migration. "
            "Nothing was restored."
        )
    table = sa.table(header["table"], *(sa.column(name) for name in header["columns"]))
    return sa.insert(table).values(
        {
            name: sa.cast(sa.bindparam(f"v{i}", type_=sa.Text), types[name])
            for i, name in enumerate(header["columns"])
        }
    )
