"""Readiness over time in the API (docs/api.md, "Readiness history"): the snapshots per day, the flat history
(one row per finding per snapshot day) paged by cursor, as at a day, with ETags, the same rows as a CSV file,
and no figure that counts restricted evidence, whoever's token asks."""

import csv
import io
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from tests import factories
from tests.http.test_api_lists import get, problem_of, token_for
from tracker.api.history import HISTORY_COLUMNS
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Partner
from tracker.readiness.services import take_snapshot

LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
FIRST, SECOND = date(2026, 2, 1), date(2026, 2, 2)


def two_days_of_three_findings():
    """Three findings from long ago (two red with no actions, a strength amber with no evidence), snapshotted
    on two days."""
    inspection = factories.InspectionFactory(created_at=LONG_AGO, title="Area SEND inspection, Testshire")
    theme = factories.ThemeFactory(name="Waiting times and access")
    findings = [
        factories.FindingFactory(inspection=inspection, theme=theme, reference="AFI1", created_at=LONG_AGO),
        factories.FindingFactory(
            inspection=inspection, reference="AFI2", accountable_partner=Partner.ICB, created_at=LONG_AGO
        ),
        factories.FindingFactory(inspection=inspection, theme=theme, reference="S1", created_at=LONG_AGO),
    ]
    db.session.commit()
    take_snapshot(None, FIRST)
    take_snapshot(None, SECOND)
    return inspection, theme, findings


def local(url: str) -> str:
    return url.split("localhost", 1)[1]


def test_the_history_is_one_row_per_finding_per_day_paged_by_cursor(app):
    inspection, theme, findings = two_days_of_three_findings()
    headers = token_for(Role.VIEWER)
    rows, pages, url = [], 0, "/api/v1/readiness-history?limit=4"
    while url:
        body = get(app, url, headers).get_json()
        rows += body["data"]
        pages += 1
        url = body["next"]
        if url:
            query = parse_qs(urlsplit(url).query)
            assert query["as_at"] == [today().isoformat()] and query["limit"] == ["4"]
            url = local(url)
    assert pages == 2 and len(rows) == 6 and len({row["id"] for row in rows}) == 6
    assert sorted((row["date"], row["finding_reference"]) for row in rows) == [
        (day.isoformat(), reference) for day in (FIRST, SECOND) for reference in ("AFI1", "AFI2", "S1")
    ]
    first = next(row for row in rows if row["finding_reference"] == "AFI1" and row["date"] == "2026-02-01")
    assert list(first) == list(HISTORY_COLUMNS)
    assert first == {
        "id": first["id"],
        "date": "2026-02-01",
        "inspection_id": inspection.id,
        "inspection": "Area SEND inspection, Testshire",
        "finding_id": findings[0].id,
        "finding_reference": "AFI1",
        "finding_title": findings[0].title,
        "theme_id": theme.id,
        "theme": "Waiting times and access",
        "accountable_partner": "council",
        "accountable_partner_label": "Council",
        "readiness": "red",
        "readiness_label": "Red",
        "reasons": first["reasons"],
    }
    assert first["reasons"] == "no actions to address it; no accepted evidence"


def test_the_history_filters_as_the_dashboard_and_by_colour_and_since(app):
    inspection, theme, findings = two_days_of_three_findings()
    headers = token_for(Role.OFFICER)

    def refs(query: str) -> list[tuple[str, str]]:
        body = get(app, f"/api/v1/readiness-history?{query}", headers).get_json()
        return sorted((row["date"], row["finding_reference"]) for row in body["data"])

    assert refs(f"theme={theme.id}&since=2026-02-02") == [("2026-02-02", "AFI1"), ("2026-02-02", "S1")]
    assert refs("partner=icb&as_at=2026-02-01") == [("2026-02-01", "AFI2")]
    assert refs("partner=council&readiness=green") == []
    assert (
        len(refs(f"inspection={inspection.id}&readiness=red")) == 6
    )  # the strength too: no evidence, no action
    assert problem_of(get(app, "/api/v1/readiness-history?since=2026-03-01&as_at=2026-02-01", headers), 400)[
        "errors"
    ] == [{"parameter": "since", "detail": "since must be on or before as_at."}]
    problem_of(get(app, "/api/v1/readiness-history?readiness=purple", headers), 400)
    problem_of(get(app, "/api/v1/readiness-snapshots?partner=parents", headers), 400)


def test_snapshots_are_each_days_counts_as_the_dashboards_trend_as_at_a_day(app):
    two_days_of_three_findings()
    headers = token_for(Role.LEADER)
    body = get(app, "/api/v1/readiness-snapshots?limit=1", headers).get_json()
    assert body["data"] == [{"date": "2026-02-01", "findings": 3, "red": 3, "amber": 0, "green": 0}]
    second = get(app, local(body["next"]), headers).get_json()
    assert [item["date"] for item in second["data"]] == ["2026-02-02"] and second["next"] is None
    then = get(app, "/api/v1/readiness-snapshots?as_at=2026-02-01", headers).get_json()
    assert [item["date"] for item in then["data"]] == ["2026-02-01"]
    history = get(app, "/api/v1/readiness-history?as_at=2026-02-01", headers).get_json()
    assert history["as_at"] == "2026-02-01" and {row["date"] for row in history["data"]} == {"2026-02-01"}
    assert get(app, "/api/v1/readiness-history?as_at=2026-01-31", headers).get_json()["data"] == []


def test_an_unchanged_history_is_a_304_by_its_etag_and_a_new_snapshot_changes_it(app):
    two_days_of_three_findings()
    headers = token_for()
    for path in ("/api/v1/readiness-history", "/api/v1/readiness-snapshots", "/api/v1/readiness-history.csv"):
        etag = get(app, path, headers).headers["ETag"]
        again = get(app, path, {**headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"", path
    etag = get(app, "/api/v1/readiness-history", headers).headers["ETag"]
    take_snapshot(None, today())
    changed = get(app, "/api/v1/readiness-history", {**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.get_json()["data"]) == 9


def test_the_csv_is_the_same_rows_and_columns_as_one_file(app):
    two_days_of_three_findings()
    maker = factories.UserFactory(role=Role.VIEWER)
    from tracker.api import tokens

    _, value = tokens.make_token(maker, "Power BI", today() + timedelta(days=30))
    answer = app.test_client().get(f"/api/v1/readiness-history.csv?key={value}&since=2026-02-02")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        f'inline; filename="readiness-history-{today().isoformat()}.csv"'
    )
    text = answer.get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert (
        table[0]
        == list(HISTORY_COLUMNS)
        == [
            "id",
            "date",
            "inspection_id",
            "inspection",
            "finding_id",
            "finding_reference",
            "finding_title",
            "theme_id",
            "theme",
            "accountable_partner",
            "accountable_partner_label",
            "readiness",
            "readiness_label",
            "reasons",
        ]
    )
    json_rows = get(
        app, "/api/v1/readiness-history?since=2026-02-02", {"Authorization": f"Bearer {value}"}
    ).get_json()["data"]
    assert table[1:] == [[str(row[column]) for column in HISTORY_COLUMNS] for row in json_rows]
    assert len(table) == 4 and {row[1] for row in table[1:]} == {"2026-02-02"}
    assert {row[11] for row in table[1:]} <= {"red", "amber", "green"}


def test_no_figure_counts_restricted_evidence_for_a_viewer_or_anyone(app):
    """The findings resource counts a leader's restricted evidence for the leader; a snapshot is shared with
    everyone, so it counts none, and neither the history nor its CSV shows it to a viewer or a leader."""
    finding = factories.FindingFactory(reference="AFI9")
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
    take_snapshot(None, today())
    as_leader, as_viewer = token_for(user=leader), token_for(Role.VIEWER)
    live = get(app, "/api/v1/findings", as_leader).get_data(as_text=True)
    assert "1 item of current accepted evidence" in live  # the leader's own page counts it
    for headers in (as_leader, as_viewer):
        [row] = get(app, "/api/v1/readiness-history", headers).get_json()["data"]
        assert "no accepted evidence" in row["reasons"] and "current accepted evidence" not in row["reasons"]
        assert row["readiness"] == "amber"
        [day] = get(app, "/api/v1/readiness-snapshots", headers).get_json()["data"]
        assert (day["amber"], day["green"]) == (1, 0)
        csv_text = get(app, "/api/v1/readiness-history.csv", headers).get_data(as_text=True)
        assert "no accepted evidence" in csv_text and "Child A" not in csv_text
