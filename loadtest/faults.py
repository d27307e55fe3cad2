"""The faults injected part-way through a run: one gunicorn worker killed, PostgreSQL restarted.

Restarting PostgreSQL needs the local cluster that serves the database's port (`pg_lsclusters`) and root (or
the postgres user) to run `pg_ctlcluster`. Whatever happens, PostgreSQL is left running: `ensure_running`
starts it again if it is down, and raises a LoadError, failing the run loudly, if it will not start.
"""

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from loadtest import LoadError
from loadtest.server import Probe, Server

LOCAL = {"127.0.0.1", "localhost", "::1", ""}


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    def __str__(self) -> str:
        return f"PostgreSQL {self.version}/{self.name} (port {self.port})"

    def ctl(self, action: str, timeout: float = 120) -> subprocess.CompletedProcess:
        # a session of its own: Ctrl-C on `make loadtest` must not stop pg_ctl half-way through a restart
        return subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )

    def ready(self) -> bool:
        try:
            return (
                subprocess.run(
                    ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"], timeout=10
                ).returncode
                == 0
            )
        except (OSError, subprocess.TimeoutExpired):
            return False


def cluster_for(url: str) -> Cluster:
    """The local cluster listening on the URL's port, or a LoadError saying why
    PostgreSQL cannot be restarted."""
    parts = urlsplit(url)
    port = parts.port or 5432
    if parts.hostname not in LOCAL and parts.hostname is not None:
        raise LoadError(
            f"cannot restart PostgreSQL at {parts.hostname}: the pg-restart scenario needs it on this machine"
        )
    try:
        listing = subprocess.run(
            ["pg_lsclusters", "--no-header"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError:
        raise LoadError(
            "cannot restart PostgreSQL: pg_lsclusters is missing (install postgresql-common)"
        ) from None
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return Cluster(fields[0], fields[1], port)
    raise LoadError(f"cannot restart PostgreSQL: no local cluster listens on port {port} (pg_lsclusters)")


def ensure_running(cluster: Cluster) -> None:
    """Leave PostgreSQL running: start it if it is down; a LoadError if it will not come back within 30 s."""
    if _ready_within(cluster, 10):
        return
    started = cluster.ctl("start")
    if not _ready_within(cluster, 30):
        raise LoadError(
            f"{cluster} is NOT RUNNING and would not start "
            f"({(started.stderr or started.stdout).strip()[-200:]}): start it by hand with `pg_ctlcluster "
            f"{cluster.version} {cluster.name} start`"
        )


def _ready_within(cluster: Cluster, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cluster.ready():
            return True
        time.sleep(0.2)
    return False


def restart_postgres(server: Server, cluster: Cluster) -> dict[str, Any]:
    """`pg_ctlcluster VERSION NAME restart` (fast shutdown: open connections are cut) under load, then how
    long until /healthz answers 200 again, counted from the moment the restart was asked for."""
    if os.geteuid() != 0:
        raise LoadError(f"cannot restart {cluster}: pg_ctlcluster needs root (run make loadtest as root)")
    with Probe(server) as probe:
        asked = time.time()
        try:
            done = cluster.ctl("restart")
        except subprocess.TimeoutExpired:
            done = subprocess.CompletedProcess([], 1, "", "pg_ctlcluster restart did not finish within 120 s")
        finally:
            ensure_running(cluster)
        back = time.time()
        if done.returncode != 0:
            raise LoadError(f"restarting {cluster} failed: {(done.stderr or done.stdout).strip()[-200:]}")
        failures = [t for t, _ in probe.failures() if t >= asked]
        # the first 200 after the last time it did not answer (pg_ctl may still be waiting by then), or after
        # the restart command returned if the probe never caught it down
        answered = probe.first_ok_after(failures[-1] if failures else back)
    return {
        "fault": "pg-restart",
        "at": asked,
        "what": f"pg_ctlcluster {cluster.version} {cluster.name} restart",
        "command_s": back - asked,
        "answered_after_s": None if answered is None else answered - asked,
        "healthz_failures": len(failures),
        "recovered_after_s": None if answered is None else answered - asked,
    }


def kill_worker(server: Server) -> dict[str, Any]:
    """SIGKILL one gunicorn worker; its master starts another. How long until /healthz answers (the service's
    recovery: the other workers answer meanwhile), and, for information, until the new worker has loaded the
    app and the service is back to full strength."""
    before = server.worker_pids()
    victim = _busiest(before)
    with Probe(server) as probe:
        killed = time.time()
        os.kill(victim, signal.SIGKILL)
        answered = probe.first_ok_after(killed)
        replaced = _replacement(server, set(before), killed)
    return {
        "fault": "worker-kill",
        "at": killed,
        "what": f"SIGKILL to gunicorn worker {victim}",
        "answered_after_s": None if answered is None else answered - killed,
        "worker_replaced_after_s": None if replaced is None else replaced - killed,
        "healthz_failures": len(probe.failures()),
        "recovered_after_s": None if answered is None else answered - killed,
    }


def _busiest(pids: list[int]) -> int:
    """A worker answering a request right now (running on a core), so that the kill cuts one off;
    else the first."""
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R":
                return pid
        except (OSError, IndexError):
            continue
    return pids[0]


def _replacement(server: Server, before: set[int], killed: float, limit_s: float = 60) -> float | None:
    """When a worker that was not running before the kill said it had loaded the app."""
    deadline = killed + limit_s
    while time.time() < deadline:
        if set(server.ready_workers()) - before:
            return time.time()
        time.sleep(0.05)
    return None
