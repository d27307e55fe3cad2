"""The dashboard: readiness, actions, evidence and measures as at any day,
every number linking to its list."""

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bench.queries import queries_asked
from tests import factories
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.evidence.models import EvidenceStatus, Sensitivity
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus, FindingKind
from tracker.plan.services import set_archived
from tracker.readiness.models import ActionFigures, FindingFigures, ReadinessSnapshot

TODAY = today()
LONG_AGO = datetime.combine(TODAY - timedelta(days=60), datetime.min.time(), tzinfo=timezone.utc).replace(
    hour=12
)


def linked(page: str, href: str) -> int:
    """The number a link to `href` shows."""
    found = re.search(rf'href="{re.escape(href)}">(\d+)<', page)
    assert found, f"no number links to {href}"
    return int(found.group(1))


@pytest.fixture
def plan():
    """A theme with an area for improvement: one overdue action, one stale, one on track;
    another theme with a strength."""
    theme, other_theme = (
        factories.ThemeFactory(name="Waiting times and access"),
        factories.ThemeFactory(name="Co-production"),
    )
    finding = factories.FindingFactory(
        theme=theme, reference="AFI1", title="Families wait too long", created_at=LONG_AGO
    )
    strength = factories.FindingFactory(
        theme=other_theme,
        kind=FindingKind.STRENGTH,
        reference="S1",
        title="Co-production is valued",
        created_at=LONG_AGO,
    )
    overdue = factories.ActionFactory(
        findings=[finding],
        title="Open a second clinic",
        due_date=TODAY - timedelta(days=5),
        created_at=LONG_AGO,
    )
    stale = factories.ActionFactory(findings=[finding], title="Triage the waiting list", created_at=LONG_AGO)
    done = factories.ActionFactory(findings=[strength], status=ActionStatus.COMPLETE, percent_complete=100)
    factories.EvidenceFactory(findings=[strength], status=EvidenceStatus.ACCEPTED)
    factories.EvidenceFactory(findings=[finding], status=EvidenceStatus.SUBMITTED)
    measure = factories.MeasureFactory(
        name="Longest autism wait",
        findings=[finding],
        target_value=18,
        target_date=TODAY + timedelta(days=365),
    )
    factories.ReadingFactory(measure=measure, period_end=TODAY - timedelta(days=20), value=60)
    return dict(theme=theme, finding=finding, strength=strength, overdue=overdue, stale=stale, done=done)


def test_numbers_link_to_the_lists_behind_them(plan, leader_client):
    page = leader_client.get("/").get_data(as_text=True)
    assert linked(page, "/actions?only=overdue") == 1
    assert linked(page, "/actions?only=stale") == 2  # both open actions were made 60 days ago with no update
    assert linked(page, "/actions?rag=red") == 1 and linked(page, "/actions?rag=amber") == 1
    assert linked(page, "/actions?rag=green") == 1
    assert linked(page, "/actions?status=complete") == 1
    assert linked(page, "/evidence?status=submitted") == 1
    assert linked(page, "/evidence?status=accepted") == 1
    assert linked(page, "/evidence/gaps") == 1
    assert linked(page, "/measures") == 1
    assert "See all 3 actions" in page
    assert f'href="/findings/{plan["finding"].id}">AFI1: Families wait too long</a>' in page
    assert f'href="/actions/{plan["overdue"].id}">' in page


def test_each_finding_shows_its_readiness_and_why(plan, leader_client):
    page = leader_client.get("/").get_data(as_text=True)
    assert (
        "1 action overdue; 1 action with no update for 30 days or more; no accepted evidence; Longest "
        "autism wait off track"
    ) in page
    assert "1 action on track; 1 item of current accepted evidence" in page
    assert linked(page, f"#theme-{plan['theme'].id}") == 1  # the first link in the theme's row: red


def test_charts_are_drawn_with_tables_of_their_figures(plan, leader_client):
    page = leader_client.get("/").get_data(as_text=True)
    assert page.count('role="img"') >= 2
    assert "Actions by status" in page and "Actions by RAG status" in page


def test_filters_stay_in_the_address_and_narrow_everything(plan, leader_client):
    theme = plan["theme"].id
    page = leader_client.get(f"/?theme={theme}").get_data(as_text=True)
    assert "Families wait too long" in page and "Co-production is valued" not in page
    assert linked(page, f"/actions?only=overdue&amp;theme={theme}") == 1
    assert f'<option value="{theme}" selected>' in page
    page = leader_client.get("/?partner=icb").get_data(as_text=True)
    assert "Families wait too long" not in page and "No findings match these filters." in page


@pytest.mark.parametrize("junk", ["2026-02-30", "yesterday", "x" * 5000, "%00", "31/03/2026"])
def test_a_date_the_dashboard_cannot_read_is_ignored_with_a_message(plan, leader_client, junk):
    response = leader_client.get(
        "/", query_string={"as_at": junk, "theme": "not-a-number", "inspection": "99999999999"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "The as-at date must be a real date written as year-month-day, like 2026-03-31. Showing today" in page
        and "There is a problem" in page
    )
    assert f"as at the end of <strong>{TODAY.day} {TODAY:%B %Y}</strong>" in page


def test_a_future_date_shows_today_and_says_so(plan, leader_client):
    page = leader_client.get(f"/?as_at={TODAY + timedelta(days=3)}").get_data(as_text=True)
    assert "The as-at date must be today or in the past. Showing today" in page


def test_the_dashboard_as_at_a_past_day_shows_the_plan_then(plan, client_as):
    leader = factories.UserFactory(role=Role.LEADER)
    set_archived(leader, plan["stale"], True)
    client = client_as(leader)
    past = TODAY - timedelta(days=10)
    now = client.get("/").get_data(as_text=True)
    then = client.get(f"/?as_at={past.isoformat()}").get_data(as_text=True)
    assert (
        "See all 2 actions" in now and "See all 2 actions" in then
    )  # the completed action did not exist then
    assert f"as at the end of <strong>{past.day} {past:%B %Y}</strong>" in then
    assert "The figures are the plan as it stood at the end of" in then
    assert f'value="{past.isoformat()}"' in then
    assert linked(then, "/actions?only=stale") == 2 and linked(now, "/actions?only=stale") == 1
    assert linked(then, "/evidence?status=submitted") == 0  # created today


def test_a_viewer_never_sees_restricted_counts(plan, client_as):
    uploader = factories.UserFactory(role=Role.OFFICER)
    factories.EvidenceFactory(
        findings=[plan["finding"]],
        sensitivity=Sensitivity.RESTRICTED,
        uploaded_by=uploader,
        title="Child A case review",
        status=EvidenceStatus.ACCEPTED,
    )
    viewer = client_as(Role.VIEWER).get("/").get_data(as_text=True)
    leader = client_as(Role.LEADER).get("/").get_data(as_text=True)
    own = client_as(uploader).get("/").get_data(as_text=True)
    assert (
        linked(viewer, "/evidence?status=accepted") == 1 and linked(leader, "/evidence?status=accepted") == 2
    )
    assert linked(own, "/evidence?status=accepted") == 2
    assert linked(viewer, "/evidence/gaps") == 1 and linked(leader, "/evidence/gaps") == 0
    assert "Child A" not in viewer


def test_administrators_go_to_their_users(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")


def test_the_dashboard_works_before_any_data(viewer_client):
    page = viewer_client.get("/").get_data(as_text=True)
    assert "No findings match these filters." in page and "No readiness snapshots have been taken" in page


def _count_queries(call) -> int:
    return queries_asked(db.engine, call)


def test_the_dashboard_costs_the_same_queries_whatever_the_size(client_as):
    client = client_as(Role.LEADER)
    theme = factories.ThemeFactory()

    def grow(size):
        for _ in range(size):
            finding = factories.FindingFactory(theme=theme)
            factories.ActionFactory(findings=[finding])
            factories.EvidenceFactory(findings=[finding])

    grow(3)
    small = _count_queries(lambda: client.get("/"))
    grow(27)
    assert _count_queries(lambda: client.get("/")) == small


# Snapshots ---------------------------------------------------------------------------------------


def test_a_leader_takes_a_snapshot_and_the_trend_shows_it(plan, leader_client):
    response = leader_client.post("/readiness/snapshot")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    rows = db.session.scalars(sa.select(ReadinessSnapshot)).all()
    assert {(row.finding_id, row.readiness, row.taken_on) for row in rows} == {
        (plan["finding"].id, "red", TODAY),
        (plan["strength"].id, "green", TODAY),
    }
    page = leader_client.get("/").get_data(as_text=True)
    assert "Readiness of 2 findings recorded for" in page
    assert f'<th scope="row" class="govuk-table__header">{TODAY.day} {TODAY:%B %Y}</th>' in page


def test_a_second_snapshot_the_same_day_replaces_the_first_and_each_run_is_audited_once(plan, leader_client):
    leader_client.post("/readiness/snapshot")
    set_archived(factories.UserFactory(role=Role.LEADER), plan["strength"], True)
    leader_client.post("/readiness/snapshot")
    rows = db.session.scalars(sa.select(ReadinessSnapshot)).all()
    assert [(row.finding_id, row.taken_on) for row in rows] == [(plan["finding"].id, TODAY)]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "readiness_snapshot.taken").order_by(AuditEvent.id)
    ).all()
    assert [event.after["replaced"] for event in events] == [False, True]
    assert events[1].after == {
        "taken_on": TODAY.isoformat(),
        "red": 1,
        "amber": 0,
        "green": 0,
        "replaced": True,
    }


def test_only_leaders_see_the_snapshot_button(plan, client_as):
    assert "Take today&#39;s readiness snapshot" in client_as(Role.LEADER).get("/").get_data(as_text=True)
    assert "Take today&#39;s readiness snapshot" not in client_as(Role.OFFICER).get("/").get_data(
        as_text=True
    )
    assert client_as(Role.OFFICER).post("/readiness/snapshot").status_code == 403


def test_the_snapshot_command_records_a_chosen_day_for_cron(plan, runner):
    past = TODAY - timedelta(days=30)
    result = runner.invoke(args=["readiness", "snapshot", "--date", past.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Readiness of 2 findings recorded for" in result.output
    assert {row.taken_on for row in db.session.scalars(sa.select(ReadinessSnapshot))} == {past}
    assert "dashboard figures" not in result.output  # an earlier day's snapshot leaves today's figures alone
    db.session.execute(sa.update(FindingFigures).values(worked_on=None))
    db.session.commit()
    today_run = runner.invoke(args=["readiness", "snapshot"])
    assert today_run.exit_code == 0
    assert (
        "Today's dashboard figures are worked out for 2 findings, their actions and measures."
        in today_run.output
    )
    db.session.expire_all()
    kept = (
        db.session.scalars(sa.select(FindingFigures)).all()
        + db.session.scalars(sa.select(ActionFigures)).all()
    )
    assert kept and all(row.worked_on == TODAY for row in kept)
    future = runner.invoke(args=["readiness", "snapshot", "--date", (TODAY + timedelta(days=1)).isoformat()])
    assert future.exit_code != 0 and "today or an earlier day" in future.output
