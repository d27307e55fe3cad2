"""Readiness over time for Power BI (docs/api.md, "Readiness history"): the snapshots behind the dashboard's
trend, as the API's lists are.

- `/readiness-snapshots`: one item per snapshot day, with its red, amber and green findings, as the
  dashboard's trend table counts them (`readiness_trend`).
- `/readiness-history`: the flat shape, one row per finding per snapshot day, with plain columns; and
  `/readiness-history.csv`, the same rows and columns as one CSV file (the exports' own writer and format).

Snapshots count no restricted evidence at all (`take_snapshot`): the trend is shown to everyone on the plan,
so no figure here can reveal restricted evidence to a token's maker who may not see it, viewer or leader.
"""

import datetime
from datetime import date

import sqlalchemy as sa
from flask import current_app, request
from pydantic import Field

from tracker.api.lists import (
    Param,
    answer,
    as_at_of,
    next_link,
    offered,
    operation,
    page_in_sql,
    page_of,
    whole_number,
)
from tracker.api.problems import bad_parameter
from tracker.api.schemas import Document, ListDocument
from tracker.dates import as_at_day
from tracker.exports.csvs import filename, to_csv
from tracker.exports.formats import FORMATS
from tracker.extensions import db
from tracker.plan.models import Finding, Inspection, Partner, Theme
from tracker.plan.rag import Rag
from tracker.readiness.models import ReadinessSnapshot
from tracker.readiness.services import Scope, readiness_trend

FIRST_DAY = date(1900, 1, 1)  # the one as-at rule's earliest day


class ReadinessSnapshotDay(Document):
    date: datetime.date
    findings: int = Field(
        description="Findings in the snapshot of that day (of those chosen by the filters)."
    )
    red: int
    amber: int
    green: int


class ReadinessSnapshotList(ListDocument):
    data: list[ReadinessSnapshotDay]


class ReadinessHistoryRow(Document):
    """One finding on one snapshot day. The column names are the CSV's header, in this order; their
    descriptions are the analysts' page's table of columns."""

    id: int = Field(description="The snapshot row's id: unique, and the order the pages come in.")
    date: datetime.date = Field(description="The snapshot's day (YYYY-MM-DD): readiness as at the end of it.")
    inspection_id: int = Field(description="The inspection's id.")
    inspection: str = Field(description="The inspection's title, as it is now.")
    finding_id: int = Field(description="The finding's id: the same finding on every day.")
    finding_reference: str = Field(description="The finding's reference, such as AFI1, as it is now.")
    finding_title: str = Field(description="The finding's title, as it is now.")
    theme_id: int = Field(description="The theme's id.")
    theme: str = Field(description="The finding's theme, as it is now.")
    accountable_partner: Partner = Field(description="council, icb, both or other.")
    accountable_partner_label: str = Field(description="The partner in words, such as Council and ICB.")
    readiness: Rag = Field(description="red, amber or green.")
    readiness_label: str = Field(description="Red, Amber or Green: the word on the tag.")
    reasons: str = Field(
        description="Why, most serious first, joined by '; ', as the dashboard showed them that day, such as "
        "'2 actions overdue; no accepted evidence since March 2026'."
    )


class ReadinessHistoryList(ListDocument):
    data: list[ReadinessHistoryRow]


HISTORY_COLUMNS = tuple(ReadinessHistoryRow.model_fields)  # the CSV's header: the JSON's names, in order


def _values(enum) -> dict:
    return {"type": "string", "enum": [member.value for member in enum]}


SCOPE_FILTERS = [
    Param("theme", {"type": "integer", "minimum": 1}, "Only this theme's findings (its id)."),
    Param("inspection", {"type": "integer", "minimum": 1}, "Only this inspection's findings (its id)."),
    Param(
        "partner",
        _values(Partner),
        "Only findings this partner answers for, as on the dashboard (council and icb include those they "
        "share).",
    ),
]
SINCE = Param(
    "since",
    {"type": "string", "format": "date"},
    "Only snapshot days on or after this day (YYYY-MM-DD), for a refresh that reads only the latest days.",
)
HISTORY_FILTERS = [
    *SCOPE_FILTERS,
    Param("readiness", _values(Rag), "Only rows of this readiness colour."),
    SINCE,
]


def _scope() -> Scope:
    """The theme, inspection and partner asked for, as the dashboard's trend chooses findings."""
    return Scope(
        inspection_id=whole_number("inspection"),
        theme_id=whole_number("theme"),
        partner=offered("partner", [member.value for member in Partner]),
    )


def _since(day: date) -> date:
    raw = request.args.get("since")
    if not raw:
        return FIRST_DAY
    try:
        since = as_at_day(raw, "since")
    except ValueError as error:
        raise bad_parameter("since", str(error)) from None
    if since > day:
        raise bad_parameter("since", "since must be on or before as_at.")
    return since


@operation(
    "/readiness-snapshots",
    "Readiness snapshots: red, amber and green findings per day",
    ReadinessSnapshotList,
    SCOPE_FILTERS,
)
def readiness_snapshots():
    """Each day a readiness snapshot was taken, on or before `as_at`, with its red, amber and green findings:
    the dashboard's trend, every day of it. Snapshots count no restricted evidence. Ordered by day."""
    day = as_at_of()
    trend = readiness_trend(day, _scope(), days=(day - FIRST_DAY).days + 1)
    page = page_of(trend, lambda taken: taken[0].toordinal())
    return answer(
        ReadinessSnapshotList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                ReadinessSnapshotDay(date=on, findings=sum(counts.values()), **counts)
                for on, counts in page.items
            ],
        )
    )


def _history_query(day: date) -> sa.Select:
    """The snapshot rows asked for: snapshot days from `since` to `as_at`, of the findings the filters
    choose (archived findings keep their history, as in the dashboard's trend)."""
    scope = _scope()
    colour = offered("readiness", [rag.value for rag in Rag])
    query = (
        sa.select(ReadinessSnapshot)
        .join(Finding, Finding.id == ReadinessSnapshot.finding_id)
        .where(ReadinessSnapshot.taken_on >= _since(day), ReadinessSnapshot.taken_on <= day)
    )
    if scope.inspection_id:
        query = query.where(Finding.inspection_id == scope.inspection_id)
    if scope.theme_id:
        query = query.where(Finding.theme_id == scope.theme_id)
    if scope.partner:
        query = query.where(Finding.accountable_partner.in_([Partner(value) for value in scope.partners]))
    if colour:
        query = query.where(ReadinessSnapshot.readiness == colour)
    return query


def _rows(snapshots: list[ReadinessSnapshot]) -> list[ReadinessHistoryRow]:
    """The rows of these snapshots, with their findings' reference, theme and inspection (one more query)."""
    wanted = {snapshot.finding_id for snapshot in snapshots}
    findings = {
        found.id: found
        for found in db.session.execute(
            sa.select(
                Finding.id,
                Finding.reference,
                Finding.title,
                Finding.inspection_id,
                Inspection.title.label("inspection"),
                Finding.theme_id,
                Theme.name.label("theme"),
                Finding.accountable_partner,
            )
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .join(Theme, Theme.id == Finding.theme_id)
            .where(Finding.id.in_(wanted))
        )
    }
    return [
        ReadinessHistoryRow(
            id=snapshot.id,
            date=snapshot.taken_on,
            inspection_id=finding.inspection_id,
            inspection=finding.inspection,
            finding_id=finding.id,
            finding_reference=finding.reference,
            finding_title=finding.title,
            theme_id=finding.theme_id,
            theme=finding.theme,
            accountable_partner=finding.accountable_partner,
            accountable_partner_label=finding.accountable_partner.label,
            readiness=Rag(snapshot.readiness),
            readiness_label=Rag(snapshot.readiness).label,
            reasons="; ".join(snapshot.reasons),
        )
        for snapshot in snapshots
        for finding in (findings[snapshot.finding_id],)
    ]


@operation(
    "/readiness-history",
    "Readiness history: one row per finding per snapshot day",
    ReadinessHistoryList,
    HISTORY_FILTERS,
)
def readiness_history():
    """The flat readiness history for Power BI: one row per finding per snapshot day on or before `as_at`,
    with plain columns (docs/api.md, "Readiness history"). Snapshots count no restricted evidence. Ordered
    by the row's id; the same rows as /readiness-history.csv."""
    day = as_at_of()
    page = page_in_sql(_history_query(day), ReadinessSnapshot.id)
    return answer(
        ReadinessHistoryList(as_at=day, next=next_link(page.next_after, day), data=_rows(page.items))
    )


@operation(
    "/readiness-history.csv",
    "Readiness history as one CSV file",
    None,
    HISTORY_FILTERS,
    media_type="text/csv",
)
def readiness_history_csv():
    """The same rows and columns as /readiness-history, every row at once, as a CSV file (UTF-8 with a byte
    order mark, a header row of the column names), for a report that loads a file rather than pages."""
    day = as_at_of()
    snapshots = db.session.scalars(_history_query(day).order_by(ReadinessSnapshot.id)).all()
    rows = [row.model_dump(mode="json") for row in _rows(list(snapshots))]
    content = to_csv(HISTORY_COLUMNS, [[row[column] for column in HISTORY_COLUMNS] for row in rows])
    response = current_app.response_class(content, mimetype=FORMATS["csv"].mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename("readiness-history", day)}"'
    response.add_etag()
    return response.make_conditional(request)
