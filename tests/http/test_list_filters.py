"""Each list's filters are read once: the page and its CSV show the same rows
for every filter the page offers.

The filter forms' fields are listed here, so a filter added to a page without a case
below fails this test first."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.api import tokens
from tracker.dates import today
from tracker.evidence.forms import EvidenceFilterForm
from tracker.evidence.models import EvidenceKind, EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role, utcnow
from tracker.plan.forms import ActionFilterForm
from tracker.plan.models import Action, ActionStatus, Partner

ACTION_FILTERS = [
    "text",
    "theme",
    "finding",
    "owner",
    "partner",
    "status",
    "rag",
    "only",
    "archived",
    "sort",
    "order",
]
EVIDENCE_FILTERS = [
    "text",
    "status",
    "kind",
    "sensitivity",
    "finding",
    "action",
    "added_by",
    "about_from",
    "about_to",
    "expired",
]


@pytest.fixture()
def plan():
    themes = [factories.ThemeFactory(name="Waiting times"), factories.ThemeFactory(name="Communication")]
    findings = [factories.FindingFactory(reference=f"AFI{n}", theme=themes[n % 2]) for n in range(3)]
    owners = [
        factories.UserFactory(name="Priya Shah", email="priya@council.example"),
        factories.UserFactory(name="Sam Jones", email="sam@icb.example"),
    ]
    past, future = today() - timedelta(days=20), today() + timedelta(days=200)
    actions = [
        factories.ActionFactory(
            reference=f"A{n:02}",
            title="Shorter waits for therapy" if n % 3 == 0 else f"Train the front door {n}",
            findings=[findings[n % 3]],
            owner=owners[n % 2],
            partner=list(Partner)[n % 4],
            status=list(ActionStatus)[n % 5],
            due_date=past if n % 4 == 0 else future,
            archived_at=utcnow() if n == 11 else None,
        )
        for n in range(12)
    ]
    for n in range(8):
        factories.EvidenceFactory(
            title=f"Evidence {n:02}{' about therapy' if n % 2 else ''}",
            findings=[findings[n % 3]],
            status=list(EvidenceStatus)[n % len(EvidenceStatus)],
            kind=EvidenceKind.NOTE,
            sensitivity=Sensitivity.INTERNAL if n % 3 else Sensitivity.PUBLIC,
            about_date=date(2026, 1 + n, 1),
            review_by=date(2026, 2, 1) if n == 5 else None,
            uploaded_by=owners[n % 2],
            actions=[actions[n % 3]],
        )
    return {"themes": themes, "findings": findings}


def action_cases(plan):
    theme, finding = plan["themes"][0], plan["findings"][1]
    return [
        ("text", "therapy"),
        ("theme", theme.id),
        ("finding", finding.id),
        ("owner", "priya"),
        ("partner", "icb"),
        ("status", "complete"),
        ("rag", "red"),
        ("rag", "green"),
        ("only", "overdue"),
        ("only", "stale"),
        ("archived", "1"),
        ("sort", "owner"),
        ("order", "desc"),
        ("status", "not-a-status"),
        ("theme", "x"),
    ]


def evidence_cases(plan):
    return [
        ("text", "therapy"),
        ("status", "accepted"),
        ("kind", "note"),
        ("sensitivity", "public"),
        ("finding", plan["findings"][2].id),
        ("action", "A01"),
        ("added_by", "sam"),
        ("about_from", ["1", "4", "2026"]),
        ("about_to", ["1", "4", "2026"]),
        ("about_from", ["31", "2", "2026"]),
        ("expired", "1"),
    ]


def test_every_filter_the_pages_offer_has_a_case_here():
    assert {f.name for f in ActionFilterForm(meta={"csrf": False})} - {"submit"} <= set(ACTION_FILTERS)
    assert {f.name for f in EvidenceFilterForm(meta={"csrf": False})} - {"submit"} <= set(EVIDENCE_FILTERS)


def csv_column(response, column: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [row[column] for row in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))]


def test_the_actions_page_and_its_csv_show_the_same_actions_for_every_filter(plan, leader_client):
    cases = action_cases(plan)
    assert {name for name, _ in cases} == set(ACTION_FILTERS)
    for name, value in cases:
        query = {name: value}
        page = leader_client.get("/actions", query_string=query).get_data(as_text=True)
        shown = re.findall(r'href="/actions/\d+">(A\d\d):', page)
        downloaded = csv_column(leader_client.post("/exports/actions.csv", query_string=query), "Reference")
        assert shown == downloaded, (name, value)
    assert (
        len(
            set(
                csv_column(
                    leader_client.post("/exports/actions.csv", query_string={"status": "complete"}),
                    "Reference",
                )
            )
        )
        < 11
    )  # the filters do filter


def test_the_owner_typed_matches_the_same_actions_on_the_page_its_csv_and_the_api(plan, client_as):
    """Part of the owner's name or email address, in any case: one rule (`plan.queries.people_matching`) for
    the page, its CSV and the API, both the API's ways (today in SQL; with `text`, from the plan as at the
    day)."""
    leader = factories.UserFactory(role=Role.LEADER)
    client = client_as(leader)
    _, key = tokens.make_token(leader, "Power BI", today() + timedelta(days=30))
    seen = {}
    for typed in ["priya", "PRIYA", "Ah", "council.example", "SAM@ICB", "jones", "nobody"]:
        page = client.get("/actions", query_string={"owner": typed}).get_data(as_text=True)
        shown = re.findall(r'href="/actions/\d+">(A\d\d):', page)
        downloaded = csv_column(
            client.post("/exports/actions.csv", query_string={"owner": typed}), "Reference"
        )
        assert shown == downloaded, typed
        for extra in ({}, {"text": "r"}):  # every title has an "r": the same actions, read from the plan
            answer = client.get("/api/v1/actions", query_string={"owner": typed, "key": key, **extra})
            assert sorted(item["reference"] for item in answer.get_json()["data"]) == sorted(shown), (
                typed,
                extra,
            )
        seen[typed] = shown
    priyas = ["A00", "A02", "A04", "A06", "A08", "A10"]  # her live actions (A11, archived, is Sam's)
    sams = ["A01", "A03", "A05", "A07", "A09"]
    assert sorted(seen["priya"]) == sorted(seen["PRIYA"]) == sorted(seen["council.example"]) == priyas
    assert sorted(seen["Ah"]) == priyas  # "Shah": part of a word
    assert sorted(seen["SAM@ICB"]) == sorted(seen["jones"]) == sams
    assert seen["nobody"] == []
    assert 'value="SAM@ICB"' in client.get("/actions?owner=SAM@ICB").get_data(as_text=True)


def test_words_typed_find_the_same_actions_on_the_page_its_csv_and_the_api_description_included(
    plan, client_as
):
    """`text` reads the title, the description and the reference, on the page, in its CSV and in the API."""
    described = db.session.scalar(sa.select(Action).where(Action.reference == "A04"))
    described.description = "Speech and language therapists join the Dingley Hub rota."
    db.session.commit()
    leader = factories.UserFactory(role=Role.LEADER)
    client = client_as(leader)
    _, key = tokens.make_token(leader, "Power BI", today() + timedelta(days=30))
    for typed in ["dingley HUB", "front door", "a0", "nothing like it"]:
        page = client.get("/actions", query_string={"text": typed}).get_data(as_text=True)
        shown = re.findall(r'href="/actions/\d+">(A\d\d):', page)
        downloaded = csv_column(
            client.post("/exports/actions.csv", query_string={"text": typed}), "Reference"
        )
        answer = client.get("/api/v1/actions", query_string={"text": typed, "key": key}).get_json()["data"]
        assert shown == downloaded, typed
        assert sorted(item["reference"] for item in answer) == sorted(shown), typed
    dingley = client.get("/api/v1/actions", query_string={"text": "dingley", "key": key}).get_json()["data"]
    assert [item["reference"] for item in dingley] == ["A04"]


def test_the_evidence_page_and_its_csv_show_the_same_items_for_every_filter(plan, leader_client):
    cases = evidence_cases(plan)
    assert {name for name, _ in cases} == set(EVIDENCE_FILTERS)
    for name, value in cases:
        query = {name: value}
        page = leader_client.get("/evidence", query_string=query).get_data(as_text=True)
        shown = re.findall(r'href="/evidence/\d+">([^<]+)</a>', page)
        downloaded = csv_column(leader_client.post("/exports/evidence.csv", query_string=query), "Title")
        assert shown == downloaded, (name, value)
