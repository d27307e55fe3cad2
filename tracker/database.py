"""Database settings that depend on the engine (SQLite gets WAL, a busy timeout, foreign keys and a file only
its owner can read), ending each request's session even when the database has just dropped its connection, a
guard against a crash of CPython 3.11 when the ORM lets go of many objects, moving PostgreSQL's id
sequences past rows inserted with explicit ids (the generator and the restore of a logical backup), and the
one INSERT ... ON CONFLICT DO NOTHING both databases take."""

import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.state import InstanceState

from tracker.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def configure_sqlite(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            database = engine.url.database
            if database and _sqlite_file(engine.url):
                sa.event.listen(engine, "do_connect", _private_sqlite_file(Path(database), app.logger))


def _sqlite_file(url: sa.URL) -> bool:
    database = url.database or ""
    return (
        database not in ("", ":memory:")
        and not database.startswith("file:")
        and url.query.get("mode") != "memory"
    )


def _private_sqlite_file(path: Path, logger):
    """Before SQLite opens the database: create it for its owner only (0600), or narrow one others could read;
    a missing folder for it (instance/ before the first run) is made for its owner only (0700) when the
    folder above it exists.

    The database holds children's data and password hashes; SQLite itself creates a file as the umask allows
    (usually readable by every local user). Its -wal and -shm files take the database file's mode.
    """

    def before_connecting(*_args) -> None:
        if not path.parent.exists() and path.parent.parent.is_dir():
            path.parent.mkdir(mode=0o700)  # instance/ on a fresh checkout, for its owner only like the file
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except FileNotFoundError:
            return  # no such folder, nor its parent: SQLite says so when it connects
        for each in (path, *(path.with_name(path.name + tail) for tail in ("-wal", "-shm", "-journal"))):
            keep_private(each, logger)

    return before_connecting


def keep_private(path: Path, logger) -> None:
    """Narrow a file that other local users could read or write to its owner only (0600),
    saying so in the log."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if not mode & 0o077:
        return
    try:
        path.chmod(0o600)
    except PermissionError:
        logger.warning(
            "%s can be read by other users (mode %o) and this service may not change that: chmod 600 it.",
            path,
            mode,
        )
    else:
        logger.warning(
            "%s could be read by other users (mode %o): it is now for its owner only (600).", path, mode
        )


def end_session_quietly(_error: BaseException | None = None) -> None:
    """End the request's session; if the database dropped the connection under it (PostgreSQL restarting), let
    the connection go without the rollback it can no longer take.

    Runs before Flask-SQLAlchemy's own teardown (registered later, so called first). Without it, a page that
    was drawn in full before the restart cut its connection was replaced by a bare 500 when the session's
    closing rollback failed. Nothing is lost: the database ends a transaction whose connection it closed, and
    every write that was accepted had already been committed.
    """
    try:
        db.session.remove()
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated and not isinstance(error, sa.exc.OperationalError):
            raise
        current_app.logger.warning(
            "The database closed the connection before the request ended: %s", error.orig
        )
        db.session().invalidate()
        db.session.remove()


def end_sessions_quietly(app: Flask) -> None:
    app.teardown_appcontext(end_session_quietly)


def _forget_collected(state: InstanceState, _ref) -> None:
    """InstanceState._cleanup, the callback SQLAlchemy runs when a loaded object is garbage collected,
    less its last line, which resets the state's session_id and _strong_obj.

    On CPython 3.11 (seen on 3.11.2 and 3.11.7, not on 3.12) writing those attributes from inside
    the callback, while the interpreter is freeing a list of loaded rows, corrupts a dictionary:
    valgrind shows it read after it was freed, and the worker dies with a segmentation fault
    (reproduced by tests/unit/test_database.py). The reset is not needed: the object is gone, and
    the state is dropped from the identity map here and referenced by nothing else.
    """
    instance_dict = state._instance_dict()
    if instance_dict is not None:
        instance_dict._fast_discard(state)
        del state._instance_dict


def guard_against_cpython_311_crash() -> None:
    if sys.version_info < (3, 12):
        # a patch of SQLAlchemy's own method, which no type allows
        InstanceState._cleanup = _forget_collected  # type: ignore[method-assign, assignment]


def database_answers() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False


def reset_sequences(table_names: Iterable[str]) -> None:
    """PostgreSQL hands out ids from a sequence that explicit ids do not move: move it past the largest."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite gives the next row max(id) + 1
    quote = bind.dialect.identifier_preparer.quote
    for name in table_names:
        if "id" in db.metadata.tables[name].c:
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                    f"(SELECT max(id) FROM {quote(name)}))"
                ),
                {"table": quote(name)},
            )


def insert_once(model: Any, values: dict[str, Any] | None = None) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, as SQLite and PostgreSQL both write it: a row that a unique
    constraint says exists already is left alone, whoever inserted it and whenever. On PostgreSQL, a row
    another transaction has inserted but not yet committed makes it wait for that one to end."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    if values is not None:
        insert = insert.values(values)
    return insert.on_conflict_do_nothing()
