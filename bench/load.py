"""Requests per second from a running server: `python -m bench.load PORT COOKIE PATH...` prints JSON.

Each path in turn: CONNECTIONS client processes (processes, not threads, so that the client's own
GIL is never the bottleneck) each send one GET after another with the signed-in session cookie, or,
for a path of the read API (/api/), with the API token in BENCH_API_TOKEN as `Authorization: Bearer`,
for WARMUP seconds uncounted and then SECONDS counted. A request counts when its response
completes inside the counted window; anything but 200 is an error.
"""

import http.client
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from typing import Any

from bench import BenchError, app_env, run_json
from bench.server import HOST, cookie_header, gunicorn, sign_in

CONNECTIONS = 8
WARMUP = 2.0
SECONDS = 10.0
CLIENT = f"python http.client, {CONNECTIONS} processes"


API_RATE_LIMIT = "1000000 per minute"  # the API's limit per token, raised so that it never refuses the load


def _hammer(job: tuple[int, str, dict[str, str], float, float]) -> tuple[int, int, list[float]]:
    """One connection's loop: (responses with 200, other outcomes, each 200's milliseconds) completed between
    `count_from` and `until`."""
    port, path, headers, count_from, until = job
    ok = errors = 0
    times: list[float] = []
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    while time.time() < until:
        sent = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            good = response.status == 200
            if response.will_close:  # gunicorn's sync workers close every connection
                connection.close()
        except (OSError, http.client.HTTPException):
            connection.close()
            good = False
        finished = time.time()
        if count_from <= finished <= until:
            ok, errors = ok + good, errors + (not good)
            if good:
                times.append((time.perf_counter() - sent) * 1000)
    connection.close()
    return ok, errors, times


def load(port: int, cookie: str, path: str) -> dict[str, Any]:
    start = time.time() + 0.5  # every process is running before the clock starts
    count_from = start + WARMUP
    api = path.startswith("/api/")
    headers = {"Authorization": f"Bearer {os.environ['BENCH_API_TOKEN']}"} if api else {"Cookie": cookie}
    jobs = [(port, path, headers, count_from, count_from + SECONDS)] * CONNECTIONS
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with multiprocessing.get_context("fork").Pool(CONNECTIONS) as pool:
        results = pool.map(_hammer, jobs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ok, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    times = sorted(t for r in results for t in r[2])
    # the client shares the machine with the server: how much CPU it took, warm-up included
    client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "path": path,
        "requests": ok,
        "errors": errors,
        "seconds": SECONDS,
        "rps": ok / SECONDS,
        # with CONNECTIONS clients on two workers a response waits its turn: latency under load, not alone
        "p50_ms": statistics.median(times) if times else None,
        "p95_ms": statistics.quantiles(times, n=100, method="inclusive")[94] if len(times) > 1 else None,
        "client_cpu_s": client_cpu,
        "wall_s": WARMUP + SECONDS,
    }


def main() -> None:
    port, cookie, paths = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    print(json.dumps({"client": CLIENT, "results": [load(port, cookie, path) for path in paths]}))


def _rates(
    database_url: str, storage: Any, paths: dict[str, str], label: str, people: tuple[str, str], **env: str
) -> tuple[dict[str, Any], str]:
    """One gunicorn with two sync workers; the paths loaded one after another, signed in as `people`, and
    the API's with a token of theirs."""
    more = {}
    if any(path.startswith("/api/") for path in paths.values()):
        made = run_json(
            "bench.api_token",
            [people[0]],
            app_env(database_url, storage),
            f"api-token-{label}",
            "making an API token",
        )
        more["BENCH_API_TOKEN"] = made["token"]
    with gunicorn(database_url, storage, workers=2, label=f"throughput-{label}", **env) as server:
        cookie = cookie_header(sign_in(server, *people))
        out = run_json(
            "bench.load",
            [str(server.port), cookie, *paths.values()],
            app_env(database_url, storage, **more),
            f"load-{label}",
            f"the load client for {label}",
        )
    by_name = dict(zip(paths, out["results"], strict=True))
    for result in by_name.values():
        if result["requests"] == 0:
            raise BenchError(
                f"throughput: {result['path']} answered no request with 200 ({result['errors']} errors)"
            )
    return by_name, out["client"]


def measure_throughput(
    database_url: str,
    storage: Any,
    paths: dict[str, str],
    label: str,
    email: str,
    password: str,
    action_id: int,
) -> dict[str, Any]:
    """Every path on one server, in the same run; then the dashboard again on a server that keeps no dashboard
    page; then the dashboard as kept in production while a writer posts a progress update to `action_id` every
    second (bench/concurrent.py)."""
    by_name, client = _rates(
        database_url, storage, paths, label, (email, password), TRACKER_API_RATE_LIMIT=API_RATE_LIMIT
    )
    afresh, _ = _rates(
        database_url,
        storage,
        {"dashboard_afresh": paths["dashboard"]},
        f"{label}-afresh",
        (email, password),
        TRACKER_CACHE_DASHBOARD="0",
    )
    by_name |= afresh
    healthz = by_name["healthz"]["rps"]
    from bench.concurrent import measure_under_updates  # noqa: PLC0415 (it imports the app's dates)

    under_updates = measure_under_updates(database_url, storage, label, (email, password), action_id, healthz)
    return {
        "under_updates": under_updates,
        "client": client,
        "workers": 2,
        "warmup_s": WARMUP,
        "pages": by_name,
        "ratios": {name: result["rps"] / healthz for name, result in by_name.items() if name != "healthz"},
    }


if __name__ == "__main__":
    main()
