"""gunicorn with 4 sync workers, as production runs the app, and a probe of /healthz
that times how soon it answers."""

import http.client
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import gunicorn_workers, stop
from loadtest import LOGS, ROOT, WORKERS, LoadError, app_env
from loadtest.gunicorn_hooks import READY

HOST = "127.0.0.1"
_READY = re.compile(READY.replace("%s", r"(\d+)"))


@dataclass
class Server:
    port: int
    master_pid: int
    log: Path

    def worker_pids(self) -> list[int]:
        return gunicorn_workers(self.master_pid)

    def ready_workers(self) -> list[int]:
        """Every worker that has said it loaded the app (loadtest/gunicorn_hooks.py),
        in the order they said it."""
        return [int(pid) for pid in _READY.findall(self.log.read_text(errors="replace"))]

    def health(self, timeout: float = 10) -> int:
        """/healthz's status (200 when the database answers, 503 when not), or 0 when nothing answered."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _gunicorn() -> list[str]:
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]


@contextmanager
def gunicorn(database_url: str, storage: Path, label: str, redis_url: str) -> Iterator[Server]:
    """Serve wsgi:app with WORKERS sync workers until the block ends.

    Sign-in throttling counts in Redis, shared by the workers, as in production. It counts only failed
    attempts, so 50 correct sign-ins from 127.0.0.1 are never held up; the limits are raised all the same, so
    that a person whose sign-in fails during a fault and tries again is not refused for it.
    """
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    env = app_env(
        database_url,
        storage,
        RATELIMIT_STORAGE_URI=redis_url,
        TRACKER_SIGNIN_LIMIT_PER_ADDRESS="1000 per minute",
        TRACKER_SIGNIN_LIMIT_PER_ACCOUNT="100 per minute",
    )
    args = [
        *_gunicorn(),
        "-c",
        "python:loadtest.gunicorn_hooks",
        "-w",
        str(WORKERS),
        "-b",
        f"{HOST}:{port}",
        "--timeout",
        "30",
        "--graceful-timeout",
        "10",
        "wsgi:app",
    ]
    log = LOGS / f"gunicorn-{label}.log"
    with log.open("w") as out:
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            server = Server(port, process.pid, log)
            _wait_until_ready(server, process)
            yield server
        finally:
            stop(process)


def _wait_until_ready(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LoadError(
                f"gunicorn stopped at start (exit {process.returncode}) [see {server.log.relative_to(ROOT)}]"
            )
        if server.health(timeout=5) == 200 and len(server.worker_pids()) == WORKERS:
            return
        time.sleep(0.2)
    raise LoadError(f"gunicorn did not answer /healthz within 60 s [see {server.log.relative_to(ROOT)}]")


@dataclass
class Probe:
    """/healthz every 0.1 s in a thread, from a fault's start: (time, status) of every answer."""

    server: Server
    answers: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "Probe":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.time()
            self.answers.append((started, self.server.health(timeout=10)))
            self._stop.wait(max(0.0, 0.1 - (time.time() - started)))

    def first_ok_after(self, moment: float, limit_s: float = 60) -> float | None:
        """When /healthz first answered 200 (the request's start) at or after `moment`,
        waiting up to `limit_s`."""
        deadline = time.time() + limit_s
        while time.time() < deadline:
            found = next((t for t, status in list(self.answers) if t >= moment and status == 200), None)
            if found is not None:
                return found
            time.sleep(0.05)
        return None

    def failures(self) -> list[tuple[float, int]]:
        return [(t, status) for t, status in self.answers if status != 200]

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=15)
