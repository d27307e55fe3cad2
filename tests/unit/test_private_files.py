"""The SQLite database and the secret key are for their owner only (0600), however they come to be made."""

import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config import BASE_DIR, TestConfig
from tracker import create_app


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wide_umask():
    """The usual umask, which leaves new files readable by every local user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def connect_to(url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        from tracker.extensions import db

        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE probe (id INTEGER)")
            connection.commit()
        db.engine.dispose()


def test_a_new_sqlite_database_is_made_for_its_owner_only(tmp_path, wide_umask):
    database = tmp_path / "tracker.db"
    connect_to(f"sqlite:///{database}")
    assert mode(database) == 0o600
    made = [path for path in tmp_path.iterdir() if path.name.startswith("tracker.db")]
    assert all(mode(path) == 0o600 for path in made), {path.name: oct(mode(path)) for path in made}


def test_a_missing_instance_folder_is_made_for_its_owner_only_before_the_database(tmp_path, wide_umask):
    database = tmp_path / "instance" / "tracker.db"
    connect_to(f"sqlite:///{database}")
    assert mode(database.parent) == 0o700 and mode(database) == 0o600


def test_an_existing_database_others_could_read_is_narrowed_with_a_warning(tmp_path, wide_umask, caplog):
    database = tmp_path / "tracker.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        connect_to(f"sqlite:///{database}")
    assert mode(database) == 0o600
    assert (
        f"{database} could be read by other users (mode 644): it is now for its owner only (600)."
        in caplog.text
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_gives_the_secret_key_to_its_owner_only_and_narrows_one_left_readable(tmp_path, wide_umask):
    def make_secret_key() -> str:
        done = subprocess.run(
            ["make", "-s", "-f", str(BASE_DIR / "Makefile"), "secret-key", f"PY={sys.executable}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    assert make_secret_key() == ""
    key = tmp_path / "instance" / "secret_key"
    assert mode(key) == 0o600 and mode(key.parent) == 0o700 and len(key.read_text().strip()) == 64
    made = key.read_text()
    key.chmod(0o644)
    assert (
        make_secret_key()
        == "instance/secret_key could be read by other users: it is now for its owner only (600).\n"
    )
    assert mode(key) == 0o600 and key.read_text() == made  # the same key, narrowed


def test_a_backup_writes_the_database_copy_for_its_owner_only_from_the_start(
    app, runner, tmp_path, wide_umask, monkeypatch
):
    folder = tmp_path / "backup"
    folder.mkdir()
    folder.chmod(0o755)  # a folder the person chose, that others can open
    modes_at_creation = {}
    real_connect = sqlite3.connect

    def connect(target, *args, **kwargs):
        connection = real_connect(target, *args, **kwargs)
        if isinstance(target, Path) and target.parent == folder:
            modes_at_creation[target.name] = mode(target)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    result = runner.invoke(args=["backup", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert modes_at_creation == {"database.sqlite3": 0o600}
    written = [path for path in folder.rglob("*") if path.is_file()]
    assert written and all(mode(path) == 0o600 for path in written), {str(p): oct(mode(p)) for p in written}
