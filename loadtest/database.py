"""A fresh database for each run: SQLite in loadtest/work/, or the PostgreSQL database `tracker_loadtest`
dropped and created again; then the migrations, the demo partnership and the extra people
(`loadtest.people`)."""

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from loadtest import PASSWORD, USERS, WORK, LoadError, app_env, python, run_logged

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/tracker_loadtest"
OFF = {"", "0", "none", "off", "no"}


@dataclass(frozen=True)
class Database:
    backend: str  # "sqlite" or "postgresql"
    url: str
    storage: Path
    label: str  # backend and scenario: names the logs


def postgres_url() -> tuple[str | None, str]:
    """The PostgreSQL database the load uses, and why: LOADTEST_DATABASE_URL when set (`none` for SQLite
    only), otherwise tracker_loadtest on 127.0.0.1:5432 when a server answers there."""
    chosen = os.environ.get("LOADTEST_DATABASE_URL")
    if chosen is not None:
        if chosen.strip().lower() in OFF:
            return None, "not run: LOADTEST_DATABASE_URL=none"
        if not chosen.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise LoadError("LOADTEST_DATABASE_URL must be a postgresql:// URL, or none")
        return _with_database(chosen), "LOADTEST_DATABASE_URL"
    try:
        server_version(DEFAULT_POSTGRES)
    except LoadError:
        return (
            None,
            "not run: no PostgreSQL answered at 127.0.0.1:5432 (set LOADTEST_DATABASE_URL to use "
            "one elsewhere)",
        )
    return DEFAULT_POSTGRES, "found at 127.0.0.1:5432"


def _with_database(url: str) -> str:
    parts = urlsplit(
        url.replace("postgresql+psycopg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)
    )
    return urlunsplit(parts._replace(path=parts.path if parts.path.strip("/") else "/tracker_loadtest"))


def _maintenance(url: str) -> str:
    """The same server, its `postgres` database: where one creates and drops others."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _name(url: str) -> str:
    return urlsplit(url).path.strip("/")


def _on_server(url: str, *statements: str) -> Any:
    import psycopg  # noqa: PLC0415

    try:
        with psycopg.connect(_maintenance(url), autocommit=True, connect_timeout=5) as connection:
            result = None
            for statement in statements:
                result = (
                    connection.execute(statement).fetchone()
                    if statement.startswith("SHOW")
                    else connection.execute(statement)
                )
            return result
    except psycopg.Error as error:
        raise LoadError(
            f"PostgreSQL at {urlsplit(url).netloc}: {str(error).strip().splitlines()[0]}"
        ) from None


def server_version(url: str) -> str:
    return _on_server(url, "SHOW server_version")[0]


def fresh(backend: str, scenario: str, postgres: str | None) -> Database:
    label = f"{backend}-{scenario}"
    storage = WORK / "files" / label
    shutil.rmtree(storage, ignore_errors=True)
    storage.mkdir(parents=True)
    if backend == "sqlite":
        path = WORK / f"{label}.db"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return Database(backend, f"sqlite:///{path}", storage, label)
    name = _name(postgres)
    _on_server(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return Database(backend, postgres, storage, label)


def drop(database: Database) -> None:
    if database.backend == "postgresql" and not os.environ.get("LOADTEST_KEEP"):
        _on_server(database.url, f'DROP DATABASE IF EXISTS "{_name(database.url)}" WITH (FORCE)')


def populate(database: Database) -> dict[str, Any]:
    """Migrations, the demo, the extra people; returns what the load needs to know (people,
    findings, actions)."""
    env = app_env(database.url, database.storage, DEMO_PASSWORD=PASSWORD)
    flask = python("flask", "--app", "wsgi")
    run_logged(
        [*flask, "db", "upgrade"], env, f"upgrade-{database.label}", f"flask db upgrade on {database.label}"
    )
    run_logged(
        [*flask, "demo", "load"], env, f"demo-{database.label}", f"flask demo load on {database.label}"
    )
    out = WORK / f"people-{database.label}.json"
    run_logged(
        python("loadtest.people", str(USERS), str(out)),
        env,
        f"people-{database.label}",
        f"adding people on {database.label}",
    )
    return json.loads(out.read_text())
