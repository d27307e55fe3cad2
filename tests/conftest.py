"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a clean database for every test, and a signed-in test client per role.

The suite runs in parallel with pytest-xdist (`-n auto` in pyproject.toml's addopts). Each worker
(PYTEST_XDIST_WORKER: gw0, gw1, ...) has its own database (a SQLite file in its own temporary folder,
or on PostgreSQL a database of its own made from TEST_DATABASE_URL's and dropped at the end), its own
evidence folder, its own live server on a free port and its own Redis key prefix.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestConfig, database_url
from tests import factories
from tracker import create_app, storage
from tracker.auth.sessions import signed_in_fields
from tracker.database import reset_sequences
from tracker.dates import today
from tracker.extensions import db, limiter
from tracker.models import Role

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... under pytest-xdist; empty in one process


def _own_postgresql_database(given: str):
    """A worker's own PostgreSQL database, named after the given one (tracker_ci_gw0), made empty now and
    dropped when the worker is done; `given` is used only to issue CREATE and DROP DATABASE."""
    url = sa.engine.make_url(given)
    own = url.set(database=f"{url.database}_{WORKER}")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()


def _drop_everything() -> None:
    """Start PostgreSQL runs from an empty schema, as a fresh installation would."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))


class FreshRequestClient(FlaskClient):
    """Each request starts with an empty `g`, as it would in production.

    Tests hold an app context open (for factories and queries), and Flask reuses it for
    requests, so without this the signed-in user cached in `g` would leak between clients.
    """

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def worker_folder(tmp_path_factory):
    """This worker's folder for the SQLite database and the evidence files: in memory (/dev/shm) where the
    machine has it, where SQLite's and the storage's fsync at every commit cost nothing (about 7% of the
    suite's time on disk); what the tests see of either is the same."""
    shared_memory = Path("/dev/shm")
    if not (shared_memory.is_dir() and os.access(shared_memory, os.W_OK)):
        yield tmp_path_factory.mktemp("worker")
        return
    folder = Path(tempfile.mkdtemp(prefix=f"tracker-tests-{WORKER or 'main'}-", dir=shared_memory))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database_uri(worker_folder):
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        # a file, not memory, so that the live server's thread sees the same database
        yield f"sqlite:///{worker_folder / 'test.db'}"
    elif WORKER:
        yield from _own_postgresql_database(database_url(given, ""))
    else:
        yield database_url(given, "")


@pytest.fixture(scope="session")
def app(database_uri, worker_folder):
    (worker_folder / "evidence").mkdir(exist_ok=True)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        TRACKER_STORAGE_DIR = str(worker_folder / "evidence")

    app = create_app(Config)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        _drop_everything()
        upgrade()  # the real migrations build the schema, on SQLite and PostgreSQL alike
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_folder(folder: Path) -> None:
    for child in folder.iterdir() if folder.exists() else []:
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def _empty_all_tables() -> None:
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # on the session's connection, not through the session: a DELETE through the session makes the kept
        # figures mark every row at commit (tracker/readiness/kept_figures.py), work for tables emptied here
        connection = db.session.connection()
        for table in tables:
            connection.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def app_context(app):
    """Each test runs in an app context and leaves the database empty behind it."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        limiter.reset()  # sign-in throttling stays on in tests; each test starts with no failures counted
        _empty_folder(Path(app.config["TRACKER_STORAGE_DIR"]))


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class _Copy:
    """Every row of every table, and the evidence folder's files, as one moment left them."""

    rows: list[tuple[sa.Table, list[dict]]]
    files: Path


def _copy_everything(folder: Path) -> _Copy:
    with db.engine.connect() as connection:
        rows = [
            (table, [dict(row._mapping) for row in connection.execute(table.select())])
            for table in db.metadata.sorted_tables
        ]
    shutil.copytree(storage.root(), folder)
    return _Copy(rows, folder)


def _put_back(copy: _Copy) -> None:
    """Write the rows back with their own ids, parents first, into the empty database each test starts with,
    and the files back into the evidence folder."""
    with db.engine.begin() as connection:
        for table, rows in copy.rows:
            if rows:
                connection.execute(table.insert(), rows)
    reset_sequences(table.name for table, rows in copy.rows if rows)  # PostgreSQL: new ids follow on
    db.session.commit()
    shutil.copytree(copy.files, storage.root(), dirs_exist_ok=True)


_demo_copies: dict[date, _Copy] = {}


@pytest.fixture
def demo(app, tmp_path_factory):
    """The demo partnership loaded as `flask demo load` loads it,
    every account's password factories.DEMO_PASSWORD.

    Loading it takes seconds (a readiness snapshot for every day since the findings), so each worker loads
    it for real once a day and later tests get that load back: every row with its id, and every stored file.
    tests/unit/test_demo.py tests load_demo itself."""
    from tracker.demo.services import load_demo

    copy = _demo_copies.get(today())
    if copy is None:
        load_demo(factories.DEMO_PASSWORD)
        _demo_copies[today()] = _copy_everything(tmp_path_factory.mktemp("demo") / "evidence")
    else:
        _put_back(copy)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def sign_in(client, user) -> None:
    fields = signed_in_fields(user.id)  # a session record in the database, as start_session makes
    with client.session_transaction() as session:
        session.update(fields)


@pytest.fixture
def client_as(app):
    """client_as(Role.LEADER) or client_as(user): a test client signed in as that person."""

    def make(who):
        user = factories.UserFactory(role=who) if isinstance(who, Role) else who
        test_client = app.test_client()
        sign_in(test_client, user)
        test_client.user = user
        return test_client

    return make


@pytest.fixture
def leader_client(client_as):
    return client_as(Role.LEADER)


@pytest.fixture
def officer_client(client_as):
    return client_as(Role.OFFICER)


@pytest.fixture
def viewer_client(client_as):
    return client_as(Role.VIEWER)


@pytest.fixture
def admin_client(client_as):
    return client_as(Role.ADMIN)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: it proves nothing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and session.exitstatus == 0:
        reporter.write_line(
            f"{skipped} test(s) were skipped, and CI counts a skipped test as a failure.", red=True
        )
        session.exitstatus = 1
