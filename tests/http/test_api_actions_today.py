"""The API's actions and findings lists for today read only a page, in SQL (tracker/api/resources.py,
`_today_in_sql` and `_findings_today`), so a page costs the same at any size of plan; any other day, or a
search of actions for words, reads the plan as at that day (`_from_the_plan`, `_findings_from_the_plan`).
Both must give exactly the same page: the same actions, each with the same RAG, reasons, dates and latest
update and the same findings; the same findings, each with the same readiness and reasons, actions and
measures in the same order, for whoever asks; and the same next cursor, whatever the filters and the cursor.
Today's actions pages are kept per version of the data, as the plan is, and any change shows on the next
request."""

import base64
import dataclasses
import json
import random
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask import request
from flask_login import login_user

from bench.queries import count_queries
from tests import factories
from tracker.api import resources, tokens
from tracker.auth.models import User
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role, utcnow
from tracker.plan.forms import read_action_filters
from tracker.plan.models import Action, ActionStatus, Finding, Partner, ProgressUpdate, Theme
from tracker.plan.rag import Rag
from tracker.plan.services import add_progress_update, set_archived
from tracker_dev.generate import SCALES, generate

QUERIES = 80  # random sets of filters, each asked both ways


def _cursor(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def _random_query(chance: random.Random, themes, findings, names, action_ids) -> dict:
    """Any mix of the filters the SQL path takes, with a limit and sometimes a cursor; ids that match nothing
    too."""
    query: dict = {}
    if chance.random() < 0.3:
        query["theme"] = chance.choice([*themes, 999999])
    if chance.random() < 0.3:
        query["finding"] = chance.choice([*findings, 999999])
    if chance.random() < 0.3:
        name = chance.choice(names)
        start = chance.randrange(len(name))
        query["owner"] = chance.choice([name[start : start + chance.randint(1, 4)], name.upper(), "zzq"])
    if chance.random() < 0.4:
        query["partner"] = chance.choice([partner.value for partner in Partner])
    if chance.random() < 0.4:
        query["status"] = chance.choice([status.value for status in ActionStatus])
    if chance.random() < 0.5:
        query["rag"] = chance.choice([rag.value for rag in Rag])
    only = [kind for kind in ("overdue", "stale") if chance.random() < 0.3]
    if only:
        query["only"] = only
    query["limit"] = chance.choice([1, 2, 5, 20, 100])
    if chance.random() < 0.4:
        query["cursor"] = _cursor(chance.choice([0, *action_ids]))
    return query


def _both_ways(app, leader: User, query: dict):
    with app.test_request_context(f"/api/v1/actions?{urlencode(query, doseq=True)}"):
        login_user(leader)
        _, filters = read_action_filters(request.args)
        return resources._today_in_sql(filters, today()), resources._from_the_plan(filters, today())


def _same_page(in_sql, from_plan) -> list[int]:
    (sql_page, sql_findings), (plan_page, plan_findings) = in_sql, from_plan
    assert sql_page.items == plan_page.items  # every field of each ActionAt, in the same order
    assert sql_page.next_after == plan_page.next_after
    for action in plan_page.items:
        assert sorted(sql_findings.get(action.id, [])) == sorted(plan_findings.get(action.id, []))
    return [action.id for action in plan_page.items]


@pytest.mark.parametrize("seed", [5, 11])
def test_the_sql_page_is_the_plans_page_for_random_filters(app, seed):
    generate(SCALES["county"].times(0.05), seed=seed, password="generated-password-2026")
    # what the generator may not make: an archived finding still linked, a RAG set by hand, a late update
    action = db.session.scalars(
        sa.select(Action).where(Action.archived_at.is_(None)).order_by(Action.id)
    ).first()
    assert action is not None
    factories.ActionFactory(reference="T1", findings=[factories.FindingFactory(archived_at=utcnow())])
    factories.ActionFactory(reference="T2", rag_override=Rag.GREEN, rag_override_reason="Agreed at the board")
    db.session.add(
        ProgressUpdate(
            action=action,
            author=action.owner,
            written_on=today() + timedelta(days=2),
            body="Written ahead",
            percent_complete=90,
            status=ActionStatus.IN_PROGRESS,
        )
    )
    db.session.commit()
    leader = db.session.scalars(sa.select(User).where(User.role == Role.LEADER)).first()
    themes = list(db.session.scalars(sa.select(Theme.id)))
    findings = list(db.session.scalars(sa.select(Finding.id)))
    names = [name for name in db.session.scalars(sa.select(User.name)) if name]
    action_ids = list(db.session.scalars(sa.select(Action.id)))
    chance = random.Random(seed)
    shown = set()
    for _ in range(QUERIES):
        query = _random_query(chance, themes, findings, names, action_ids)
        shown.update(_same_page(*_both_ways(app, leader, query)))
    # the random filters found actions of every colour, not only empty pages
    everything = _same_page(*_both_ways(app, leader, {"limit": 500}))
    assert len(everything) > 20 and len(shown) > 10


@pytest.fixture
def kept_pages(app):
    kept = ("tracker_api_actions_today", "tracker_api_findings_today", "tracker_readiness_today")
    app.config["TRACKER_CACHE_DASHBOARD"] = True
    for store in kept:
        app.extensions.pop(store, None)
    yield
    app.config["TRACKER_CACHE_DASHBOARD"] = False
    for store in kept:
        app.extensions.pop(store, None)


def test_todays_page_is_kept_until_the_data_changes(app, kept_pages):
    leader = factories.UserFactory(role=Role.LEADER)
    action = factories.ActionFactory(
        findings=[factories.FindingFactory()], owner=leader, start_date=today() - timedelta(days=90)
    )
    _, value = tokens.make_token(leader, "Power BI", today() + timedelta(days=30))
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {value}"

    def stale_ids() -> list[int]:
        return [item["id"] for item in client.get("/api/v1/actions?only=stale").get_json()["data"]]

    leader_id, action_id = leader.id, action.id
    assert stale_ids() == [action_id]
    db.session.remove()
    with count_queries(db.engine) as queries:
        assert stale_ids() == [action_id]
    assert queries.count == 3, queries.statements  # the token, its maker and the data's version: no page read
    leader, action = db.session.get_one(User, leader_id), db.session.get_one(Action, action_id)
    add_progress_update(leader, action, today(), "The clinic opened this week.", 40, ActionStatus.IN_PROGRESS)
    assert stale_ids() == []


def _findings_both_ways(app, user: User, query: dict):
    args = {name: value for name, value in query.items() if value is not None}
    with app.test_request_context(f"/api/v1/findings?{urlencode(args)}"):
        login_user(user)
        chosen = (query["theme"], query["inspection"], query["partners"], query["readiness"])
        return resources._findings_today(today(), *chosen), resources._findings_from_the_plan(
            today(), *chosen
        )


@pytest.mark.parametrize("seed", [5, 11])
def test_todays_findings_page_is_the_plans_page_for_random_filters(app, seed):
    generate(SCALES["county"].times(0.2), seed=seed, password="generated-password-2026")
    factories.FindingFactory(archived_at=utcnow())
    people = [
        db.session.scalars(sa.select(User).where(User.role == role)).first()
        for role in (Role.LEADER, Role.OFFICER, Role.VIEWER)
    ]
    themes = list(db.session.scalars(sa.select(Theme.id)))
    inspections = list(db.session.scalars(sa.select(Finding.inspection_id).distinct()))
    finding_ids = list(db.session.scalars(sa.select(Finding.id)))
    chance = random.Random(seed)
    shown = set()
    for _ in range(QUERIES // 2):
        partner = chance.choice([None, *(partner.value for partner in Partner)])
        shared = partner in (Partner.COUNCIL.value, Partner.ICB.value)
        query = {
            "theme": chance.choice([None, None, *themes]),
            "inspection": chance.choice([None, None, *inspections]),
            "partners": partner and ({partner, Partner.BOTH.value} if shared else {partner}),
            "readiness": chance.choice([None, *(rag.value for rag in Rag)]),
            "limit": chance.choice([1, 3, 100]),
            "cursor": _cursor(chance.choice([0, *finding_ids])) if chance.random() < 0.4 else None,
        }
        (in_sql, from_plan) = _findings_both_ways(app, chance.choice(people), query)
        # the plan's findings carry their evidence too, which the API does not show
        assert in_sql.items == [dataclasses.replace(finding, evidence_ids=()) for finding in from_plan.items]
        assert in_sql.next_after == from_plan.next_after
        shown.update(finding.id for finding in in_sql.items)
    colours = {
        finding.readiness
        for finding in _findings_both_ways(
            app,
            people[0],
            {
                "theme": None,
                "inspection": None,
                "partners": None,
                "readiness": None,
                "limit": 500,
                "cursor": None,
            },
        )[0].items
    }
    assert len(shown) > 6 and len(colours) > 1


def test_todays_findings_are_kept_per_view_of_restricted_evidence_until_the_data_changes(app, kept_pages):
    finding = factories.FindingFactory()
    action = factories.ActionFactory(findings=[finding])
    leader, viewer = factories.UserFactory(role=Role.LEADER), factories.UserFactory(role=Role.VIEWER)
    item = factories.EvidenceFactory(
        uploaded_by=leader, status=EvidenceStatus.ACCEPTED, sensitivity=Sensitivity.RESTRICTED
    )
    item.findings.append(finding)
    db.session.commit()

    def client_of(user: User):
        _, value = tokens.make_token(user, "Power BI", today() + timedelta(days=30))
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {value}"
        return client

    as_leader, as_viewer = client_of(leader), client_of(viewer)
    first = as_leader.get("/api/v1/findings").get_json()["data"][0]
    assert "1 item of current accepted evidence" in first["readiness"]["reasons"][-1]
    seen = as_viewer.get("/api/v1/findings").get_data(as_text=True)  # the leader's page is kept, not shown
    assert "no accepted evidence" in seen and "current accepted evidence" not in seen
    assert first["action_ids"] == [action.id]
    set_archived(leader, action, True)  # a change of data, audited: the kept page is not shown again
    assert as_leader.get("/api/v1/findings").get_json()["data"][0]["action_ids"] == []
