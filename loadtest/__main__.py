"""`python -m loadtest` (`make loadtest`): every scenario on every database, then loadtest/results.{md,json}.

Runs SQLite with no fault and with a worker killed, then PostgreSQL with no fault, a worker killed and
PostgreSQL restarted (LOADTEST_SCENARIOS=sqlite:none,postgresql:pg-restart picks some). Exits 0 when every
target was met; 1 with one line per target missed, or one line saying what broke, once the report is written.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from loadtest import (
    FAULT_AT,
    LOGS,
    ROOT,
    SECONDS,
    USERS,
    WORK,
    WORKERS,
    LoadError,
    app_env,
    python,
    report,
    run_logged,
)
from loadtest.database import Database, drop, fresh, populate, postgres_url, server_version
from loadtest.faults import Cluster, cluster_for, ensure_running, kill_worker, restart_postgres
from loadtest.people import wanted
from loadtest.server import Server, free_port, gunicorn

ALL = (
    ("sqlite", "none"),
    ("sqlite", "worker-kill"),
    ("postgresql", "none"),
    ("postgresql", "worker-kill"),
    ("postgresql", "pg-restart"),
)
THINK_S = (1.0, 3.0)
SPAWN_RATE = 10  # people starting per second: 50 sign-ins in about 5 s
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def say(message: str) -> None:
    print(f"loadtest: {message}", flush=True)


def chosen_runs(postgres: str | None) -> list[tuple[str, str]]:
    wanted_runs = os.environ.get("LOADTEST_SCENARIOS")
    runs = (
        [tuple(item.strip().split(":", 1)) for item in wanted_runs.split(",")] if wanted_runs else list(ALL)
    )
    unknown = [":".join(run) for run in runs if run not in ALL]
    if unknown:
        raise LoadError(
            f"unknown scenario {', '.join(unknown)}: choose from {', '.join(':'.join(run) for run in ALL)}"
        )
    return [run for run in runs if run[0] == "sqlite" or postgres]


def _redis_answers(url: str) -> bool:
    import redis  # noqa: PLC0415

    try:
        redis.Redis.from_url(
            url, socket_connect_timeout=3
        ).flushdb()  # the load test's own database number: no old counts
        return True
    except redis.RedisError:
        return False


@contextmanager
def redis_store() -> Iterator[str]:
    """Where sign-in throttling counts, shared by the workers as in production: LOADTEST_REDIS_URL, or
    database 9 of the Redis on 127.0.0.1:6379, or else a redis-server of our own for the run."""
    url = os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS_URL)
    if _redis_answers(url):
        yield url
        return
    if "LOADTEST_REDIS_URL" in os.environ or not shutil.which("redis-server"):
        raise LoadError(
            f"Redis at {url} did not answer, and sign-in throttling needs it with several workers: start "
            "redis-server (apt-get install redis-server) or set LOADTEST_REDIS_URL"
        )
    port = free_port()
    with (LOGS / "redis-server.log").open("w") as log:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        own = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while not _redis_answers(own):
            if time.monotonic() > deadline:
                raise LoadError(
                    "redis-server of our own did not start [see loadtest/work/logs/redis-server.log]"
                )
            time.sleep(0.1)
        yield own
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_swarm(
    server: Server, plan: dict[str, Any], database: Database, scenario: str, cluster: Cluster | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Locust in its own process; the fault from here, FAULT_AT of the way through; both results."""
    out = WORK / f"swarm-{database.label}.json"
    ready = Path(f"{out}.ready")
    for leftover in (out, ready):
        leftover.unlink(missing_ok=True)
    swarm_plan = {
        "host": f"http://127.0.0.1:{server.port}",
        "people": plan["people"],
        "findings": plan["findings"],
        "actions": plan["actions"],
        "seconds": SECONDS,
        "think_s": THINK_S,
        "spawn_rate": SPAWN_RATE,
        "sign_in_within_s": 120,
    }
    plan_file = WORK / f"swarm-plan-{database.label}.json"
    plan_file.write_text(json.dumps(swarm_plan))
    log = LOGS / f"swarm-{database.label}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            python("loadtest.swarm", str(plan_file), str(out)),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            started = _wait_for_start(process, ready, log)
            fault = _inject(scenario, server, cluster, started) if scenario != "none" else None
            process.wait(timeout=SECONDS + 180)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode != 0 or not out.exists():
        raise LoadError(f"the load client failed (exit {process.returncode}) [see {log.relative_to(ROOT)}]")
    return json.loads(out.read_text()), fault


def _wait_for_start(process: subprocess.Popen, ready: Path, log: Path) -> float:
    deadline = time.monotonic() + 180
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise LoadError(f"the load client did not start [see {log.relative_to(ROOT)}]")
        time.sleep(0.2)
    state = json.loads(ready.read_text())
    if state["signed_in"] < USERS:
        raise LoadError(
            f"only {state['signed_in']} of {USERS} people could sign in [see {log.relative_to(ROOT)}]"
        )
    return state["started"]


def _inject(scenario: str, server: Server, cluster: Cluster | None, started: float) -> dict[str, Any]:
    time.sleep(max(0.0, started + SECONDS * FAULT_AT - time.time()))
    say(f"  fault: {scenario}")
    if scenario == "worker-kill":
        return kill_worker(server)
    return restart_postgres(server, cluster)


def one_run(
    backend: str, scenario: str, postgres: str | None, cluster: Cluster | None, redis_url: str
) -> dict[str, Any]:
    say(f"{backend}, fault {scenario}: a fresh database, the demo and {USERS} people")
    database = fresh(backend, scenario, postgres)
    try:
        plan = populate(database)
        _redis_answers(redis_url)  # empty again: no sign-in counts from the last run
        with gunicorn(database.url, database.storage, database.label, redis_url) as server:
            say(f"  {USERS} people for {SECONDS} s against gunicorn with {WORKERS} workers")
            swarm, fault = run_swarm(server, plan, database, scenario, cluster)
        if cluster:
            ensure_running(cluster)
        say("  looking for every accepted write in the database; verifying the audit chain")
        swarm_file = WORK / f"swarm-{database.label}.json"
        check = json.loads(
            run_logged(
                python("loadtest.check", str(swarm_file)),
                app_env(database.url, database.storage),
                f"check-{database.label}",
                f"checking {database.label}",
            )
            .strip()
            .splitlines()[-1]
        )
        summary = report.summarise(swarm, fault, check, report.server_log_signs(server.log))
        return {"backend": backend, "scenario": scenario, "started": swarm["started"], "summary": summary}
    finally:
        if cluster:
            ensure_running(cluster)
        drop(database)


def _one(
    results: dict[str, Any],
    backend: str,
    scenario: str,
    postgres: str | None,
    cluster: Cluster | None,
    redis_url: str,
) -> None:
    """One run into the results, or what broke it; the report is written again after each."""
    try:
        results["runs"].append(one_run(backend, scenario, postgres, cluster, redis_url))
    except LoadError as error:
        results["runs"].append({"backend": backend, "scenario": scenario, "error": str(error)})
        say(f"  broke: {error}")
        if "NOT RUNNING" in str(error):
            raise
    report.write(results, ROOT / "loadtest")


def main() -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    postgres, why = postgres_url()
    runs = chosen_runs(postgres)
    cluster = cluster_for(postgres) if postgres and ("postgresql", "pg-restart") in runs else None
    mix = ", ".join(f"{n} {role.value}s" for role, n in wanted(USERS).items())
    results: dict[str, Any] = {
        "date": report.stamp(),
        "machine": report.machine(),
        "versions": report.versions(server_version(postgres) if postgres else None),
        "settings": {
            "people": USERS,
            "mix": mix,
            "seconds": SECONDS,
            "workers": WORKERS,
            "think_s": THINK_S,
            "fault_at": FAULT_AT,
            "postgresql": (f"{postgres} ({why})" if postgres else why),
            "runs": [":".join(run) for run in runs],
        },
        "runs": [],
    }
    try:
        with redis_store() as redis_url:
            for backend, scenario in runs:
                _one(
                    results,
                    backend,
                    scenario,
                    postgres,
                    cluster if scenario == "pg-restart" else None,
                    redis_url,
                )
    finally:
        if cluster:
            ensure_running(cluster)
    results["versions"]["git_commit_at_end"] = report.versions(None)["git_commit"]
    report.write(results, ROOT / "loadtest")
    missed = report.missed(results)
    say("wrote loadtest/results.md and loadtest/results.json")
    if missed:
        for line in missed:
            say(f"MISSED {line}")
        sys.exit(1)
    say("every target met")


if __name__ == "__main__":
    try:
        main()
    except LoadError as error:
        print(f"loadtest: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("loadtest: stopped", file=sys.stderr)
        sys.exit(130)
