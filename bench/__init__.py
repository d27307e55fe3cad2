"""`make bench`: how fast the tracker's pages, exports, uploads and server are on generated data.

Run with `python -m bench` (see bench/README.md). Each measurement runs in its own process, so
that one cannot warm the caches or hold the memory of another; the parent only orchestrates and
writes bench/results.md and bench/results.json.
"""

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"  # gitignored: databases, evidence files, logs, scratch copies
LOGS = WORK / "logs"
SECRET_KEY = "bench-secret-key-not-for-production"
SEED = 1
WARMUP = 5  # untimed requests to each page before timing it
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))  # timed requests to each page
if REPEAT < 2:
    raise SystemExit("bench: BENCH_REPEAT must be 2 or more (a p95 needs at least two requests)")
# BENCH_SCALES=county skips the region for a quick look; its targets then read NOT MEASURED
SCALES = tuple(os.environ.get("BENCH_SCALES", "county,region").split(","))
if "county" not in SCALES or not set(SCALES) <= {"county", "region"}:
    raise SystemExit("bench: BENCH_SCALES must be county or county,region")


@dataclass(frozen=True)
class People:
    """Who the benchmark signs in as: a leader for most pages, the busiest officer for My actions."""

    leader: str
    officer: str
    password: str
    generate: bool  # True: `flask demo generate --scale S --seed N`; False: the small `flask demo load`


GENERATED = People(
    "leader1@generated.example", "officer1@generated.example", "generated-password-2026", generate=True
)
SMALL_DEMO = People("leader@demo.example", "officer@demo.example", "demo-password-2026", generate=False)
# The one line to change to develop against the small demo; BENCH_SMALL_DEMO=1 does it for one run.
PEOPLE = SMALL_DEMO if os.environ.get("BENCH_SMALL_DEMO") == "1" else GENERATED


class BenchError(Exception):
    """Something broke (not a missed target): `make bench` prints the message on one line and fails."""


class BenchTimeout(BenchError):
    """A child process ran past its time limit and was stopped; `stderr` is what it had written by then."""

    def __init__(self, message: str, stderr: str = ""):
        super().__init__(message)
        self.stderr = stderr


def app_env(database_url: str, storage: Path | str, **more: str) -> dict[str, str]:
    """The environment a child process (flask, gunicorn, a probe) runs the app with."""
    env = {key: value for key, value in os.environ.items() if key != "FLASK_APP"}
    env.update(
        DATABASE_URL=database_url,
        TRACKER_STORAGE_DIR=str(storage),
        SECRET_KEY=SECRET_KEY,
        TRACKER_SECURE_COOKIES="0",
        PYTHONPATH=str(ROOT),
        PYTHONFAULTHANDLER="1",
        # the measurements sign leaders in with a password alone, as `make run`'s demo does
        TRACKER_TWO_STEP_REQUIRED_ROLES="",
        **more,
    )
    return env


def run_logged(args: list[str], env: dict[str, str], log_name: str, what: str, timeout: float = 7200) -> str:
    """Run a child process with its output kept in bench/work/logs/<log_name>.log; its stdout, or a
    BenchError."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{log_name}.log"
    try:
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as stopped:
        log.write_text(
            f"$ {' '.join(args)}\nstopped after {timeout:.0f} s\n--- stderr\n{_text(stopped.stderr)}"
        )
        raise BenchTimeout(
            f"{what} took longer than {timeout:.0f} s and was stopped", _text(stopped.stderr)
        ) from None
    log.write_text(f"$ {' '.join(args)}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise BenchError(f"{what} crashed (killed by {name}) [see {log.relative_to(ROOT)}]")
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise BenchError(f"{what} failed (exit {done.returncode}): {last} [see {log.relative_to(ROOT)}]")
    return done.stdout


def _text(output: bytes | str | None) -> str:
    return output.decode("utf-8", "replace") if isinstance(output, bytes) else output or ""


def run_json(
    module: str, args: list[str], env: dict[str, str], log_name: str, what: str, timeout: float = 7200
) -> dict[str, Any]:
    """Run `python -m <module> ARGS`, which prints its result as JSON on its last line of output."""
    out = run_logged([sys.executable, "-m", module, *args], env, log_name, what, timeout)
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(f"{what} printed no result [see bench/work/logs/{log_name}.log]") from None
