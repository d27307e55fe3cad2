"""The API's lists: cursor paging with no repeats or gaps, filters as the pages read them, as_at, ETags, the
rate limit per token, restricted evidence counted only for those who may see it, and every error as RFC 9457
problem+json (docs/api.md)."""

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tests.http.test_signin_throttling import redis_app, redis_keys  # noqa: F401 (a fixture)
from tracker.api import resources, tokens
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus, Partner

LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


# every resource the API reads: the OpenAPI document names each (below) and Schemathesis calls each
# (test_api_schemathesis.py)
API_PATHS = {
    "/api/v1/inspections",
    "/api/v1/findings",
    "/api/v1/actions",
    "/api/v1/progress-updates",
    "/api/v1/evidence",
    "/api/v1/measures",
    "/api/v1/survey-summaries",
    "/api/v1/readiness-snapshots",
    "/api/v1/readiness-history",
    "/api/v1/readiness-history.csv",
}


def token_for(role: Role = Role.VIEWER, user=None) -> dict:
    maker = user or factories.UserFactory(role=role)
    _, value = tokens.make_token(maker, f"Report {maker.id}", today() + timedelta(days=30))
    return {"Authorization": f"Bearer {value}"}


def get(app, path: str, headers: dict):
    return app.test_client().get(path, headers=headers)


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    assert "<html" not in response.get_data(as_text=True).lower()
    return body


def test_paging_by_cursor_visits_every_action_once(app):
    finding = factories.FindingFactory()
    made = [factories.ActionFactory(findings=[finding]).id for _ in range(7)]
    headers = token_for()
    seen, pages, url = [], 0, "/api/v1/actions?limit=3"
    while url:
        body = get(app, url, headers).get_json()
        seen += [item["id"] for item in body["data"]]
        pages += 1
        url = body["next"]
        if url:
            query = parse_qs(urlsplit(url).query)
            assert query["as_at"] == [today().isoformat()] and query["limit"] == ["3"] and "key" not in query
            url = url.split("localhost", 1)[1]
    assert seen == sorted(made) and pages == 3


def test_an_action_added_while_paging_is_neither_repeated_nor_skipped(app):
    finding = factories.FindingFactory()
    for _ in range(4):
        factories.ActionFactory(findings=[finding])
    headers = token_for()
    first = get(app, "/api/v1/actions?limit=2", headers).get_json()
    late = factories.ActionFactory(findings=[finding])
    rest, url = [], first["next"].split("localhost", 1)[1]
    while url:
        body = get(app, url, headers).get_json()
        rest += [item["id"] for item in body["data"]]
        url = body["next"] and body["next"].split("localhost", 1)[1]
    ids = [item["id"] for item in first["data"]] + rest
    assert len(ids) == len(set(ids)) == 5 and late.id in ids


def test_the_key_form_leaves_the_key_out_of_the_next_link(app):
    finding = factories.FindingFactory()
    for _ in range(3):
        factories.ActionFactory(findings=[finding])
    maker = factories.UserFactory(role=Role.OFFICER)
    _, value = tokens.make_token(maker, "Power BI", today() + timedelta(days=30))
    body = app.test_client().get(f"/api/v1/actions?limit=1&key={value}").get_json()
    assert value not in body["next"] and "key=" not in body["next"]


def test_actions_are_filtered_as_the_actions_page_filters(app):
    theme = factories.ThemeFactory()
    finding = factories.FindingFactory(theme=theme)
    other = factories.FindingFactory()
    owner = factories.UserFactory(name="Priya Shah")
    overdue = factories.ActionFactory(findings=[finding], owner=owner, due_date=today() - timedelta(days=3))
    held = factories.ActionFactory(findings=[other], status=ActionStatus.ON_HOLD, partner=Partner.ICB)
    plain = factories.ActionFactory(findings=[other], title="Publish the local offer")
    headers = token_for()

    def ids(query: str) -> list[int]:
        response = get(app, f"/api/v1/actions?{query}", headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["id"] for item in response.get_json()["data"]]

    assert ids(f"theme={theme.id}") == [overdue.id]
    assert ids(f"finding={other.id}") == [held.id, plain.id]
    assert ids("owner=priya") == [overdue.id]
    assert ids("partner=icb") == [held.id]
    assert ids("status=on_hold") == [held.id]
    assert ids("only=overdue") == [overdue.id]
    assert ids("rag=red") == [overdue.id]
    assert ids("text=local+offer") == [plain.id]
    assert ids("status=in_progress&partner=council") == [overdue.id, plain.id]
    first = get(app, "/api/v1/actions?only=overdue", headers).get_json()["data"][0]
    assert first["rag"] == "red" and first["overdue"] is True and first["rag_summary"].startswith("Red:")
    assert first["finding_ids"] == [finding.id] and first["owner"] == "Priya Shah"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=finished", "status"),
        ("rag=purple", "rag"),
        ("partner=nhs", "partner"),
        ("only=late", "only"),
        ("theme=first", "theme"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=not-ours", "cursor"),
        ("as_at=31-03-2026", "as_at"),
        ("as_at=2999-01-01", "as_at"),
        ("archived=1", "archived"),
    ],
)
def test_a_bad_parameter_is_a_400_problem_naming_it(app, query, parameter):
    body = problem_of(get(app, f"/api/v1/actions?{query}", token_for()), 400)
    assert [error["parameter"] for error in body["errors"]] == [parameter]
    assert body["instance"] == "/api/v1/actions"


def test_findings_bring_their_readiness_and_filters(app):
    green_theme = factories.ThemeFactory()
    finding = factories.FindingFactory(theme=green_theme, accountable_partner=Partner.BOTH)
    bare = factories.FindingFactory(accountable_partner=Partner.ICB)
    factories.ActionFactory(findings=[finding])
    headers = token_for()
    body = get(app, "/api/v1/findings", headers).get_json()
    first, second = body["data"]
    assert (first["id"], second["id"]) == (finding.id, bare.id)
    assert second["readiness"] == {
        "colour": "red",
        "reasons": ["no actions to address it", "no accepted evidence"],
    }
    assert first["accountable_partner"] == "both" and first["accountable_partner_label"] == "Council and ICB"

    def ids(query: str) -> list[int]:
        return [item["id"] for item in get(app, f"/api/v1/findings?{query}", headers).get_json()["data"]]

    assert ids(f"theme={green_theme.id}") == [finding.id]
    assert ids("partner=council") == [
        finding.id
    ]  # the council's findings include those it shares with the ICB
    assert ids("partner=icb") == [finding.id, bare.id]
    assert ids("readiness=red") == [bare.id]
    assert ids(f"inspection={bare.inspection_id}") == [bare.id]


def test_a_viewers_token_never_counts_restricted_evidence(app):
    finding = factories.FindingFactory()
    factories.ActionFactory(findings=[finding])
    leader = factories.UserFactory(role=Role.LEADER)
    item = factories.EvidenceFactory(
        uploaded_by=leader,
        status=EvidenceStatus.ACCEPTED,
        sensitivity=Sensitivity.RESTRICTED,
        title="Child A's plan",
    )
    item.findings.append(finding)
    db.session.commit()
    as_leader = get(app, "/api/v1/findings", token_for(user=leader)).get_data(as_text=True)
    as_viewer = get(app, "/api/v1/findings", token_for(Role.VIEWER)).get_data(as_text=True)
    assert "1 item of current accepted evidence" in as_leader
    assert "no accepted evidence" in as_viewer and "current accepted evidence" not in as_viewer
    assert "Child A" not in as_leader + as_viewer


def test_as_at_shows_what_existed_at_the_end_of_that_day(app):
    old_inspection = factories.InspectionFactory(created_at=LONG_AGO)
    finding = factories.FindingFactory(inspection=old_inspection, created_at=LONG_AGO)
    old = factories.ActionFactory(findings=[finding], created_at=LONG_AGO)
    new = factories.ActionFactory(findings=[finding])
    factories.InspectionFactory()
    headers = token_for()
    then = get(app, "/api/v1/actions?as_at=2026-02-01", headers).get_json()
    assert then["as_at"] == "2026-02-01" and [item["id"] for item in then["data"]] == [old.id]
    assert [item["id"] for item in get(app, "/api/v1/actions", headers).get_json()["data"]] == [
        old.id,
        new.id,
    ]
    inspections = get(app, "/api/v1/inspections?as_at=2026-02-01", headers).get_json()["data"]
    assert [item["id"] for item in inspections] == [old_inspection.id]
    before = get(app, "/api/v1/findings?as_at=2026-01-04", headers).get_json()
    assert before == {"as_at": "2026-01-04", "next": None, "data": []}


def test_an_unchanged_list_is_a_304_by_its_etag(app):
    factories.ActionFactory(findings=[factories.FindingFactory()])
    headers = token_for()
    first = get(app, "/api/v1/actions", headers)
    etag = first.headers["ETag"]
    again = get(app, "/api/v1/actions", {**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    factories.ActionFactory(findings=[factories.FindingFactory()])
    changed = get(app, "/api/v1/actions", {**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_rate_limit_is_per_token_and_a_429_problem(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_API_RATE_LIMIT", "3 per minute")
    mine, theirs = token_for(), token_for()
    for _ in range(3):
        assert get(app, "/api/v1/inspections", mine).status_code == 200
    refused = get(app, "/api/v1/inspections", mine)
    problem_of(refused, 429)
    assert refused.headers["Retry-After"] == "60"
    assert get(app, "/api/v1/inspections", theirs).status_code == 200


def test_with_redis_configured_the_rate_limit_is_counted_there(redis_app):  # noqa: F811 (the fixture)
    """With RATELIMIT_STORAGE_URI at Redis, every worker counts a token's requests in one place: the count is
    in Redis, under the token's hash, never the token itself, and the fourth request is refused."""
    redis_app.config["TRACKER_API_RATE_LIMIT"] = "3 per minute"
    mine = token_for()
    for _ in range(3):
        assert get(redis_app, "/api/v1/inspections", mine).status_code == 200
    keys = b" ".join(redis_keys())
    assert b"api-token-" in keys and mine["Authorization"].split()[1].encode() not in keys
    problem_of(get(redis_app, "/api/v1/inspections", mine), 429)


def test_not_found_wrong_method_and_a_fault_are_problems_too(app, monkeypatch):
    headers = token_for()
    problem_of(get(app, "/api/v1/evidence-files", headers), 404)
    problem_of(get(app, "/api/v1/", headers), 404)
    wrong = app.test_client().post("/api/v1/actions", headers=headers)
    assert problem_of(wrong, 405) and wrong.headers["Allow"] == "GET, HEAD"

    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(resources, "as_at_of", broken)  # a fault in the view, whichever way it reads the plan
    body = problem_of(get(app, "/api/v1/findings", headers), 500)
    assert "a bug" not in str(body)


def test_the_openapi_document_is_31_and_names_every_operation(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == API_PATHS | {"/api/v1/openapi.json"}
    action = document["components"]["schemas"]["Action"]
    assert action["additionalProperties"] is False and "rag_summary" in action["required"]
    statuses = document["paths"]["/api/v1/actions"]["get"]["responses"]
    assert {"200", "304", "400", "401", "403", "404", "429", "500"} <= set(statuses)
