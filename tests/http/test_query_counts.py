"""Every main page, and every list of the read API the bench times, asks the database the same number of
questions whatever the size of the plan.

The bench's pages (bench/pages.py) are asked for on generated data at two sizes, five times apart,
with the quietest objects at the small size and the busiest at the large one: a page that queries
once per row (an N+1) asks more at the large size and fails here, naming the page and its counts.
A list shows one page, so a query per row of a full page asks the same at both sizes: each page also
has a budget (what it asks today), and asking more fails. Each request starts with an empty session,
as in a worker: the objects an earlier request loaded would otherwise hide a lazy load. The API's lists are
asked with a real API token of the leader's, as Power BI asks them.
`make bench` reports the exact counts at county and region scale.
"""

import sqlalchemy as sa
from flask import url_for

from bench.pages import PAGES, Page, busiest_request, client_for
from bench.queries import count_queries
from tests.conftest import _empty_all_tables
from tracker.auth.models import User
from tracker.extensions import db
from tracker.frameworks.models import CriterionLink
from tracker.measures.models import Measure, MeasureReading
from tracker.plan.models import Action, Finding, ProgressUpdate, action_finding
from tracker.surveys.models import Survey, SurveyReply
from tracker_dev.generate import SCALES, generate

SMALL, LARGE = SCALES["county"].times(0.02), SCALES["county"].times(0.1)

# What each page asks today, at most. A list shows one page, so a query per row (an N+1) stops growing
# once both sizes fill a page: the budget catches that. Lower a figure when a page asks less. The findings
# list and a finding's page each ask 9 more for their findings' readiness (readiness_today, the same 9 for
# one finding or a page of them), and so does a criterion's page for its linked findings.
QUERY_BUDGET = {
    "Dashboard": 22,
    "Dashboard, worked out afresh": 22,
    "Findings list": 16,
    "One finding": 26,
    "Actions list": 7,
    "Actions list, filtered": 7,
    "One action": 14,
    "Evidence list": 7,
    "Measures list": 6,
    "One measure": 10,
    "Surveys list": 4,
    "One survey summary": 12,
    "A survey's comments": 17,
    # 6 of them for "Needs your attention" (7 for a leader's): the first ten of each kind of evidence and one
    # count of them all, so that a region's thousands of returned items are not read to show ten
    "My actions": 12,
    "My actions, a leader's": 13,
    "After an inspection (rules)": 3,
    "Criteria list": 7,
    "One criterion": 23,
    "Self-evaluation": 12,
    "One self-evaluation statement": 15,
    "Requests list": 4,
    "My requests": 4,
    "One request": 4,
    # the read API, asked with an API token (2 of the queries: the token and its maker). Today's lists read a
    # page in SQL; the findings' readiness is readiness_today's 9 (all the filtered candidates' for a colour)
    "API: actions": 7,
    "API: actions, filtered": 7,
    "API: findings": 15,
    "API: findings, filtered": 16,
}

# My actions opens with "Needs your attention" (tracker/reminders/panel.py), in a fixed number of queries
# whatever the number of items: the bench's is an officer's; a leader's lists all evidence waiting for review
PANEL_PAGES = (Page("My actions, a leader's", "plan.my_actions"),)


def _pick(parent, child_key, busiest: bool) -> int:
    """The live row with the most children (or the fewest, but at least one)."""
    count = sa.func.count(child_key)
    query = (
        sa.select(parent.id)
        .join(child_key.table, child_key == parent.id)
        .where(parent.archived_at.is_(None))
        .group_by(parent.id)
        .order_by(count.desc() if busiest else count.asc(), parent.id)
        .limit(1)
    )
    return db.session.scalar(query)


def _objects(busiest: bool) -> dict:
    person = {
        email: db.session.scalar(sa.select(User.id).where(User.email == email))
        for email in ("leader1@generated.example", "officer1@generated.example")
    }
    return {
        "leader_id": person["leader1@generated.example"],
        "officer_id": person["officer1@generated.example"],
        "finding": {"id": _pick(Finding, action_finding.c.finding_id, busiest)},
        "action": {"id": _pick(Action, ProgressUpdate.__table__.c.action_id, busiest)},
        "measure": {"id": _pick(Measure, MeasureReading.__table__.c.measure_id, busiest)},
        "survey": {"id": _pick(Survey, SurveyReply.__table__.c.survey_id, busiest)},
        "criterion": {"id": _pick_criterion(busiest)},
        "info_request": {"id": busiest_request(busiest)["id"]},
    }


def _pick_criterion(busiest: bool) -> int:
    """The criterion with the most links (or the fewest, but at least one)."""
    count = sa.func.count(CriterionLink.id)
    return db.session.scalar(
        sa.select(CriterionLink.criterion_id)
        .group_by(CriterionLink.criterion_id)
        .order_by(count.desc() if busiest else count.asc(), CriterionLink.criterion_id)
        .limit(1)
    )


def _query_counts(app, busiest: bool) -> dict[str, int]:
    objects = _objects(busiest)
    counts = {}
    for page in PAGES + PANEL_PAGES:
        with app.test_request_context():
            url = url_for(page.endpoint, **page.args(objects))
        client = client_for(app, page, objects)
        assert client.get(url).status_code == 200, url
        # the test's app context outlives the requests: without this the objects the first request
        # loaded would still be in the session, and a second request would find them without asking
        db.session.remove()
        with count_queries(db.engine) as queries:
            client.get(url)
        counts[page.name] = queries.count
    return counts


def test_no_main_page_asks_more_questions_of_a_larger_plan(app):
    generate(SMALL, seed=3, password="generated-password-2026")
    small = _query_counts(app, busiest=False)
    _empty_all_tables()
    generate(LARGE, seed=3, password="generated-password-2026")
    large = _query_counts(app, busiest=True)
    # a nested load is skipped when a collection is empty, so a quiet object may cost one more, never fewer
    grew = {name: f"{small[name]} queries, then {large[name]}" for name in small if large[name] > small[name]}
    assert not grew, f"pages whose queries grow with the data: {grew}"
    over = {
        name: f"{large[name]} queries, budget {QUERY_BUDGET[name]}"
        for name in large
        if large[name] > QUERY_BUDGET[name]
    }
    assert not over, (
        f"pages asking more than their budget (a query per row of a list grows only up to a page): {over}"
    )
