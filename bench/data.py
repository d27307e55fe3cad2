"""The benchmark's databases: generated once per scale, on SQLite and optionally PostgreSQL, and scratch
copies.

A SQLite database is reused when its marker says it was generated with the same seed by the same
generator and migrations; generating the region takes minutes. PostgreSQL databases are created
fresh on every run. Measurements that write (exports record audit events, sign-ins, the upload) run
on a scratch copy, so the generated databases stay exactly as generated.
"""

import hashlib
import json
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench import PEOPLE, ROOT, SEED, WORK, BenchError, app_env, run_logged


@dataclass(frozen=True)
class Database:
    backend: str  # "sqlite" or "postgresql"
    scale: str
    url: str
    storage: Path
    seconds_to_generate: float | None = None  # None when an earlier run's database was reused

    @property
    def label(self) -> str:
        return f"{self.backend}-{self.scale}"


def generator_files() -> list[Path]:
    """What the data depends on: the generator (or the small demo) and every migration."""
    pattern = "tracker_dev/*.py" if PEOPLE.generate else "tracker/demo/*.py"
    generators = sorted(ROOT.glob(pattern))
    if not generators:
        raise BenchError("tracker_dev/ is missing, so `flask demo generate` cannot make the data")
    return generators + sorted(path for path in ROOT.glob("migrations/versions/*") if path.is_file())


def generator_hash() -> str:
    digest = hashlib.sha256()
    for path in generator_files():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _name(scale: str) -> str:
    return scale if PEOPLE.generate else f"small-demo-{scale}"


def _populate(url: str, storage: Path, scale: str, label: str) -> float:
    """Migrate the empty database and fill it; returns how long that took."""
    started = time.perf_counter()
    env = app_env(url, storage, DEMO_PASSWORD=PEOPLE.password, GENERATED_PASSWORD=PEOPLE.password)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run_logged([*flask, "db", "upgrade"], env, f"migrate-{label}", f"`flask db upgrade` for {label}")
    fill = (
        ["demo", "generate", "--scale", scale, "--seed", str(SEED)] if PEOPLE.generate else ["demo", "load"]
    )
    run_logged([*flask, *fill], env, f"generate-{label}", f"`flask {' '.join(fill)}` for {label}")
    return time.perf_counter() - started


def prepare_sqlite(scale: str) -> Database:
    """bench/work/sqlite-<scale>.db, reused when its marker matches, otherwise generated afresh."""
    WORK.mkdir(parents=True, exist_ok=True)
    path, storage = WORK / f"sqlite-{_name(scale)}.db", WORK / f"sqlite-{_name(scale)}-files"
    marker = path.with_suffix(".marker.json")
    wanted = {"seed": SEED, "generator_and_migrations_sha256": generator_hash(), "generate": PEOPLE.generate}
    url = f"sqlite:///{path}"
    if path.exists() and storage.is_dir() and marker.exists() and json.loads(marker.read_text()) == wanted:
        return Database("sqlite", scale, url, storage)
    marker.unlink(missing_ok=True)
    _remove_sqlite(path)
    shutil.rmtree(storage, ignore_errors=True)
    seconds = _populate(url, storage, scale, f"sqlite-{scale}")
    marker.write_text(json.dumps(wanted, indent=2))
    return Database("sqlite", scale, url, storage, seconds)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _server(server_url: str) -> str:
    """The server URL as psycopg takes it (no SQLAlchemy driver suffix)."""
    return server_url.replace("postgresql+psycopg://", "postgresql://", 1).replace(
        "postgres://", "postgresql://", 1
    )


def _on_server(server_url: str, *statements: str) -> None:
    import psycopg  # only needed when BENCH_DATABASE_URL is set

    try:
        with psycopg.connect(_server(server_url), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
    except psycopg.Error as error:
        raise BenchError(
            f"PostgreSQL at BENCH_DATABASE_URL refused: {str(error).strip().splitlines()[0]}"
        ) from None


def _database_url(server_url: str, name: str) -> str:
    return urlsplit(_server(server_url))._replace(path=f"/{name}").geturl()


def prepare_postgres(server_url: str, scale: str) -> Database:
    """A fresh database bench_<scale> on the server, migrated and generated."""
    name = f"bench_{_name(scale).replace('-', '_')}"
    storage = WORK / f"postgresql-{_name(scale)}-files"
    shutil.rmtree(storage, ignore_errors=True)
    _on_server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    url = _database_url(server_url, name)
    seconds = _populate(url, storage, scale, f"postgresql-{scale}")
    return Database("postgresql", scale, url, storage, seconds)


def scratch_copy(database: Database, server_url: str | None = None) -> Database:
    """A throwaway copy of the database, sharing its (read-only) evidence files."""
    if database.backend == "sqlite":
        source = Path(database.url.removeprefix("sqlite:///"))
        target = WORK / f"{source.stem}-scratch.db"
        _remove_sqlite(target)
        with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
            original.backup(copy)
        original.close()
        copy.close()
        return Database("sqlite", database.scale, f"sqlite:///{target}", database.storage)
    assert server_url is not None
    name = urlsplit(database.url).path.lstrip("/")
    _on_server(
        server_url,
        f'DROP DATABASE IF EXISTS "{name}_scratch" WITH (FORCE)',
        f'CREATE DATABASE "{name}_scratch" TEMPLATE "{name}"',
    )
    return Database(
        "postgresql", database.scale, _database_url(server_url, f"{name}_scratch"), database.storage
    )


def postgres_version(server_url: str) -> str:
    """The server's version; asked first, so that an unreachable server fails the run before it starts."""
    import psycopg

    try:
        with psycopg.connect(_server(server_url), autocommit=True, connect_timeout=10) as connection:
            return str(connection.execute("SHOW server_version").fetchone()[0])
    except psycopg.Error as error:
        raise BenchError(
            f"PostgreSQL at BENCH_DATABASE_URL refused: {str(error).strip().splitlines()[0]}"
        ) from None


def drop_scratch(database: Database, server_url: str | None = None) -> None:
    if database.backend == "sqlite":
        _remove_sqlite(Path(database.url.removeprefix("sqlite:///")))
    else:
        name = urlsplit(database.url).path.lstrip("/")
        _on_server(server_url or "", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
