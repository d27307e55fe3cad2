"""`make loadtest`: 50 people signed in at once reading, reporting progress and uploading evidence against
gunicorn with 4 workers, on SQLite and PostgreSQL, with faults injected part-way (a worker killed, PostgreSQL
restarted); then every write the server accepted is looked for in the database, and the audit chain verified.

Run with `python -m loadtest` (see loadtest/README.md). The load itself is Locust, used as a library, in a
process of its own (`loadtest.swarm`, which gevent patches); this parent only prepares the databases, runs the
server, injects the faults, checks the database afterwards (`loadtest.check`) and writes loadtest/results.md
and loadtest/results.json.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "loadtest" / "work"  # gitignored: databases, evidence files, logs, what the client sent
LOGS = WORK / "logs"
SECRET_KEY = "loadtest-secret-key-not-for-production"
PASSWORD = "demo-password-2026"  # the demo's, and the extra people's
# every progress update and evidence title the client writes starts with it, then a unique token
TOKEN_PREFIX = "loadtest-"


def _int(name: str, default: int, least: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdecimal() or int(raw) < least:
        raise SystemExit(f"loadtest: {name} must be a whole number of at least {least} (it is {raw!r})")
    return int(raw)


USERS = _int(
    "LOADTEST_USERS", 50, 6
)  # distinct people signed in at once; the demo has 6 who may see the plan
SECONDS = _int("LOADTEST_SECONDS", 60, 10)  # of load with every person signed in, per scenario
WORKERS = _int("LOADTEST_WORKERS", 4, 2)  # gunicorn sync workers
FAULT_AT = 1 / 3  # the fault comes this far into the run, leaving time to see the service recover
RECOVERY_TARGET_S = 10


class LoadError(Exception):
    """Something broke (the server would not start, PostgreSQL would not come back): one line, exit 1."""


def app_env(database_url: str, storage: Path | str, **more: str) -> dict[str, str]:
    """The environment flask, gunicorn and the checker run the app with, as production would configure it."""
    env = {key: value for key, value in os.environ.items() if key != "FLASK_APP"}
    env.update(
        DATABASE_URL=database_url,
        TRACKER_STORAGE_DIR=str(storage),
        SECRET_KEY=SECRET_KEY,
        TRACKER_SECURE_COOKIES="0",
        PYTHONPATH=str(ROOT),
        PYTHONFAULTHANDLER="1",
        # the load signs leaders in with a password alone, as `make run`'s demo does
        TRACKER_TWO_STEP_REQUIRED_ROLES="",
        **more,
    )
    return env


def run_logged(
    args: list[str],
    env: dict[str, str],
    log_name: str,
    what: str,
    timeout: float = 900,
    stdin: str | None = None,
) -> str:
    """Run a child process with its output kept in loadtest/work/logs/<log_name>.log; its stdout,
    or a LoadError."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{log_name}.log"
    try:
        done = subprocess.run(
            args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, input=stdin
        )
    except subprocess.TimeoutExpired:
        raise LoadError(
            f"{what} took longer than {timeout:.0f} s and was stopped [see {log.relative_to(ROOT)}]"
        ) from None
    log.write_text(f"$ {' '.join(args)}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise LoadError(f"{what} failed (exit {done.returncode}): {last} [see {log.relative_to(ROOT)}]")
    return done.stdout


def python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
