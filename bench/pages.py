"""Time one main page in-process with the Flask test client: `python -m bench.pages INDEX` prints JSON.

Each page runs in a process of its own, like a fresh worker, so that one page's heap cannot slow
another, and a page that crashes the interpreter is named in the report while the others are still
measured. The database and evidence folder come from DATABASE_URL and TRACKER_STORAGE_DIR. The page
is asked once (it must answer 200), WARMUP more times untimed, REPEAT times timed, and once more
with every SQL statement counted.
"""

import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient

from bench import PEOPLE, REPEAT, SECRET_KEY, WARMUP
from bench.queries import count_queries
from config import Config, database_url
from tracker import create_app
from tracker.api.tokens import make_token
from tracker.auth.models import User
from tracker.auth.sessions import signed_in_fields
from tracker.dates import today
from tracker.extensions import db
from tracker.frameworks.models import Criterion, CriterionLink
from tracker.information_requests.models import InformationRequest, RequestEvidence
from tracker.measures.models import Measure, MeasureReading
from tracker.plan.models import Action, Finding, ProgressUpdate, action_finding
from tracker.surveys.models import Survey, SurveyReply

BUSY_PERCENTILE = 90  # "typical busy": busier than 90% of its kind, a rule that means the same at every scale
Objects = dict[str, Any]


@dataclass(frozen=True)
class Page:
    name: str
    endpoint: str
    args: Callable[[Objects], dict[str, Any]] = lambda objects: {}
    as_officer: bool = False
    # the dashboard keeps its figures and page until the data changes: False times the work after a change
    dashboard_cache: bool = True
    # a list of the read API (/api/v1): asked with the person's API token as `Authorization: Bearer`
    api: bool = False


PAGES = (
    Page("Dashboard", "main.index"),
    Page("Dashboard, worked out afresh", "main.index", dashboard_cache=False),
    Page("Findings list", "plan.findings"),
    Page("One finding", "plan.finding", lambda o: {"finding_id": o["finding"]["id"]}),
    Page("Actions list", "plan.actions"),
    Page(
        "Actions list, filtered",
        "plan.actions",
        lambda o: {"status": "in_progress", "rag": "red", "owner": "officer1@"},
    ),
    Page("One action", "plan.action", lambda o: {"action_id": o["action"]["id"]}),
    Page("Evidence list", "evidence.index"),
    Page("Measures list", "measures.index"),
    Page("One measure", "measures.detail", lambda o: {"measure_id": o["measure"]["id"]}),
    Page("Surveys list", "surveys.index"),
    Page("One survey summary", "surveys.detail", lambda o: {"survey_id": o["survey"]["id"]}),
    Page("A survey's comments", "surveys.comments", lambda o: {"survey_id": o["survey"]["id"]}),
    Page("My actions", "plan.my_actions", as_officer=True),
    Page("After an inspection (rules)", "plan.inspection_cycle"),
    Page("Criteria list", "frameworks.index"),
    Page("One criterion", "frameworks.detail", lambda o: {"criterion_id": o["criterion"]["id"]}),
    Page("Self-evaluation", "sef.index"),
    Page("One self-evaluation statement", "sef.detail", lambda o: {"criterion_id": o["criterion"]["id"]}),
    Page("Requests list", "requests.index"),
    Page("My requests", "requests.mine", as_officer=True),
    Page("One request", "requests.detail", lambda o: {"request_id": o["info_request"]["id"]}),
    Page("API: actions", "api.actions", api=True),
    Page(
        "API: actions, filtered",
        "api.actions",
        lambda o: {"status": "in_progress", "rag": "red", "partner": "council", "owner": "officer1@"},
        api=True,
    ),
    Page("API: findings", "api.findings", api=True),
    Page(
        "API: findings, filtered",
        "api.findings",
        lambda o: {"partner": "council", "readiness": "red"},
        api=True,
    ),
)


def bench_app(dashboard_cache: bool) -> Flask:
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url(os.environ["DATABASE_URL"], "")
        TRACKER_STORAGE_DIR = os.environ["TRACKER_STORAGE_DIR"]
        SECRET_KEY = SECRET_KEY
        TESTING = False
        SESSION_COOKIE_SECURE = False
        REMEMBER_COOKIE_SECURE = False
        TRACKER_CACHE_DASHBOARD = dashboard_cache

    return create_app(BenchConfig)


def _busy(parent: Any, child_key: sa.Column, what: str) -> dict[str, Any]:
    """The live row at BUSY_PERCENTILE by how many `child_key` rows point at it (ties: the lowest id)."""
    count = sa.func.count(child_key)
    rows = db.session.execute(
        sa.select(parent.id, count)
        .outerjoin(child_key.table, child_key == parent.id)
        .where(parent.archived_at.is_(None))
        .group_by(parent.id)
        .order_by(count.desc(), parent.id)
    ).all()
    if not rows:
        raise SystemExit(f"there is no live {parent.__tablename__} to time its page")
    rank = len(rows) * (100 - BUSY_PERCENTILE) // 100
    return {
        "id": rows[rank].id,
        what: rows[rank][1],
        "rank": rank + 1,
        "of": len(rows),
        f"max_{what}": rows[0][1],
        f"median_{what}": rows[len(rows) // 2][1],
    }


def _user_id(email: str) -> int:
    user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    if user_id is None:
        raise SystemExit(f"there is no user {email} in the database")
    return user_id


def choose_objects() -> Objects:
    """The people and the one finding, action, measure and survey whose pages are timed."""
    return {
        "leader_id": _user_id(PEOPLE.leader),
        "officer_id": _user_id(PEOPLE.officer),
        "finding": _busy(Finding, action_finding.c.finding_id, "actions"),
        "action": _busy(Action, ProgressUpdate.__table__.c.action_id, "updates"),
        "measure": _busy(Measure, MeasureReading.__table__.c.measure_id, "readings"),
        "survey": _busy(Survey, SurveyReply.__table__.c.survey_id, "replies"),
        "criterion": busiest_criterion(),
        "info_request": busiest_request(),
    }


def busiest_criterion() -> dict[str, Any]:
    """The criterion with the most records linked to it (ties: the lowest id); criteria are never archived."""
    count = sa.func.count(CriterionLink.id)
    row = db.session.execute(
        sa.select(Criterion.id, count)
        .outerjoin(CriterionLink, CriterionLink.criterion_id == Criterion.id)
        .group_by(Criterion.id)
        .order_by(count.desc(), Criterion.id)
        .limit(1)
    ).first()
    if row is None:
        raise SystemExit("there is no criterion to time its page")
    return {"id": row.id, "links": row[1]}


def busiest_request(busiest: bool = True) -> dict[str, Any]:
    """The information request with the most evidence attached, or the fewest but at least one (ties: the
    lowest id)."""
    count = sa.func.count(RequestEvidence.evidence_id)
    row = db.session.execute(
        sa.select(InformationRequest.id, count)
        .outerjoin(RequestEvidence, RequestEvidence.request_id == InformationRequest.id)
        .group_by(InformationRequest.id)
        .having(count >= (0 if busiest else 1))
        .order_by(count.desc() if busiest else count.asc(), InformationRequest.id)
        .limit(1)
    ).first()
    if row is None:
        raise SystemExit("there is no information request to time its page")
    return {"id": row.id, "evidence": row[1]}


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    """A test client with the user in its session, as tests/conftest.py `sign_in` does."""
    client = app.test_client()
    fields = signed_in_fields(user_id)  # a session record in the database, as start_session makes
    with client.session_transaction() as session:
        session.update(fields)
    return client


def api_client(app: Flask, user_id: int) -> FlaskClient:
    """A test client that sends a real API token of this person's (made as the account page makes one) as
    `Authorization: Bearer`, as Power BI would. Each process makes its own, so no two share a rate limit."""
    _, value = make_token(
        db.session.get_one(User, user_id), f"bench {secrets.token_hex(6)}", today() + timedelta(days=1)
    )
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {value}"
    return client


def client_for(app: Flask, page: Page, objects: Objects) -> FlaskClient:
    """The client a page is asked with: signed in as the leader or the officer, or the leader's API token."""
    user_id = objects["officer_id" if page.as_officer else "leader_id"]
    return api_client(app, user_id) if page.api else signed_in(app, user_id)


def _get(client: FlaskClient, url: str, page: Page) -> float:
    started = time.perf_counter()
    response = client.get(url)
    response.get_data()
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{page.name} ({url}) answered {response.status_code}, not 200")
    return elapsed * 1000


def time_page(app: Flask, client: FlaskClient, page: Page, url: str) -> dict[str, Any]:
    first = _get(client, url, page)  # the process's first: templates compiled, caches filled
    for _ in range(WARMUP):
        _get(client, url, page)
    times = [_get(client, url, page) for _ in range(REPEAT)]
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as queries:
        _get(client, url, page)
    return {
        "name": page.name,
        "endpoint": page.endpoint,
        "url": url,
        "as": "officer" if page.as_officer else "leader",
        "api": page.api,
        "samples": len(times),
        "p50_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=100, method="inclusive")[94],
        "min_ms": min(times),
        "max_ms": max(times),
        "first_ms": first,
        "queries": queries.count,
    }


def main() -> None:
    page = PAGES[int(sys.argv[1])]
    app = bench_app(page.dashboard_cache)
    with app.app_context():
        objects = choose_objects()
        # the session record and the API token are rows: both need the database, so the app's context
        client = client_for(app, page, objects)
    with app.test_request_context():
        url = url_for(page.endpoint, **page.args(objects))
    print(f"timing {page.name}: {url}", file=sys.stderr, flush=True)
    print(json.dumps({"objects": objects, "page": time_page(app, client, page, url)}))


if __name__ == "__main__":
    main()
