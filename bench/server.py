"""A real gunicorn server for the upload and throughput measurements, and signing in through its login
form."""

import http.client
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import LOGS, ROOT, BenchError, app_env

HOST = "127.0.0.1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def stop(process: subprocess.Popen) -> None:
    """Ask gunicorn to stop, and make it if it has not within 30 s (shared with loadtest/)."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def gunicorn_workers(master_pid: int) -> list[int]:
    """gunicorn's workers: the master's children, read from /proc (shared with loadtest/)."""
    children: list[int] = []
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    return sorted(children)


@dataclass(frozen=True)
class Server:
    port: int
    master_pid: int

    def worker_pids(self) -> list[int]:
        return gunicorn_workers(self.master_pid)

    def connection(self, timeout: float = 300) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def memory_mb(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (peak so far) of a process, in MB (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"/proc/{pid}/status has no {field}")


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current VmRSS (Linux 4.0+: `echo 5 > /proc/PID/clear_refs`).

    Without it the peak would include signing in, whose Argon2 check alone takes 64 MB for a moment.
    """
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _gunicorn() -> list[str]:
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]


@contextmanager
def gunicorn(database_url: str, storage: Path, workers: int, label: str, **more_env: str) -> Iterator[Server]:
    """Serve wsgi:app with `workers` sync workers until the block ends; the upload limit is raised to 256
    MB."""
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    env = app_env(database_url, storage, TRACKER_MAX_UPLOAD_MB="256", **more_env)
    # --timeout: a 200 MB upload must not be mistaken for a stuck worker on a slow disk
    args = [*_gunicorn(), "-w", str(workers), "-b", f"{HOST}:{port}", "--timeout", "300", "wsgi:app"]
    with (LOGS / f"gunicorn-{label}.log").open("w") as log:
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            server = Server(port, process.pid)
            _wait_until_ready(server, process, workers, label)
            yield server
        finally:
            stop(process)


def _wait_until_ready(server: Server, process: subprocess.Popen, workers: int, label: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"gunicorn stopped at start (exit {process.returncode}) "
                f"[see bench/work/logs/gunicorn-{label}.log]"
            )
        try:
            connection = server.connection(timeout=5)
            connection.request("GET", "/healthz")
            ready = connection.getresponse().status == 200
            connection.close()
        except OSError:
            ready = False
        if ready and len(server.worker_pids()) == workers:
            return
        time.sleep(0.2)
    raise BenchError(
        f"gunicorn did not answer /healthz within 60 s [see bench/work/logs/gunicorn-{label}.log]"
    )


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def get(server: Server, path: str, jar: dict[str, str]) -> tuple[int, str, str]:
    """GET with the jar's cookies, keeping any it sets; returns (status, Location, body)."""
    connection = server.connection()
    connection.request("GET", path, headers={"Cookie": cookie_header(jar)})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    _cookies(response, jar)
    connection.close()
    return response.status, response.headers.get("Location", ""), body


def csrf_token(html: str, where: str) -> str:
    found = _CSRF.search(html)
    if not found:
        raise BenchError(f"no csrf_token on {where}")
    return found.group(1)


def sign_in(server: Server, email: str, password: str) -> dict[str, str]:
    """Sign in through the real login form (GET, read the CSRF token, POST); returns the cookie jar."""
    jar: dict[str, str] = {}
    status, _, html = get(server, "/login", jar)
    if status != 200:
        raise BenchError(f"GET /login answered {status}")
    body = urlencode({"csrf_token": csrf_token(html, "/login"), "email": email, "password": password})
    connection = server.connection()
    connection.request(
        "POST",
        "/login",
        body=body,
        headers={"Cookie": cookie_header(jar), "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    _cookies(response, jar)
    connection.close()
    if response.status != 302:
        raise BenchError(
            f"signing in as {email} failed: POST /login answered {response.status}, not a redirect"
        )
    return jar
