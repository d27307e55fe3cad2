"""Database settings that depend on the engine (SQLite gets WAL, a busy timeout and foreign keys),
and a guard against a crash of CPython 3.11 when the ORM lets go of many objects."""

import sys

import sqlalchemy as sa
from flask import Flask
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
