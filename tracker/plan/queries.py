"""The lists people work from, in SQL: the rules of rag.py as conditions the database can filter,
sort and count by.

The action list and "my actions" ask the database for one page of rows and a total, so their
cost does not grow with the plan. The conditions here mirror `tracker.plan.rag` rule for
rule; tests/unit/test_rag_sql.py checks that both give the same colour for every case.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from tracker.auth.models import User
from tracker.dates import today
from tracker.extensions import db
from tracker.paging import Paged, page_to_show
from tracker.plan.models import Action, ActionStatus, Finding, Partner, ProgressUpdate, Theme
from tracker.plan.rag import AMBER_GAP, DUE_SOON_DAYS, RED_GAP, Rag, RagResult
from tracker.plan.services import ThemeGroup, list_themes, open_statuses, rag_of, stale_after_days, stale_of

SORTS = {"due", "reference", "title", "owner", "status", "percent", "rag", "updated"}
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, None: 3}


class days_between(FunctionElement):  # noqa: N801 - reads as a SQL function
    """Whole days from the second date to the first, on SQLite and PostgreSQL alike."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    later, earlier = element.clauses
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = element.clauses
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) "
        "AS INTEGER)"
    )


@dataclass
class ActionFilters:
    theme_id: int | None = None
    finding_id: int | None = None
    owner: str = ""  # part of the owner's name or email address
    partner: Partner | None = None
    status: ActionStatus | None = None
    rag: Rag | None = None
    overdue: bool = False
    stale: bool = False
    text: str = ""
    archived: bool = False
    sort: str = "due"
    descending: bool = False
    page: int = 1


@dataclass
class ActionRow:
    action: Action
    last_update_on: date | None
    rag: RagResult
    stale: bool


@dataclass
class ActionPage(Paged):
    rows: list[ActionRow]
    total: int
    page: int
    per_page: int


def last_update_column():
    """The day of an action's latest progress update, as a column of the action."""
    return (
        sa.select(sa.func.max(ProgressUpdate.written_on))
        .where(ProgressUpdate.action_id == Action.id)
        .correlate(Action)
        .scalar_subquery()
    )


def due_column():
    return sa.func.coalesce(Action.revised_due_date, Action.due_date)


def stale_condition(last_update, on: date, days: int):
    """rag.is_stale in SQL: an open action with no update for `days` days or more."""
    cutoff = on - timedelta(days=days)
    cutoff_moment = datetime(cutoff.year, cutoff.month, cutoff.day, 23, 59, 59, tzinfo=timezone.utc)
    return sa.and_(
        Action.status.in_(open_statuses()),
        sa.case(
            (last_update.is_not(None), last_update <= cutoff),
            (sa.and_(Action.start_date.is_not(None), Action.start_date <= on), Action.start_date <= cutoff),
            else_=Action.created_at <= cutoff_moment,
        ),
    )


def _behind_by_more_than(gap: int, on: date):
    """rag.expected_percent minus percent complete is more than `gap` points, in whole-number arithmetic.

    Python rounds 100 × elapsed / span half to even; round(x) ≥ k exactly when 2x > 2k − 1, or
    2x = 2k − 1 and k is even. With x = 100e / t that is 200e > (2k − 1)t, or equal and k even.
    """
    day, start, due = sa.literal(on, sa.Date()), Action.start_date, due_column()
    wanted = Action.percent_complete + (gap + 1)
    elapsed, span = days_between(day, start), days_between(due, start)
    return sa.and_(
        start.is_not(None),
        due > start,
        sa.or_(
            sa.and_(day >= due, 100 - Action.percent_complete > gap),
            sa.and_(
                start <= day,
                day < due,
                sa.or_(
                    200 * elapsed > (2 * wanted - 1) * span,
                    sa.and_(200 * elapsed == (2 * wanted - 1) * span, wanted % 2 == 0),
                ),
            ),
        ),
    )


def rag_column(last_update, on: date, days: int):
    """rag.compute_rag's colour, then a leader's override, as one SQL expression: 'red', 'amber',
    'green' or NULL."""
    day, due = sa.literal(on, sa.Date()), due_column()
    stale = stale_condition(last_update, on, days)
    red = sa.or_(
        due < day,
        _behind_by_more_than(RED_GAP, on),
        sa.and_(stale, due <= sa.literal(on + timedelta(days=DUE_SOON_DAYS), sa.Date())),
    )
    amber = sa.or_(
        _behind_by_more_than(AMBER_GAP, on),
        stale,
        Action.status == ActionStatus.ON_HOLD,
        sa.and_(
            Action.status == ActionStatus.NOT_STARTED, Action.start_date.is_not(None), Action.start_date < day
        ),
    )
    return sa.case(
        (Action.rag_override.is_not(None), Action.rag_override),
        (Action.status == ActionStatus.CANCELLED, sa.null()),
        (Action.status == ActionStatus.COMPLETE, Rag.GREEN.value),
        (red, Rag.RED.value),
        (amber, Rag.AMBER.value),
        else_=Rag.GREEN.value,
    )


def _rag_order(rag):
    return sa.case(
        {colour.value: order for colour, order in RAG_ORDER.items() if colour},
        value=rag,
        else_=RAG_ORDER[None],
    )


def _sort_column(sort: str, last_update, rag):
    owner_name = sa.select(sa.func.lower(User.name)).where(User.id == Action.owner_id).scalar_subquery()
    return {
        "reference": Action.reference_key,
        "title": sa.func.lower(Action.title),
        "owner": owner_name,
        "status": sa.case({status: index for index, status in enumerate(ActionStatus)}, value=Action.status),
        "percent": Action.percent_complete,
        "rag": _rag_order(rag),
        "updated": last_update,
        "due": due_column(),
    }.get(sort, due_column())


def _rows(query, on: date) -> list[ActionRow]:
    return [
        ActionRow(action, updated, rag_of(action, updated, on), stale_of(action, updated, on))
        for action, updated in db.session.execute(query).all()
    ]


def list_actions(filters: ActionFilters, per_page: int = 25, on: date | None = None) -> ActionPage:
    """One page of the filtered, sorted actions, each with its RAG, and the total:
    four queries whatever the plan's size."""
    on, days = on or today(), stale_after_days()
    last_update = last_update_column()
    rag = rag_column(last_update, on, days)
    conditions: list[sa.ColumnElement[bool]] = [
        Action.archived_at.is_not(None) if filters.archived else Action.archived_at.is_(None)
    ]
    if filters.theme_id:
        conditions.append(Action.findings.any(Finding.theme_id == filters.theme_id))
    if filters.finding_id:
        conditions.append(Action.findings.any(Finding.id == filters.finding_id))
    if filters.owner.strip():
        conditions.append(Action.owner_id.in_(people_matching(filters.owner)))
    if filters.partner:
        conditions.append(Action.partner == filters.partner)
    if filters.status:
        conditions.append(Action.status == filters.status)
    if filters.rag:
        conditions.append(rag == filters.rag.value)
    if filters.overdue:
        conditions.extend([due_column() < on, Action.status.in_(open_statuses())])
    if filters.stale:
        conditions.append(stale_condition(last_update, on, days))
    if filters.text.strip():
        words = filters.text.strip().lower()  # a typed % or _ is a character to find, not a wildcard
        conditions.append(
            sa.or_(
                *(
                    sa.func.lower(column).contains(words, autoescape=True)
                    for column in (Action.title, Action.description, Action.reference)
                )
            )
        )
    total = db.session.execute(sa.select(sa.func.count(Action.id)).where(*conditions)).scalar_one()
    page = page_to_show(filters.page, total, per_page)
    key = _sort_column(filters.sort, last_update, rag)
    order = (
        [key.desc().nulls_last(), Action.reference_key.desc()]
        if filters.descending
        else [key.asc().nulls_first(), Action.reference_key.asc()]
    )
    query = (
        sa.select(Action, last_update.label("last_update_on"))
        .options(selectinload(Action.owner), selectinload(Action.findings))
        .where(*conditions)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return ActionPage(_rows(query, on), total, page, per_page)


def my_actions(user: User, page: int = 1, per_page: int = 25, on: date | None = None) -> ActionPage:
    """Open actions this person owns or contributes to, those needing an update first, one page at a time."""
    on, days = on or today(), stale_after_days()
    last_update = last_update_column()
    conditions = [
        Action.archived_at.is_(None),
        Action.status.in_(open_statuses()),
        sa.or_(Action.owner_id == user.id, Action.contributors.any(User.id == user.id)),
    ]
    total = db.session.execute(sa.select(sa.func.count(Action.id)).where(*conditions)).scalar_one()
    page = page_to_show(page, total, per_page)
    stale, overdue = stale_condition(last_update, on, days), due_column() < on
    query = (
        sa.select(Action, last_update.label("last_update_on"))
        .options(selectinload(Action.owner), selectinload(Action.findings), selectinload(Action.contributors))
        .where(*conditions)
        .order_by(
            sa.case((stale, 0), else_=1),
            sa.case((overdue, 0), else_=1),
            _rag_order(rag_column(last_update, on, days)),
            due_column(),
            Action.reference_key,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return ActionPage(_rows(query, on), total, page, per_page)


def people_matching(words: str) -> sa.Select:
    """The ids of people whose name or email address contains these words: filters take a name typed, not a
    list of every person, which at a region's size is over a thousand options on every page."""
    wanted = words.strip().lower()
    return sa.select(User.id).where(
        sa.or_(
            sa.func.lower(User.name).contains(wanted, autoescape=True),
            sa.func.lower(User.email).contains(wanted, autoescape=True),
        )
    )


def live_finding_choices() -> Sequence[sa.Row]:
    """Every live finding's id, reference and title, for a filter: rows,
    not whole findings with their text."""
    return db.session.execute(
        sa.select(Finding.id, Finding.reference, Finding.title)
        .where(Finding.archived_at.is_(None))
        .order_by(Finding.reference)
    ).all()


def filter_choices() -> dict:
    """The options of the action filters, in two small queries."""
    return {"themes": list_themes(), "findings": live_finding_choices()}


@dataclass
class FindingPage(Paged):
    groups: list[ThemeGroup]  # this page's findings under their themes
    theme_totals: dict[int, int]  # findings in each theme, on every page
    total: int
    page: int
    per_page: int

    @property
    def finding_ids(self) -> list[int]:
        return [finding.id for group in self.groups for finding in group.findings]


def findings_page(
    archived: bool = False, theme_id: int | None = None, page: int = 1, per_page: int = 50
) -> FindingPage:
    """One page of findings in theme order, then by kind and reference, with each theme's total:
    three queries."""
    conditions: list[sa.ColumnElement[bool]] = [
        Finding.archived_at.is_not(None) if archived else Finding.archived_at.is_(None)
    ]
    if theme_id:
        conditions.append(Finding.theme_id == theme_id)
    theme_totals = dict(
        db.session.execute(
            sa.select(Finding.theme_id, sa.func.count()).where(*conditions).group_by(Finding.theme_id)
        )
        .tuples()
        .all()
    )
    total = sum(theme_totals.values())
    page = page_to_show(page, total, per_page)
    query = (
        sa.select(Finding)
        .join(Finding.theme)
        .where(*conditions)
        .options(selectinload(Finding.theme))
        .order_by(Theme.position, Theme.name, Finding.kind, Finding.reference)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    groups: list[ThemeGroup] = []
    for finding in db.session.scalars(query):
        if not groups or groups[-1].theme.id != finding.theme_id:
            groups.append(ThemeGroup(finding.theme, []))
        groups[-1].findings.append(finding)
    return FindingPage(groups, theme_totals, total, page, per_page)
