"""The dashboard while people work: readers load `/` while one writer posts a progress update every second.

Every update is a change of data, so the dashboard's kept page is worth nothing for long: each view after
a change works out what the change touched (tracker/readiness/kept_figures.py). One gunicorn with the same
two sync workers as the throughput run, the dashboard kept as in production; the readers are bench.load's
client processes, signed in as the leader; the writer signs in as the leader too and posts the real form
(GET for the CSRF token and the form's one-time key, then POST), on an action of the busiest finding.
"""

import re
import threading
import time
from typing import Any
from urllib.parse import urlencode

from bench import BenchError, app_env, run_json
from bench.server import Server, cookie_header, get, gunicorn, sign_in
from tracker.dates import today

WRITE_EVERY_S = 1.0
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


class Writer(threading.Thread):
    """Posts a progress update to `action_id` every second until stopped; counts what was saved."""

    def __init__(self, server: Server, jar: dict[str, str], action_id: int):
        super().__init__(daemon=True)
        self.server, self.jar, self.path = server, jar, f"/actions/{action_id}/updates/new"
        self.saved, self.failed, self.stopping = 0, 0, threading.Event()

    def post_once(self, number: int) -> None:
        status, _, html = get(self.server, self.path, self.jar)
        if status != 200:
            raise BenchError(f"the writer's GET {self.path} answered {status}")
        fields: list[tuple[str, str]] = _HIDDEN.findall(html)
        day = today()
        fields += [
            ("written_on", str(day.day)),
            ("written_on", str(day.month)),
            ("written_on", str(day.year)),
        ]
        fields += [
            ("body", f"Benchmark update {number}."),
            ("percent_complete", str(number % 100)),
            ("status", "in_progress"),
            ("rag_note", ""),
        ]
        connection = self.server.connection()
        connection.request(
            "POST",
            self.path,
            body=urlencode(fields),
            headers={"Cookie": cookie_header(self.jar), "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status == 302:
            self.saved += 1
        else:
            self.failed += 1

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            started = time.monotonic()
            number += 1
            try:
                self.post_once(number)
            except (OSError, BenchError):
                self.failed += 1
            self.stopping.wait(max(0.0, WRITE_EVERY_S - (time.monotonic() - started)))


def measure_under_updates(
    database_url: str, storage: Any, label: str, people: tuple[str, str], action_id: int, healthz_rps: float
) -> dict[str, Any]:
    """The dashboard's throughput and latency while the writer posts; its share of /healthz's throughput."""
    with gunicorn(database_url, storage, workers=2, label=f"updates-{label}") as server:
        readers = cookie_header(sign_in(server, *people))
        writer = Writer(server, sign_in(server, *people), action_id)
        writer.start()
        try:
            out = run_json(
                "bench.load",
                [str(server.port), readers, "/"],
                app_env(database_url, storage),
                f"load-updates-{label}",
                f"the readers under updates for {label}",
            )
        finally:
            writer.stopping.set()
            writer.join()
    result = out["results"][0]
    if result["requests"] == 0 or writer.saved == 0:
        raise BenchError(
            f"under updates: {result['requests']} dashboards and {writer.saved} updates saved "
            f"({result['errors']} and {writer.failed} failed)"
        )
    return result | {
        "updates_saved": writer.saved,
        "updates_failed": writer.failed,
        "write_every_s": WRITE_EVERY_S,
        "share_of_healthz": result["rps"] / healthz_rps,
    }
