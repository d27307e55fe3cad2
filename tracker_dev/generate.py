"""`flask demo generate`: a large partnership made up from a seed, to try the service at the size of a
county or a region.

Rows go in through bulk inserts with ids chosen here, so the database must be empty. Every created record
gets a "<table>.created" audit event dated when it was created, and every later change (progress reported,
a due date revised, evidence reviewed, a RAG overridden) the event its service writes, dated when it
happened, so that `plan_as_at` rebuilds any past day as well as today. The same seed and reference day
always make the same data (password hashes apart: each has its own salt).
"""

import io
import random
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from typing import Callable, cast

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import current_app

from tracker import audit, storage
from tracker.audit import AuditEvent
from tracker.auth.services import AuthError, check_password_strength
from tracker.database import reset_sequences
from tracker.dates import format_date, today
from tracker.evidence.models import EvidenceFile
from tracker.extensions import db
from tracker.models import Role
from tracker.text import counted
from tracker_dev import generate_frameworks, generate_impact, generate_plan, generate_requests, generate_sef
from tracker_dev.generate_plan import EMAIL

WINDOW_DAYS = 3 * 365  # dates are spread over the three years before the reference day
BATCH = 5000
DEFAULT_PASSWORD = "generated-password-2026"
# the tables written here rather than by a stage; a model's __table__ is typed as any FromClause
AUDIT_EVENTS = cast(sa.Table, AuditEvent.__table__)
EVIDENCE_FILES = cast(sa.Table, EvidenceFile.__table__)


@dataclass(frozen=True)
class Scale:
    inspections: int
    findings: int
    actions: int
    updates: int
    evidence: int
    documents: int  # evidence items that are documents, each with a file; the rest are links and notes
    measures: int
    readings_per_measure: int  # monthly, so not scaled by `times`
    surveys: int
    replies_per_survey: int
    users: int  # with at least one admin, leader, officer and viewer

    def times(self, factor: float) -> "Scale":
        """A proportional scale for tests: every count multiplied by `factor`, keeping at least one of
        each."""
        counts = {f.name: max(1, round(getattr(self, f.name) * factor)) for f in fields(self)}
        counts["readings_per_measure"] = self.readings_per_measure
        counts["users"] = max(4, counts["users"])
        counts["documents"] = min(counts["documents"], counts["evidence"])
        return Scale(**counts)


SCALES = {
    "county": Scale(
        inspections=3,
        findings=60,
        actions=600,
        updates=6_000,
        evidence=12_000,
        documents=2_000,
        measures=40,
        readings_per_measure=36,
        surveys=6,
        replies_per_survey=500,
        users=150,
    ),
    "region": Scale(
        inspections=30,
        findings=600,
        actions=6_000,
        updates=60_000,
        evidence=120_000,
        documents=20_000,
        measures=400,
        readings_per_measure=36,
        surveys=60,
        replies_per_survey=500,
        users=1_500,
    ),
}


class GenerateError(Exception):
    """The data could not be generated; the message says why."""


@dataclass(frozen=True)
class GenerateSummary:
    counts: dict[str, int]  # rows inserted, by table
    seconds: float
    reference_day: date
    sign_in: dict[str, str]  # the first email of each role

    def line(self) -> str:
        made = ", ".join(
            _plural(self.counts.get(table, 0), noun)
            for table, noun in (
                ("inspection", "inspection"),
                ("finding", "finding"),
                ("action", "action"),
                ("progress_update", "progress update"),
                ("evidence_item", "evidence item"),
                ("evidence_file", "file"),
                ("measure", "measure"),
                ("measure_reading", "reading"),
                ("survey", "survey"),
                ("survey_reply", "survey reply"),
                ("user", "user"),
                ("audit_event", "audit event"),
            )
        )
        return f"Generated {made} in {self.seconds:.1f} s, dated up to {format_date(self.reference_day)}."


def _plural(count: int, noun: str) -> str:
    many = noun[:-1] + "ies" if noun.endswith("y") and not noun.endswith("ey") else noun + "s"
    return f"{count:,} {noun if count == 1 else many}"


def generate(
    scale: Scale,
    seed: int,
    password: str,
    on_progress: Callable[[str], None] | None = None,
    reference_day: date | None = None,
) -> GenerateSummary:
    """Fill an empty, migrated database with a partnership of `scale`, the same for the same seed and day."""
    started = time.perf_counter()
    try:
        check_password_strength(password)
    except AuthError as error:
        raise GenerateError(str(error))
    refuse_unless_empty()
    generator = _Generator(
        scale, seed, PasswordHasher().hash(password), reference_day or today(), on_progress
    )
    try:
        generator.run()
        reset_sequences(generator.out.counts)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in generator.files.close():
            storage.remove_stored(key)
        raise
    generator.files.close()
    return GenerateSummary(
        dict(generator.out.counts),
        time.perf_counter() - started,
        generator.today,
        {role.value: EMAIL.format(role=role.value, number=1) for role in Role},
    )


def refuse_unless_empty() -> None:
    try:
        filled = [
            table.name
            for table in db.metadata.sorted_tables
            if table is not audit.AuditChainHead.__table__  # always one row, even in an empty database
            and db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
        ]
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        raise GenerateError("The database has no tables yet: run `flask db upgrade` first.") from None
    if filled:
        names = ", ".join(sorted(filled)[:3]) + (
            f" and {counted(len(filled) - 3, 'more table')}" if len(filled) > 3 else ""
        )
        raise GenerateError(
            f"The database is not empty ({names} have rows): generate only into an empty, migrated database."
        )


class _Writer:
    """Rows waiting to be inserted, by table in the order of their foreign keys, and inserted in batches.

    `checkpoint` inserts only between whole records (an action with its updates, an item with its file), so
    no row ever goes in before the row it points to.
    """

    def __init__(self):
        self.pending: dict[sa.Table, list[dict]] = {table: [] for table in db.metadata.sorted_tables}
        self.counts: Counter[str] = Counter()
        self.waiting = 0
        self.labels: dict[int | None, str] = {}  # user id -> email, for audit events

    def add(self, table: sa.Table, row: dict) -> None:
        self.pending[table].append(row)
        self.waiting += 1

    def checkpoint(self) -> None:
        if self.waiting >= 4 * BATCH:
            self.flush()

    def link(self, table: sa.Table, left: int, right: int) -> None:
        first, second = (column.name for column in table.c)
        self.add(table, {first: left, second: right})

    def next_id(self, table: sa.Table) -> int:
        return self.counts[table.name] + len(self.pending[table]) + 1

    def event(
        self,
        verb: str,
        entity: str,
        entity_id: int | None,
        at: datetime,
        *,
        actor: int | None = None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> None:
        """An audit event as audit.record writes it: plain JSON values, "system" when no one acted."""
        self.add(
            AUDIT_EVENTS,
            {
                "id": self.next_id(AUDIT_EVENTS),
                "occurred_at": at,
                "actor_id": actor,
                "actor_label": self.labels.get(actor, "system"),
                "verb": verb,
                "entity_type": entity,
                "entity_id": entity_id,
                "before": before,
                "after": after,
            },
        )

    def created(
        self, entity: str, entity_id: int, at: datetime, label: str, actor: int | None = None
    ) -> None:
        self.event(
            f"{entity}.created",
            entity,
            entity_id,
            at,
            actor=actor,
            after={"source": "generated", "label": label},
        )

    def flush(self) -> None:
        # audit events last, so that every row they are about is in the database when sealing fingerprints it
        for table, rows in sorted(self.pending.items(), key=lambda item: item[0] is AUDIT_EVENTS):
            for start in range(0, len(rows), BATCH):
                if table is AUDIT_EVENTS:
                    audit.record_many(rows[start : start + BATCH])
                    audit.seal(
                        db.session()
                    )  # chained as they go, so the events are not all held until the end
                else:
                    db.session.execute(sa.insert(table), rows[start : start + BATCH])
            if rows:
                self.counts[table.name] += len(rows)
            rows.clear()
        self.waiting = 0


def _moment(day: date, rng: random.Random, first_hour: int = 8, last_hour: int = 17) -> datetime:
    return datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(first_hour, last_hour),
        rng.randint(0, 59),
        tzinfo=timezone.utc,
    )


class _Generator:
    """Builds the partnership stage by stage, each stage with its own random stream drawn from the seed."""

    def __init__(
        self,
        scale: Scale,
        seed: int,
        password_hash: str,
        reference_day: date,
        on_progress: Callable[[str], None] | None,
    ):
        self.scale, self.seed, self.password_hash, self.today = scale, seed, password_hash, reference_day
        self.start = reference_day - timedelta(days=WINDOW_DAYS)
        self.out = _Writer()
        self.files = _FileStore(self.out)
        self.say = on_progress or (lambda message: None)
        self.people: dict[str, list[int]] = {}  # user ids by role
        self.findings: list[generate_plan.PlannedFinding] = []
        self.actions: list[generate_plan.PlannedAction] = []
        self.gone_quiet = False  # whether an open action has gone without an update for more than 30 days yet

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}:{stage}")

    def run(self) -> None:
        for stage in (
            generate_plan.users,
            generate_plan.themes,
            generate_plan.inspections_and_findings,
            generate_plan.actions_and_updates,
            generate_impact.measures,
            generate_impact.evidence,
            generate_impact.surveys,
            generate_frameworks.criteria,
            generate_sef.statements,
            generate_requests.periods,
        ):
            stage(self)
            self.out.flush()

    moment = staticmethod(_moment)

    def day(self, rng: random.Random, low: date, high: date) -> date:
        """A day from low to high, both included; `low` when the range is empty."""
        return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


class _FileStore:
    """Stores generated files through storage.store_stream, as uploads are, on a few threads.

    Recognising a file's type and syncing it to disk wait outside Python's lock, so threads make them
    overlap. The rows are added in the order the files were handed in, so their ids do not depend on timing.
    """

    def __init__(self, out: _Writer):
        self.out, self.app = out, current_app._get_current_object()  # type: ignore[attr-defined]
        self.pool = ThreadPoolExecutor(max_workers=4)
        self.waiting: list[tuple[dict, Future]] = []
        self.created: list[str] = []  # keys this run stored, removed again if it fails

    def submit(self, filename: str, content: bytes, row: dict) -> None:
        self.waiting.append((row, self.pool.submit(self._store, filename, content)))
        if len(self.waiting) >= 200:
            self.settle()

    def _store(self, filename: str, content: bytes) -> storage.StoredFile:
        with self.app.app_context():
            return storage.store_stream(io.BytesIO(content), filename, self.app.config["MAX_CONTENT_LENGTH"])

    def settle(self) -> None:
        """Add an evidence file row for each file handed in so far, waiting for those still being written."""
        while self.waiting:
            row, future = self.waiting.pop(0)
            stored = future.result()
            if stored.created:
                self.created.append(stored.key)
            self.out.add(
                EVIDENCE_FILES,
                row
                | {
                    "id": self.out.next_id(EVIDENCE_FILES),
                    "version": 1,
                    "filename": stored.filename,
                    "content_type": stored.content_type,
                    "size_bytes": stored.size_bytes,
                    "sha256": stored.sha256,
                    "storage_key": stored.key,
                },
            )

    def close(self) -> list[str]:
        """Wait for every thread; returns the keys of every file this run created, settled or not."""
        self.pool.shutdown(wait=True)
        for _, future in self.waiting:
            if future.exception() is None and future.result().created:
                self.created.append(future.result().key)
        self.waiting.clear()
        return self.created
