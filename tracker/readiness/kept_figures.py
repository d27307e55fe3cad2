"""Each finding's readiness and each action's RAG today, kept up to date as the plan changes.

The dashboard counts these rows instead of working the whole plan out on every view (docs/performance.md).
They are derived, not data: no audit event, and never a source for exports, which read `plan_as_at`.

- **A change marks what it touches.** Each flush notes the records it wrote; when the transaction commits,
  the findings, actions and measures they bear on (an action's findings, an evidence item's findings and its
  actions' findings, a measure's, a progress update's action, links added or removed) have their row's
  `generation` moved on and `worked_on` cleared, in the same transaction as the change. A bulk statement on
  one of those tables marks every row.
- **A view works out what is marked, or dated before today** (readiness depends on the day: overdue,
  stale, review-by dates), with the same rules as the plan's pages (`services.readiness_views_today`),
  and stores it only if the row's generation is still the one read before the data: a change committed
  meanwhile leaves the row marked, never stale.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from tracker.auth.models import User
from tracker.dates import today
from tracker.evidence.models import EvidenceItem, evidence_action, evidence_finding
from tracker.evidence.services import accepted_evidence_by_finding
from tracker.extensions import db
from tracker.measures.models import (
    Measure,
    MeasureMilestone,
    MeasureReading,
    ReadingCorrection,
    measure_finding,
)
from tracker.plan.models import (
    Action,
    DueDateRevision,
    Finding,
    ProgressUpdate,
    action_finding,
    action_measure,
)
from tracker.plan.queries import due_column, last_update_column, rag_column, stale_condition
from tracker.plan.services import open_statuses, stale_after_days
from tracker.readiness.models import ActionFigures, FindingFigures, MeasureFigures
from tracker.readiness.rules import Readiness
from tracker.readiness.services import SystemReader, measures_today, readiness_views_today

# tables whose rows readiness or an action's RAG reads: a bulk statement on any of them marks every row
_READ_TABLES = frozenset(
    cast(sa.Table, table).name  # a mapped class's table is typed as any FROM clause
    for table in (
        Finding.__table__,
        Action.__table__,
        ProgressUpdate.__table__,
        DueDateRevision.__table__,
        EvidenceItem.__table__,
        Measure.__table__,
        MeasureReading.__table__,
        ReadingCorrection.__table__,
        MeasureMilestone.__table__,
        action_finding,
        action_measure,
        evidence_finding,
        evidence_action,
        measure_finding,
    )
)


# Marking what a change touches ---------------------------------------------------------------


@dataclass
class _Touched:
    findings: set[int]
    actions: set[int]  # their RAG and their findings' readiness
    through_actions: set[int]  # only their findings' readiness (evidence or a measure linked to them)
    evidence: set[int]
    measures: set[int]
    readings: set[int]

    def __bool__(self) -> bool:
        return any(
            (self.findings, self.actions, self.through_actions, self.evidence, self.measures, self.readings)
        )


def _linked_ids(record, name: str) -> set[int]:
    """Ids added to or removed from a collection in this flush, read from its history without loading it."""
    history = sa.inspect(record).attrs[name].history
    return {other.id for other in chain(history.added or (), history.deleted or ()) if other.id is not None}


def _touched(session: Session) -> _Touched:
    touched = _Touched(set(), set(), set(), set(), set(), set())
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Finding):
            touched.findings.add(record.id)
            touched.actions |= _linked_ids(record, "actions")
        elif isinstance(record, Action):
            touched.actions.add(record.id)
            touched.findings |= _linked_ids(record, "findings")
            touched.measures |= _linked_ids(record, "measures")
        elif isinstance(record, (ProgressUpdate, DueDateRevision)):
            touched.actions.add(record.action_id)
        elif isinstance(record, EvidenceItem):
            touched.evidence.add(record.id)
            touched.findings |= _linked_ids(record, "findings")
            touched.through_actions |= _linked_ids(record, "actions")
        elif isinstance(record, Measure):
            touched.measures.add(record.id)
            touched.findings |= _linked_ids(record, "findings")
            touched.through_actions |= _linked_ids(record, "actions")
        elif isinstance(record, (MeasureReading, MeasureMilestone)):
            touched.measures.add(record.measure_id)
        elif isinstance(record, ReadingCorrection):
            touched.readings.add(record.reading_id)
    touched.findings.discard(None)
    touched.actions.discard(None)
    return touched


def _measures_touched(touched: _Touched) -> sa.Subquery:
    return sa.union(
        sa.select(Measure.id.label("id")).where(Measure.id.in_(touched.measures)),
        sa.select(MeasureReading.measure_id).where(MeasureReading.id.in_(touched.readings)),
    ).subquery()


def _findings_touched(touched: _Touched) -> sa.CompoundSelect:
    """SELECT finding_id of every finding the touched rows bear on, as the database holds them after the flush
    (links removed in the flush are in `touched` already)."""
    measures = _measures_touched(touched)
    actions = sa.union(
        sa.select(Action.id).where(Action.id.in_(touched.actions | touched.through_actions)),
        sa.select(evidence_action.c.action_id).where(evidence_action.c.evidence_id.in_(touched.evidence)),
        sa.select(action_measure.c.action_id).where(action_measure.c.measure_id.in_(sa.select(measures))),
    ).subquery()
    return sa.union(
        sa.select(Finding.id).where(Finding.id.in_(touched.findings)),
        sa.select(action_finding.c.finding_id).where(action_finding.c.action_id.in_(sa.select(actions))),
        sa.select(evidence_finding.c.finding_id).where(evidence_finding.c.evidence_id.in_(touched.evidence)),
        sa.select(measure_finding.c.finding_id).where(measure_finding.c.measure_id.in_(sa.select(measures))),
    )


class _MarkRows(Insert):
    """INSERT ... SELECT that marks a figures row when it is there already: ON CONFLICT (its key) DO UPDATE
    SET generation = generation + 1, worked_on = NULL, written alike for SQLite and PostgreSQL (below).
    Not SQLAlchemy's dialect upserts: it never caches those (`inherit_cache = False`), so every committing
    change compiled them afresh, about 2 ms each time. This one is cached as an INSERT of that table from
    that SELECT, which fixes its whole text."""

    inherit_cache = True


@compiles(_MarkRows)
def _compile_mark(insert, compiler, **kw) -> str:
    table, quote = insert.table, compiler.preparer.quote
    name, key = compiler.preparer.format_table(table), quote(table.primary_key.columns[0].name)
    return (
        compiler.visit_insert(insert, **kw)
        + f" ON CONFLICT ({key}) DO UPDATE SET generation = {name}.generation + 1, worked_on = NULL"
    )


_PARENTS = {"finding_id": Finding, "action_id": Action, "measure_id": Measure}


def _mark(connection, model, key: str, chosen: sa.Select | sa.CompoundSelect | None) -> None:
    """Move these rows' generation on and clear their day; a row not made yet is made marked (generation
    1)."""
    table = model.__table__
    parent = _PARENTS[key].__table__
    ids = sa.select(parent.c.id)
    if chosen is not None:
        ids = ids.where(parent.c.id.in_(chosen))
    else:
        ids = ids.where(sa.true())  # SQLite reads an upsert's SELECT only with a WHERE
    chosen_ids = ids.subquery()
    statement = _MarkRows(table).from_select(
        [key, "generation"],
        sa.select(chosen_ids.c.id, sa.literal(1)).where(sa.true()).order_by(chosen_ids.c.id),
    )
    connection.execute(statement)


_TOUCHED = "tracker_figures_touched"
_MARK_ALL = "tracker_mark_all_figures"


def _after_flush(session: Session, _context) -> None:
    """Note what this flush touched; the rows are marked once, when the transaction commits (an import of
    hundreds of rows flushes hundreds of times)."""
    touched = _touched(session)
    if touched:
        kept = session.info.setdefault(_TOUCHED, _Touched(set(), set(), set(), set(), set(), set()))
        for name in ("findings", "actions", "through_actions", "evidence", "measures", "readings"):
            getattr(kept, name).update(getattr(touched, name))


def _after_bulk(state) -> None:
    """A bulk INSERT, UPDATE or DELETE on a table readiness reads (an import, a loader) marks every row, once,
    when its transaction commits."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _READ_TABLES:
        state.session.info[_MARK_ALL] = True


def _before_commit(session: Session) -> None:
    """Mark what the transaction touched, in it, before the audit chain is sealed (whose lock is the last a
    transaction takes: audit.seal). Rows are marked in id order, so two transactions lock them in one
    order."""
    session.flush()  # what is still pending is touched too
    if not (session.info.get(_TOUCHED) or session.info.get(_MARK_ALL)):
        return
    touched, everything = session.info.pop(_TOUCHED, None), session.info.pop(_MARK_ALL, False)
    connection = session.connection()
    if everything:
        _mark(connection, FindingFigures, "finding_id", None)
        _mark(connection, ActionFigures, "action_id", None)
        _mark(connection, MeasureFigures, "measure_id", None)
        return
    _mark(connection, FindingFigures, "finding_id", _findings_touched(touched))
    if touched.actions:
        _mark(
            connection, ActionFigures, "action_id", sa.select(Action.id).where(Action.id.in_(touched.actions))
        )
    if touched.measures or touched.readings:
        _mark(connection, MeasureFigures, "measure_id", sa.select(_measures_touched(touched).c.id))


def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_MARK_ALL, None)


def register() -> None:
    """Listen to every session of the app: called once by create_app."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _after_bulk)
        event.listen(Session, "before_commit", _before_commit, insert=True)  # before audit.seal
        event.listen(Session, "after_soft_rollback", lambda session, _previous: _after_rollback(session))


# Reading them, working out what is marked ----------------------------------------------------


@dataclass(frozen=True)
class KeptReadiness:
    readiness: Readiness
    current_evidence: int  # current accepted items it counts (0: a gap)


def _stored(connection, model, key: str, rows: list[dict]) -> None:
    """Store worked-out rows, each only where its generation is still the one read before the data. Rows are
    made only by changes (`_mark`) and the migration, never here: a view that found none keeps its figures."""
    table = model.__table__
    names = [name for name in rows[0] if name not in (key, "generation")]
    connection.execute(
        sa.update(table)
        .where(table.c[key] == sa.bindparam("b_key"), table.c.generation == sa.bindparam("b_generation"))
        .values({name: sa.bindparam(name) for name in names}),
        [
            {"b_key": row[key], "b_generation": row["generation"], **{n: row[n] for n in names}}
            for row in sorted(rows, key=lambda row: row[key])  # id order, as changes lock them: no deadlock
        ],
    )


def _store(model, key: str, rows: list[dict]) -> None:
    """Keep what was worked out, committed at once. Best effort: when the database cannot take the write
    now (SQLite: a change was committed since this request began reading), the rows stay marked."""
    if not rows:
        return
    session = db.session()
    keep_loaded, session.expire_on_commit = session.expire_on_commit, False  # what the page read stays read
    try:
        _stored(session.connection(), model, key, rows)
        session.commit()
    except OperationalError:
        session.rollback()
    finally:
        session.expire_on_commit = keep_loaded


def finding_figures(finding_ids: Iterable[int], restricted: bool) -> dict[int, KeptReadiness]:
    """These live findings' readiness today, counting all restricted evidence (`restricted`, as a leader sees
    it) or none; worked out only for rows marked or dated before today."""
    wanted = list(finding_ids)
    on, days = _day_and_rule()
    view = "all" if restricted else "public"
    columns = [
        FindingFigures.finding_id,
        FindingFigures.generation,
        FindingFigures.worked_on,
        FindingFigures.stale_days,
        *(FindingFigures.__table__.c[f"{name}_{view}"] for name in ("colour", "reasons", "current")),
    ]
    rows = {
        row.finding_id: row
        for row in db.session.execute(sa.select(*columns).where(FindingFigures.finding_id.in_(wanted)))
    }
    due = [
        finding_id
        for finding_id in wanted
        if finding_id not in rows or rows[finding_id].worked_on != on or rows[finding_id].stale_days != days
    ]
    found: dict[int, KeptReadiness] = {}
    if due:
        generations = {
            finding_id: rows[finding_id].generation if finding_id in rows else 0 for finding_id in due
        }
        reader = SystemReader()
        views = readiness_views_today(
            due,
            {
                "all": lambda ids, day: accepted_evidence_by_finding(reader, ids, day),
                "public": lambda ids, day: accepted_evidence_by_finding(reader, ids, day, restricted=False),
            },
        )
        worked = []
        for finding_id, (readiness, current) in views["all"].items():
            public, public_current = views["public"][finding_id]
            worked.append(
                {
                    "finding_id": finding_id,
                    "generation": generations[finding_id],
                    "worked_on": on,
                    "stale_days": days,
                    "colour_all": readiness.colour,
                    "reasons_all": list(readiness.reasons),
                    "current_all": current,
                    "colour_public": public.colour,
                    "reasons_public": list(public.reasons),
                    "current_public": public_current,
                }
            )
            chosen = (readiness, current) if restricted else (public, public_current)
            found[finding_id] = KeptReadiness(*chosen)
        rows = {key: row for key, row in rows.items() if key not in generations}
        _store(FindingFigures, "finding_id", worked)
    for finding_id, (_, _, _, _, colour, reasons, current) in rows.items():
        found[finding_id] = KeptReadiness(Readiness(colour, tuple(reasons or ())), current or 0)
    return found


@dataclass(frozen=True)
class ActionLine:
    """An action as the dashboard's overdue and stale lists show it."""

    id: int
    reference: str
    title: str
    owner: str
    due_date: date
    latest_update_on: date | None


@dataclass
class ActionCounts:
    total: int
    by_status: Counter  # status value -> actions
    by_rag: Counter  # "red", "amber", "green" or None (cancelled) -> actions
    overdue: list[ActionLine]  # the first `limit`, due date first
    overdue_count: int
    stale: list[ActionLine]  # the first `limit`, oldest update first
    stale_count: int


def action_counts(action_ids: sa.Select | None, limit: int) -> ActionCounts:
    """The live actions (among `action_ids`, or all) counted by status and RAG, with the overdue and stale
    ones
    listed: kept rows counted in SQL, marked or old rows worked out afresh (and kept), the two added together.

    One statement counts the fresh rows and names the rest, so a row kept by another view meanwhile is
    counted once; the lists are merged by id for the same reason.
    """
    on, days = _day_and_rule()
    fresh = sa.and_(ActionFigures.worked_on == on, ActionFigures.stale_days == days)
    grouped = (
        ActionFigures.live,
        ActionFigures.status,
        ActionFigures.rag,
        ActionFigures.overdue,
        ActionFigures.stale,
    )
    counted = sa.select(sa.null(), sa.null(), *grouped, sa.func.count()).where(fresh).group_by(*grouped)
    named = sa.select(ActionFigures.action_id, ActionFigures.generation, *grouped, sa.literal(1)).where(
        sa.not_(fresh) | ActionFigures.worked_on.is_(None) | ActionFigures.stale_days.is_(None)
    )
    if action_ids is not None:
        counted = counted.where(ActionFigures.action_id.in_(action_ids))
        named = named.where(ActionFigures.action_id.in_(action_ids))
    counts = ActionCounts(0, Counter(), Counter(), [], 0, [], 0)
    generations: dict[int, int] = {}
    # one statement, so that it reads one state of the table (PostgreSQL reads each statement afresh)
    for action_id, generation_then, live, status, rag, overdue, stale, count in db.session.execute(
        sa.union_all(counted, named)
    ):
        if action_id is not None:
            generations[action_id] = generation_then
        elif live:
            counts.total += count
            counts.by_status[status] += count
            counts.by_rag[rag] += count
            counts.overdue_count += count if overdue else 0
            counts.stale_count += count if stale else 0
    worked = _work_out_actions(list(generations), on, days) if generations else []
    overdue, stale = [], []
    for row in worked:
        if not row.live:
            continue
        counts.total += 1
        counts.by_status[row.status] += 1
        counts.by_rag[row.rag] += 1
        line = ActionLine(row.id, row.reference, row.title, row.owner or "", row.due, row.latest_update_on)
        if row.overdue:
            counts.overdue_count += 1
            overdue.append(line)
        if row.stale:
            counts.stale_count += 1
            stale.append(line)
    _store(
        ActionFigures,
        "action_id",
        [
            {
                "action_id": row.id,
                "generation": generations[row.id],
                "worked_on": on,
                "stale_days": days,
                "live": bool(row.live),
                "status": row.status,
                "due_on": row.due,
                "rag": row.rag,
                "overdue": bool(row.overdue),
                "stale": bool(row.stale),
                "latest_update_on": row.latest_update_on,
            }
            for row in worked
        ],
    )
    kept_lines = (
        sa.select(
            Action.id,
            Action.reference,
            Action.title,
            User.name.label("owner"),
            ActionFigures.due_on,
            ActionFigures.latest_update_on,
        )
        .select_from(ActionFigures)
        .join(Action, Action.id == ActionFigures.action_id)
        .join(User, User.id == Action.owner_id)
        .where(fresh, ActionFigures.live.is_(True))
    )
    if action_ids is not None:
        kept_lines = kept_lines.where(ActionFigures.action_id.in_(action_ids))
    last_update = sa.func.coalesce(ActionFigures.latest_update_on, date.min)
    for chosen, flag, order in (
        (overdue, ActionFigures.overdue, (ActionFigures.due_on, Action.reference)),
        (stale, ActionFigures.stale, (last_update, Action.reference)),
    ):
        for row in db.session.execute(kept_lines.where(flag.is_(True)).order_by(*order).limit(limit)):
            chosen.append(
                ActionLine(row.id, row.reference, row.title, row.owner, row.due_on, row.latest_update_on)
            )
    counts.overdue = _first(overdue, limit, lambda line: (line.due_date, line.reference))
    counts.stale = _first(stale, limit, lambda line: (line.latest_update_on or date.min, line.reference))
    return counts


def _first(lines: list[ActionLine], limit: int, key) -> list[ActionLine]:
    unique = {line.id: line for line in lines}
    return sorted(unique.values(), key=key)[:limit]


def _work_out_actions(action_ids: list[int], on: date, days: int) -> Sequence[sa.Row]:
    """Status, due date, RAG, overdue, stale and latest update of these actions today, as the actions list
    works them out in SQL (plan.queries), with what the dashboard's lists show of them."""
    last_update = last_update_column()
    due = due_column()
    return db.session.execute(
        sa.select(
            Action.id,
            Action.reference,
            Action.title,
            User.name.label("owner"),
            due.label("due"),
            Action.archived_at.is_(None).label("live"),
            sa.type_coerce(Action.status, sa.String).label("status"),
            sa.type_coerce(rag_column(last_update, on, days), sa.String).label("rag"),
            sa.and_(due < on, Action.status.in_(open_statuses())).label("overdue"),
            stale_condition(last_update, on, days).label("stale"),
            last_update.label("latest_update_on"),
        )
        .join(User, User.id == Action.owner_id)
        .where(Action.id.in_(action_ids))
    ).all()


@dataclass(frozen=True)
class MeasureLine:
    id: int
    name: str
    status: str
    status_reason: str


def measure_lines(measure_ids: sa.Select) -> list[MeasureLine]:
    """These live measures with their status today, by name: kept rows read, marked or old ones worked out."""
    on = _day_and_rule()[0]
    rows = db.session.execute(
        sa.select(Measure.id, Measure.name, MeasureFigures)
        .outerjoin(MeasureFigures, MeasureFigures.measure_id == Measure.id)
        .where(Measure.id.in_(measure_ids), Measure.archived_at.is_(None))
    ).all()
    lines = {}
    generations = {}
    for measure_id, name, kept in rows:
        if kept is not None and kept.worked_on == on:
            lines[measure_id] = MeasureLine(measure_id, name, kept.status or "", kept.reason or "")
        else:
            generations[measure_id] = kept.generation if kept is not None else 0
    if generations:
        worked = measures_today(sa.select(Measure.id).where(Measure.id.in_(list(generations))))
        for measure_id, measure in worked.items():
            lines[measure_id] = MeasureLine(measure_id, measure.name, measure.status, measure.status_reason)
        _store(
            MeasureFigures,
            "measure_id",
            [
                {
                    "measure_id": measure_id,
                    "generation": generations[measure_id],
                    "worked_on": on,
                    "status": measure.status,
                    "reason": measure.status_reason,
                }
                for measure_id, measure in worked.items()
            ],
        )
    return sorted(lines.values(), key=lambda line: (line.name, line.id))


def _day_and_rule() -> tuple[date, int]:
    return today(), stale_after_days()


def work_out_today() -> int:
    """Work out every marked or old row now (the first dashboard of a day otherwise does it): for the daily
    `flask readiness snapshot`, run from cron after midnight. Returns how many live findings there are."""
    finding_ids = list(db.session.scalars(sa.select(Finding.id).where(Finding.archived_at.is_(None))))
    finding_figures(finding_ids, restricted=True)
    action_counts(None, 0)
    measure_lines(sa.select(Measure.id).where(Measure.archived_at.is_(None)))
    return len(finding_ids)


def copied_as_they_were(session: Session) -> None:
    """A restore copies the figures with the rows they were worked out from: its bulk inserts mark nothing."""
    session.info.pop(_MARK_ALL, None)
