"""Database settings that depend on the engine (SQLite gets WAL, a busy timeout and foreign keys), ending each
request's session even when the database has just dropped its connection, a guard against a crash of
CPython 3.11 when the ORM lets go of many objects, and moving PostgreSQL's
id sequences past rows inserted with explicit ids (the generator and the restore of a logical backup)."""

import sys
from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, current_app
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


def end_session_quietly(_error: BaseException | None = None) -> None:
    """End the request's session; if the database dropped the connection under it (PostgreSQL restarting), let the
    connection go without the rollback it can no longer take.

    Runs before Flask-SQLAlchemy's own teardown (registered later, so called first). Without it, a page that was
    drawn in full before the restart cut its connection was replaced by a bare 500 when the session's closing
    rollback failed. Nothing is lost: the database ends a transaction whose connection it closed, and every write
    that was accepted had already been committed.
    """
    try:
        db.session.remove()
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated and not isinstance(error, sa.exc.OperationalError):
            raise
        current_app.logger.warning("The database closed the connection before the request ended: %s", error.orig)
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
        InstanceState._cleanup = _forget_collected


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
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                                       f"(SELECT max(id) FROM {quote(name)}))"), {"table": quote(name)})
