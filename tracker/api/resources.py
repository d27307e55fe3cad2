"""The resources of this first part of the API: inspections, findings with their readiness, actions with their
RAG, and the OpenAPI document (docs/api.md). Each reads the plan as at the day asked for (`plan_for`), the
filters with the pages' own readers, and answers one page by cursor."""

from datetime import date

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user
from sqlalchemy.orm import load_only

from tracker.api import schemas
from tracker.api.lists import (
    Param,
    Slice,
    answer,
    as_at_of,
    next_link,
    offered,
    operation,
    page_in_sql,
    page_of,
    plan_for,
    whole_number,
)
from tracker.api.problems import bad_parameter
from tracker.dates import today
from tracker.extensions import db
from tracker.kept import kept
from tracker.measures.models import Measure, measure_finding
from tracker.permissions import restricted_view_key
from tracker.plan.forms import read_action_filters
from tracker.plan.models import (
    Action,
    ActionStatus,
    Finding,
    Inspection,
    Partner,
    ProgressUpdate,
    Theme,
    action_finding,
    action_measure,
)
from tracker.plan.queries import ActionFilters, due_column, people_matching, rag_column, stale_condition
from tracker.plan.rag import Rag
from tracker.plan.services import open_statuses, stale_after_days
from tracker.readiness.services import actions_today, end_of, readiness_today
from tracker.readiness.state import ActionAt, FindingAt

PARTNER_BY_LABEL = {partner.label: partner for partner in Partner}


def _values(enum) -> dict:
    return {"type": "string", "enum": [member.value for member in enum]}


@operation("/inspections", "Inspections and self-evaluations", schemas.InspectionList)
def inspections():
    """Every inspection and self-evaluation the plan answers that existed at the end of `as_at` and is not
    archived, by id. Titles, dates and outcomes are as they are now."""
    day = as_at_of()
    rows = db.session.scalars(
        sa.select(Inspection).where(Inspection.archived_at.is_(None), Inspection.created_at < end_of(day))
    ).all()
    page = page_of(rows, lambda row: row.id)
    return answer(
        schemas.InspectionList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.Inspection(
                    id=row.id,
                    title=row.title,
                    local_area=row.local_area,
                    inspectorates=row.inspectorates,
                    type=row.type,
                    type_label=row.type.label,
                    start_date=row.start_date,
                    end_date=row.end_date,
                    published_on=row.published_on,
                    outcome=row.outcome.value if row.outcome else None,
                    outcome_label=row.outcome.label if row.outcome else None,
                )
                for row in page.items
            ],
        )
    )


FINDING_FILTERS = [
    Param(
        "theme",
        {"type": "integer", "minimum": 1},
        "Only this theme's findings (its id), as on the findings page.",
    ),
    Param(
        "inspection",
        {"type": "integer", "minimum": 1},
        "Only this inspection's findings (its id), as on the dashboard.",
    ),
    Param(
        "partner",
        _values(Partner),
        "Only findings this partner answers for, as on the dashboard (council and icb include those they "
        "share).",
    ),
    Param("readiness", _values(Rag), "Only findings of this readiness colour."),
]


@operation("/findings", "Findings with their readiness", schemas.FindingList, FINDING_FILTERS)
def findings():
    """Each live finding as at the end of `as_at`, with its readiness colour and reasons as the dashboard
    shows them to the token's maker (restricted evidence counts only where they may see it), by id."""
    day = as_at_of()
    theme, inspection = whole_number("theme"), whole_number("inspection")
    partner = offered("partner", [member.value for member in Partner])
    colour = offered("readiness", [rag.value for rag in Rag])
    shared = {Partner.COUNCIL.value, Partner.ICB.value}
    partners: set[str] | None = None
    if partner:
        partners = {partner, Partner.BOTH.value} if partner in shared else {partner}
    if day == today():
        # kept per version of the data and per view of restricted evidence, as the plan is: a refresh asking
        # for the same pages again gets each from memory
        page = kept(
            "tracker_api_findings_today",
            (day, restricted_view_key(current_user), stale_after_days(), _asked()),
            lambda: _findings_today(day, theme, inspection, partners, colour),
            size=64,
        )
    else:
        page = _findings_from_the_plan(day, theme, inspection, partners, colour)
    return answer(
        schemas.FindingList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.Finding(
                    id=finding.id,
                    reference=finding.reference,
                    title=finding.title,
                    wording=finding.wording,
                    kind=finding.kind_value,
                    kind_label=finding.kind,
                    theme_id=finding.theme_id,
                    theme=finding.theme,
                    inspection_id=finding.inspection_id,
                    accountable_partner=PARTNER_BY_LABEL.get(finding.partner),
                    accountable_partner_label=finding.partner,
                    readiness=schemas.Readiness(
                        colour=finding.readiness, reasons=list(finding.readiness_reasons)
                    ),
                    action_ids=list(finding.action_ids),
                    measure_ids=list(finding.measure_ids),
                )
                for finding in page.items
            ],
        )
    )


def _asked() -> tuple:
    """The parameters asked, in one order, for a kept page's key: never the token of `?key=`."""
    return tuple(sorted((name, value) for name, value in request.args.items(multi=True) if name != "key"))


def _findings_from_the_plan(
    day: date, theme: int | None, inspection: int | None, partners: set[str] | None, colour: str | None
) -> Slice:
    """A page of the plan's findings as at `day` (kept per version of the data), filtered in Python."""
    chosen = [
        finding
        for finding in plan_for(day).findings
        if (not theme or finding.theme_id == theme)
        and (not inspection or finding.inspection_id == inspection)
        and (not partners or getattr(PARTNER_BY_LABEL.get(finding.partner), "value", None) in partners)
        and (not colour or finding.readiness == colour)
    ]
    return page_of(chosen, lambda finding: finding.id)


def _findings_today(
    day: date, theme: int | None, inspection: int | None, partners: set[str] | None, colour: str | None
) -> Slice:
    """The same page as `_findings_from_the_plan` gives for today, without the plan: the findings chosen in
    SQL, their readiness as the findings page reads it for this person (readiness_today, kept per version of
    the data), and only the page's actions and measures read. tests/http/test_api_actions_today.py holds both
    ways to the same answers."""
    conditions: list[sa.ColumnElement[bool]] = [Finding.archived_at.is_(None)]
    if theme:
        conditions.append(Finding.theme_id == theme)
    if inspection:
        conditions.append(Finding.inspection_id == inspection)
    if partners:
        conditions.append(Finding.accountable_partner.in_([Partner(value) for value in partners]))
    if colour:
        every = list(db.session.scalars(sa.select(Finding.id).where(*conditions)))
        readiness = readiness_today(current_user, sorted(every))
        chosen = page_of([i for i in every if readiness[i].colour == colour], lambda finding_id: finding_id)
        rows = sorted(
            db.session.scalars(sa.select(Finding).where(Finding.id.in_(chosen.items))), key=lambda f: f.id
        )
        page = Slice(rows, chosen.next_after)
    else:
        page = page_in_sql(sa.select(Finding).where(*conditions), Finding.id)
        readiness = readiness_today(current_user, [row.id for row in page.items])
    ids = [row.id for row in page.items]
    themes = dict(db.session.execute(sa.select(Theme.id, Theme.name)).tuples().all())
    answering: dict[int, list[tuple[str, int]]] = {}
    for finding_id, action_id, reference in db.session.execute(
        sa.select(action_finding.c.finding_id, Action.id, Action.reference)
        .join(Action, Action.id == action_finding.c.action_id)
        .where(action_finding.c.finding_id.in_(ids), Action.archived_at.is_(None))
    ).tuples():
        answering.setdefault(finding_id, []).append((reference, action_id))
    linked = sa.union(
        sa.select(measure_finding.c.finding_id, measure_finding.c.measure_id).where(
            measure_finding.c.finding_id.in_(ids)
        ),
        sa.select(action_finding.c.finding_id, action_measure.c.measure_id)
        .join(action_measure, action_measure.c.action_id == action_finding.c.action_id)
        .join(Action, Action.id == action_finding.c.action_id)
        .where(action_finding.c.finding_id.in_(ids), Action.archived_at.is_(None)),
    ).subquery()
    measures_of: dict[int, list[int]] = {}
    # in the plan's order of measures, by name
    for finding_id, measure_id in db.session.execute(
        sa.select(linked.c.finding_id, Measure.id)
        .join(Measure, Measure.id == linked.c.measure_id)
        .where(Measure.archived_at.is_(None))
        .order_by(Measure.name)
    ).tuples():
        measures_of.setdefault(finding_id, []).append(measure_id)
    items = [
        FindingAt(
            id=row.id,
            reference=row.reference,
            title=row.title,
            wording=row.wording,
            kind=row.kind.label,
            theme=themes.get(row.theme_id, "") if row.theme_id else "",
            partner=row.accountable_partner.label,
            readiness=readiness[row.id].colour,
            readiness_reasons=readiness[row.id].reasons,
            action_ids=tuple(action_id for _, action_id in sorted(answering.get(row.id, []))),
            evidence_ids=(),
            measure_ids=tuple(measures_of.get(row.id, [])),
            kind_value=row.kind.value,
            theme_id=row.theme_id,
            inspection_id=row.inspection_id,
        )
        for row in page.items
    ]
    return Slice(items, page.next_after)


ACTION_FILTERS = [
    Param(
        "theme", {"type": "integer", "minimum": 1}, "Only actions answering a finding in this theme (its id)."
    ),
    Param("finding", {"type": "integer", "minimum": 1}, "Only actions answering this finding (its id)."),
    Param("owner", {"type": "string", "maxLength": 254}, "Part of the owner's name or email address."),
    Param("partner", _values(Partner), "Only this partner's actions."),
    Param("status", _values(ActionStatus), "Only actions with this status."),
    Param("rag", _values(Rag), "Only actions of this RAG colour."),
    Param(
        "only",
        {"type": "array", "items": {"type": "string", "enum": ["overdue", "stale"]}},
        "overdue, stale, or both (give it twice): as the actions page's Show only.",
    ),
    Param("text", {"type": "string", "maxLength": 200}, "Words in the title, description or reference."),
]


@operation("/actions", "Actions with their RAG and its reasons", schemas.ActionList, ACTION_FILTERS)
def actions():
    """Each live action as at the end of `as_at`, with its RAG and its reasons as on the action's page,
    filtered as the actions page filters (the same reader, `read_action_filters`), by id."""
    day = as_at_of()
    _, filters = read_action_filters(request.args)
    for name, value, kind in (
        ("partner", filters.partner, Partner),
        ("status", filters.status, ActionStatus),
        ("rag", filters.rag, Rag),
    ):
        if request.args.get(name) and value is None:
            raise bad_parameter(name, f"{name} must be one of: {', '.join(member.value for member in kind)}.")
    for name in ("theme", "finding"):
        whole_number(name)
    wrong = [value for value in request.args.getlist("only") if value not in ("overdue", "stale")]
    if wrong:
        raise bad_parameter("only", "only must be overdue or stale.")
    if filters.archived:
        raise bad_parameter(
            "archived", "The API lists live actions only: archived actions are on the actions page."
        )
    if day == today() and not filters.text.strip():
        # kept per version of the data, as the plan is (tracker/kept.py): a report's refresh, which asks for
        # the same pages again, gets each from memory; after any change a page is read afresh, alone
        page, findings_of = kept(
            "tracker_api_actions_today",
            (day, stale_after_days(), _asked()),
            lambda: _today_in_sql(filters, day),
            size=128,
        )
    else:
        page, findings_of = _from_the_plan(filters, day)
    return answer(
        schemas.ActionList(
            as_at=day,
            next=next_link(page.next_after, day),
            data=[
                schemas.Action(
                    id=action.id,
                    reference=action.reference,
                    title=action.title,
                    owner=action.owner,
                    partner=PARTNER_BY_LABEL[action.partner],
                    partner_label=action.partner,
                    status=ActionStatus(action.status_value),
                    status_label=action.status,
                    percent_complete=action.percent_complete,
                    due_date=action.due_date,
                    original_due_date=action.original_due_date,
                    rag=Rag(action.rag) if action.rag else None,
                    rag_summary=action.rag_summary,
                    overdue=action.overdue,
                    stale=action.stale,
                    latest_update_on=action.latest_update_on,
                    finding_ids=sorted(findings_of.get(action.id, [])),
                )
                for action in page.items
            ],
        )
    )


def _from_the_plan(filters: ActionFilters, day: date) -> tuple[Slice, dict[int, list[int]]]:
    """A page of the plan as at `day` (kept per version of the data), filtered in Python: any day, any
    filter. Each action's live findings beside it."""
    plan = plan_for(day)
    findings_of: dict[int, list[int]] = {}
    themes_of: dict[int, set[int | None]] = {}
    for finding in plan.findings:
        for action_id in finding.action_ids:
            findings_of.setdefault(action_id, []).append(finding.id)
            themes_of.setdefault(action_id, set()).add(finding.theme_id)
    # the owner matched by the actions page's own rule (name or email address), among today's people
    owners = set(db.session.scalars(people_matching(filters.owner))) if filters.owner.strip() else None
    text = filters.text.strip().lower()
    chosen = [
        action
        for action in plan.actions.values()
        if (not filters.theme_id or filters.theme_id in themes_of.get(action.id, ()))
        and (not filters.finding_id or filters.finding_id in findings_of.get(action.id, ()))
        and (owners is None or action.owner_id in owners)
        and (not filters.partner or action.partner == filters.partner.label)
        and (not filters.status or action.status_value == filters.status.value)
        and (not filters.rag or action.rag == filters.rag.value)
        and (not filters.overdue or action.overdue)
        and (not filters.stale or action.stale)
        and (
            not text
            or any(text in words.lower() for words in (action.title, action.description, action.reference))
        )
    ]
    return page_of(chosen, lambda action: action.id), findings_of


def _today_in_sql(filters: ActionFilters, day: date) -> tuple[Slice, dict[int, list[int]]]:
    """The same page as `_from_the_plan` gives for today, chosen and paged in SQL: the rules of RAG, overdue
    and stale as the actions page filters by them (plan.queries), and only the page's actions worked out
    (readiness.services.actions_today), so a page costs the same at any size of plan. Not for `text`, which
    the plan matches as Python lowers words. tests/http/test_api_actions_today.py holds both ways to the same
    answers."""
    days = stale_after_days()
    # the day of the latest update written by today, as plan_as_at reads it
    last_update = (
        sa.select(sa.func.max(ProgressUpdate.written_on))
        .where(ProgressUpdate.action_id == Action.id, ProgressUpdate.written_on <= day)
        .correlate(Action)
        .scalar_subquery()
    )
    conditions: list[sa.ColumnElement[bool]] = [Action.archived_at.is_(None)]
    if filters.theme_id:
        conditions.append(
            Action.findings.any(sa.and_(Finding.archived_at.is_(None), Finding.theme_id == filters.theme_id))
        )
    if filters.finding_id:
        conditions.append(
            Action.findings.any(sa.and_(Finding.archived_at.is_(None), Finding.id == filters.finding_id))
        )
    if filters.owner.strip():
        conditions.append(Action.owner_id.in_(people_matching(filters.owner)))
    if filters.partner:
        conditions.append(Action.partner == filters.partner)
    if filters.status:
        conditions.append(Action.status == filters.status)
    if filters.rag:
        conditions.append(rag_column(last_update, day, days) == filters.rag.value)
    if filters.overdue:
        conditions.extend([due_column() < day, Action.status.in_(open_statuses())])
    if filters.stale:
        conditions.append(stale_condition(last_update, day, days))
    # what actions_today reads of each action: not its description, outcome or other long texts
    read = load_only(
        Action.reference,
        Action.title,
        Action.owner_id,
        Action.partner,
        Action.status,
        Action.percent_complete,
        Action.start_date,
        Action.due_date,
        Action.rag_override,
        Action.rag_override_reason,
        Action.archived_at,
        Action.created_at,
    )
    page = page_in_sql(sa.select(Action).options(read).where(*conditions), Action.id)
    worked_out = actions_today(page.items, day)
    findings_of: dict[int, list[int]] = {}
    for action_id, finding_id in db.session.execute(
        sa.select(action_finding.c.action_id, action_finding.c.finding_id)
        .join(Finding, Finding.id == action_finding.c.finding_id)
        .where(action_finding.c.action_id.in_(worked_out), Finding.archived_at.is_(None))
    ).tuples():
        findings_of.setdefault(action_id, []).append(finding_id)
    items: list[ActionAt] = [worked_out[action.id] for action in page.items]
    return Slice(items, page.next_after), findings_of


@operation("/openapi.json", "This document", None, is_list=False)
def openapi_document():
    """The OpenAPI 3.1 document of this API, generated from the models that build its answers."""
    from tracker.api.openapi import document

    response = current_app.response_class(document(), mimetype="application/json")
    response.add_etag()
    return response.make_conditional(request)
