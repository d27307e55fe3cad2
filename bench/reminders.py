"""The reminder send job on a scratch copy: `python -m bench.reminders [--profile OUT]` prints JSON.

A real SMTP server (aiosmtpd) and a stand-in for a Teams Workflows webhook run on free loopback ports in a
process of their own (bench/reminder_servers.py). The app is pointed at them as an installation would be:
TRACKER_REMINDER_TRANSPORT=smtp, the host and port, TLS none, TRACKER_BASE_URL and TRACKER_MAIL_FROM, and
one Teams channel (every partner's actions) added by the administrator, its webhook the stand-in.

Then `send_reminders(on, now)` runs, as `flask reminders send` does, in this fresh process: `on` is today in
London and `now` 09:00 that day, after the digest hour (7). **Seconds** is that call, with every SQL
statement counted by bench/queries.py; it is then run again 15 minutes later, as the timer would, which must
send nothing new. The report checks what the SMTP server received against what the job says it sent: one
message per digest, no one twice.

Queries are split by where they fall: **shared**, before the first digest is claimed (the people, what each
should hear about, who has had today's digest, their choices, what they were told before); **per digest**,
from one digest's claim to the next (claim, record its items, send, record and audit the outcome, then the
next person's first questions); and the **Teams** summaries, from the question for the active channels. The
gaps between claims must all be the same size, and the shared and Teams parts must not grow with the data: a
query per item would show as gaps of different sizes, or as parts that differ between the county and the
region.

`--profile OUT` writes cProfile's statistics of the first run to OUT, to find where the time goes.
"""

import cProfile
import gc
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import ROOT
from bench.pages import bench_app
from bench.queries import QueryCount, count_queries
from tracker.auth.models import User
from tracker.dates import LONDON, today
from tracker.extensions import db
from tracker.models import Role
from tracker.reminders.attention import attention_for_people
from tracker.reminders.jobs import send_reminders
from tracker.reminders.models import ReminderDigest, ReminderSent, TeamsPost
from tracker.reminders.settings import ChannelData, add_channel

BASE = "https://tracker.example.gov.uk"
SENDER = "SEND tracker <reminders@council.example>"
DIGEST_HOUR, RUN_AT = 7, 9  # the digest hour (the default) and the hour the job is run, London time
WEBHOOK_PATH = "/workflows/bench/triggers/manual/paths/invoke"


class Servers:
    """bench/reminder_servers.py in a child process; `received()` reads what it has accepted so far."""

    def __init__(self) -> None:
        self.record = Path(tempfile.mkstemp(prefix="bench-reminders-", suffix=".jsonl")[1])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.reminder_servers", str(self.record)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            self.stop()
            raise SystemExit("the SMTP server and the Teams stand-in did not start")
        ports = json.loads(line)
        self.smtp_port, self.http_port = ports["smtp_port"], ports["http_port"]

    def received(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.record.read_text().splitlines() if line]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.record.unlink(missing_ok=True)


def settings(servers: Servers) -> dict[str, Any]:
    return {
        "TRACKER_REMINDER_TRANSPORT": "smtp",
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(servers.smtp_port),
        "TRACKER_SMTP_TLS": "none",
        "TRACKER_SMTP_USERNAME": "",
        "TRACKER_SMTP_PASSWORD": "",
        "TRACKER_MAIL_FROM": SENDER,
        "TRACKER_BASE_URL": BASE,
        "TRACKER_REMINDER_HOUR": str(DIGEST_HOUR),
        "TRACKER_TEAMS_ALLOW_HTTP": True,  # the stand-in is plain http on this machine
    }


def london(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def split_queries(counted: QueryCount) -> dict[str, Any]:
    """The run's statements as shared, per digest and Teams (see the docstring). One digest's cycle is the gap
    from its claim to the next claim, which holds everything it asked for and the next person's own first
    questions; the last digest's block, to the Teams part, lacks those."""
    statements = [" ".join(statement.split()).upper() for statement in counted.statements]
    claims = [i for i, sql in enumerate(statements) if sql.startswith("INSERT INTO REMINDER_DIGEST ")]
    teams = next(
        (
            i
            for i, sql in enumerate(statements)
            if sql.startswith("SELECT TEAMS_CHANNEL.") and i >= (claims or [0])[-1]
        ),
        len(statements),
    )
    gaps = [later - earlier for earlier, later in zip(claims, claims[1:], strict=False)]
    return {
        "shared": claims[0] if claims else teams,
        "per_digest_gaps": {str(size): count for size, count in sorted(Counter(gaps).items())},
        "per_digest": max(gaps, default=teams - claims[0] if claims else 0),
        "after_last_digest": teams - claims[-1] if claims else 0,
        "teams": len(statements) - teams,
        "total": len(statements),
    }


def run_job(on: date, now: datetime, servers: Servers, profile: Path | None = None) -> dict[str, Any]:
    """One run in a fresh session, timed, its statements counted, and what the servers received by it."""
    db.session.remove()
    before = len(servers.received())
    gc.collect()
    profiler = cProfile.Profile() if profile else None
    with count_queries(db.engine) as counted:
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        summary = send_reminders(on, now, dry_run=False)
        if profiler:
            profiler.disable()
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    if profiler and profile:
        profiler.dump_stats(str(profile))
    received = servers.received()[before:]
    emails = [entry for entry in received if "email" in entry]
    recipients = Counter(address for entry in emails for address in entry["email"])
    return {
        "seconds": seconds,
        "cpu_s": cpu_s,
        "digests_sent": summary.digests_sent,
        "teams_sent": summary.teams_sent,
        "failures": [f"{failure.what}: {failure.reason}" for failure in summary.failures][:5],
        "failed": len(summary.failures),
        "messages_received": len(emails),
        "people_emailed_twice": sum(1 for count in recipients.values() if count > 1),
        "email_kb": round(sum(entry["bytes"] for entry in emails) / 1024, 1),
        "teams_received": [entry for entry in received if "teams" in entry],
        "queries": split_queries(counted),
    }


def measure(profile: Path | None) -> dict[str, Any]:
    app = bench_app(dashboard_cache=True)
    servers = Servers()
    try:
        app.config.update(settings(servers))
        on = today()
        now = london(on, RUN_AT)
        with app.app_context():
            admin = db.session.scalar(
                sa.select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
            )
            if admin is None:
                raise SystemExit("there is no active administrator to add the Teams channel")
            add_channel(
                admin,
                ChannelData(
                    "SEND partnership board", None, f"http://127.0.0.1:{servers.http_port}{WEBHOOK_PATH}"
                ),
            )
            first = run_job(on, now, servers, profile)
            second = run_job(on, now + timedelta(minutes=15), servers)
            db.session.remove()
            people = list(
                db.session.scalars(
                    sa.select(User).where(User.active.is_(True), User.role != Role.ADMIN).order_by(User.id)
                )
            )
            attention = attention_for_people(people, on, now)
            per_person = [len(attention.get(person.id, [])) for person in people]
            told = db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent))
            digests = db.session.scalar(
                sa.select(sa.func.count()).select_from(ReminderDigest).where(ReminderDigest.day == on)
            )
            posts = db.session.scalar(
                sa.select(sa.func.count()).select_from(TeamsPost).where(TeamsPost.day == on)
            )
    finally:
        servers.stop()
    items = sum(per_person)
    return {
        "on": on.isoformat(),
        "now": now.isoformat(),
        "people": len(people),
        "people_with_items": sum(1 for count in per_person if count),
        "items": items,
        "items_per_person": items / len(people) if people else 0.0,
        "most_items_for_one_person": max(per_person, default=0),
        "items_told": told,
        "digests_recorded": digests,
        "teams_posts_recorded": posts,
        "first": first,
        "second": second,
        "queries_per_person": first["queries"]["total"] / len(people) if people else 0.0,
    }


def main() -> None:
    args = sys.argv[1:]
    if args not in ([],) and not (len(args) == 2 and args[0] == "--profile"):
        raise SystemExit("usage: python -m bench.reminders [--profile OUT]")
    profile = Path(args[1]).resolve() if args else None
    print(json.dumps(measure(profile)))


if __name__ == "__main__":
    main()
