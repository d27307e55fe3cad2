"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a clean database for every test, and a signed-in test client per role."""

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestConfig, database_url
from tests import factories
from tracker import create_app
from tracker.auth.sessions import signed_in_fields
from tracker.extensions import db, limiter
from tracker.models import Role


def _database_url(tmp_path_factory) -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return database_url(os.environ["TEST_DATABASE_URL"], "")
    # a file, not memory, so that the live server's thread sees the same database
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


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
def database_uri(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_uri, tmp_path_factory):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        TRACKER_STORAGE_DIR = str(tmp_path_factory.mktemp("evidence"))

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
        for table in tables:
            db.session.execute(table.delete())
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


@pytest.fixture
def demo(app):
    """The demo partnership loaded as `flask demo load` loads it,
    every account's password factories.DEMO_PASSWORD."""
    from tracker.demo.services import load_demo

    load_demo(factories.DEMO_PASSWORD)


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
