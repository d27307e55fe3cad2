"""The reminder pages (tracker/reminders/views.py): "Your reminders", where a person chooses how often
they hear about each kind; the Teams channels, whose webhook addresses are secrets; and the reminders that
could not be delivered, for administrators."""

from datetime import date, datetime, timedelta, timezone
from html import unescape

import pytest
import sqlalchemy as sa

from bench.queries import count_queries
from tests import factories
from tracker import audit
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.models import Role, utcnow
from tracker.plan.models import Partner
from tracker.reminders.jobs import STUCK_REASON
from tracker.reminders.models import (
    DeliveryStatus,
    ReminderDigest,
    ReminderFrequency,
    ReminderKind,
    ReminderPreference,
    TeamsChannel,
    TeamsPost,
)
from tracker.reminders.settings import ReminderSettingsError, check_webhook_url

SECRET_URL = (
    "https://prod-42.uksouth.logic.azure.com:443/workflows/6f1c/triggers/manual/paths/invoke?sig=Zk9s3cretQ"
)
SECRET_PART = "Zk9s3cretQ"
MASKED = "https://prod-42.uksouth.logic.azure.com:443/…retQ"


def choices(**chosen: str) -> dict[str, str]:
    """A form's answers: daily for every kind but those named."""
    return {kind.value: chosen.get(kind.value, "daily") for kind in ReminderKind}


def checked(page: str, kind: ReminderKind, frequency: str) -> bool:
    return f'name="{kind.value}" type="radio" value="{frequency}" checked' in page


# Your reminders -------------------------------------------------------------------------------------


def test_every_kind_starts_daily_and_says_what_it_means(client_as):
    page = unescape(client_as(Role.OFFICER).get("/account/reminders").get_data(as_text=True))
    assert '<h1 class="govuk-heading-l">Your reminders</h1>' in page
    for kind in ReminderKind:
        if kind is not ReminderKind.EVIDENCE_TO_REVIEW:  # a leader's
            assert kind.label in page
            assert checked(page, kind, "daily")
    assert "An action you own, 30, 7 and 1 day before its due date." in page
    assert "no progress update for 30 days" in page
    assert "due within 24 hours, or overdue" in page
    assert "at most once a day" in page
    assert "Needs your attention" in page and 'href="/actions/mine"' in page
    assert "Daily" in page and "Weekly, on Mondays" in page and "Off" in page


def test_the_stale_threshold_is_the_configured_one(app, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_STALE_AFTER_DAYS", 21)
    page = client_as(Role.OFFICER).get("/account/reminders").get_data(as_text=True)
    assert "no progress update for 21 days" in page


def test_only_leaders_choose_about_evidence_waiting_for_review(client_as):
    leader = client_as(Role.LEADER).get("/account/reminders").get_data(as_text=True)
    for role in (Role.OFFICER, Role.VIEWER):
        other = client_as(role).get("/account/reminders").get_data(as_text=True)
        assert "Evidence waiting for review" not in other
    assert "Evidence waiting for review" in leader


def test_choices_are_saved_shown_and_audited_without_moving_the_data_version(client_as):
    officer = factories.UserFactory(role=Role.OFFICER)
    client = client_as(officer)
    version = audit.data_version()

    response = client.post("/account/reminders", data=choices(overdue="weekly", stale="off"))

    assert response.status_code == 302 and response.headers["Location"] == "/account/reminders"
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "Your reminder choices have been saved." in page
    assert checked(page, ReminderKind.OVERDUE, "weekly")
    assert checked(page, ReminderKind.STALE, "off")
    assert checked(page, ReminderKind.DUE_SOON, "daily")
    saved = db.session.execute(
        sa.select(ReminderPreference.kind, ReminderPreference.frequency).where(
            ReminderPreference.user_id == officer.id
        )
    ).all()
    assert set(saved) == {
        (ReminderKind.OVERDUE, ReminderFrequency.WEEKLY),
        (ReminderKind.STALE, ReminderFrequency.OFF),
    }
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.reminders_changed"))
    assert (event.actor_id, event.entity_type, event.entity_id) == (officer.id, "user", officer.id)
    assert event.before == {"overdue": "daily", "stale": "daily"}
    assert event.after == {"overdue": "weekly", "stale": "off"}
    assert audit.data_version() == version


def test_changing_a_choice_back_updates_it_and_sending_the_same_again_records_nothing(client_as):
    officer = factories.UserFactory(role=Role.OFFICER)
    client = client_as(officer)
    client.post("/account/reminders", data=choices(overdue="off"))
    client.post("/account/reminders", data=choices(overdue="weekly"))
    client.post("/account/reminders", data=choices(overdue="weekly"))

    page = client.get("/account/reminders").get_data(as_text=True)
    assert checked(page, ReminderKind.OVERDUE, "weekly")
    events = db.session.scalars(
        sa.select(AuditEvent.after).where(AuditEvent.verb == "user.reminders_changed").order_by(AuditEvent.id)
    ).all()
    assert events == [{"overdue": "off"}, {"overdue": "weekly"}]


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"overdue": "hourly"}, "Not a valid choice"),
        ({"overdue": None}, "Choose how often to hear about overdue actions."),
    ],
)
def test_a_choice_the_page_does_not_offer_is_shown_again_with_the_error_and_nothing_saved(
    client_as, sent, message
):
    data = {name: value for name, value in {**choices(stale="off"), **sent}.items() if value is not None}
    response = client_as(Role.OFFICER).post("/account/reminders", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert checked(page, ReminderKind.STALE, "off")  # what they chose is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderPreference)) == 0


def test_the_account_links_offer_your_reminders_to_everyone_but_administrators(client_as):
    for role in (Role.LEADER, Role.OFFICER, Role.VIEWER):
        page = client_as(role).get("/account/sessions").get_data(as_text=True)
        assert 'href="/account/reminders"' in page
    admin = client_as(Role.ADMIN)
    assert 'href="/account/reminders"' not in admin.get("/account/sessions").get_data(as_text=True)
    assert admin.get("/account/reminders").status_code == 403


# Teams channels --------------------------------------------------------------------------------------


def add_channel(client, **fields):
    data = {"name": "SEND leadership team", "partner": "every", "webhook_url": SECRET_URL, **fields}
    return client.post("/admin/teams/new", data=data)


def test_an_added_channel_is_listed_masked_and_its_address_never_shown_or_audited(client_as):
    admin = client_as(Role.ADMIN)
    response = add_channel(admin, partner="icb")
    assert response.status_code == 302

    channel = db.session.scalar(sa.select(TeamsChannel))
    assert (channel.name, channel.partner, channel.webhook_url, channel.active) == (
        "SEND leadership team",
        Partner.ICB,
        SECRET_URL,
        True,
    )
    listing = admin.get("/admin/teams").get_data(as_text=True)
    assert "Added SEND leadership team" in listing
    assert MASKED in listing and "ICB" in listing and "On" in listing
    pages = [
        listing,
        admin.get(f"/admin/teams/{channel.id}").get_data(as_text=True),
        admin.get("/admin/teams/new").get_data(as_text=True),
        admin.get("/admin/audit").get_data(as_text=True),
        admin.get("/admin/reminders").get_data(as_text=True),
    ]
    for page in pages:
        assert SECRET_PART not in page and "/workflows/" not in page
    assert MASKED in pages[1]  # the change page says which address is kept, masked
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "teams_channel.created"))
    assert event.after == {
        "name": "SEND leadership team",
        "partner": "ICB",
        "active": True,
        "webhook_address": "set",
    }
    assert all(SECRET_PART not in str(value) for value in _every_audit_value())


def _every_audit_value():
    return db.session.execute(sa.select(AuditEvent.before, AuditEvent.after)).all()


def test_changing_a_channel_keeps_its_address_when_left_blank_and_replaces_it_unseen(client_as):
    admin = client_as(Role.ADMIN)
    add_channel(admin)
    channel = db.session.scalar(sa.select(TeamsChannel))
    version = audit.data_version()

    form = admin.get(f"/admin/teams/{channel.id}").get_data(as_text=True)
    assert 'value="SEND leadership team"' in form and "Leave blank to keep the current address." in form
    assert (
        admin.post(
            f"/admin/teams/{channel.id}",
            data={"name": "SEND leaders", "partner": "council", "webhook_url": ""},
        ).status_code
        == 302
    )
    db.session.refresh(channel)
    assert (channel.name, channel.partner, channel.webhook_url) == (
        "SEND leaders",
        Partner.COUNCIL,
        SECRET_URL,
    )

    new_url = "https://prod-07.uksouth.logic.azure.com/workflows/99/invoke?sig=N3wS3cret"
    admin.post(
        f"/admin/teams/{channel.id}",
        data={"name": "SEND leaders", "partner": "council", "webhook_url": new_url},
    )
    db.session.refresh(channel)
    assert channel.webhook_url == new_url
    events = db.session.execute(
        sa.select(AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.verb == "teams_channel.updated")
        .order_by(AuditEvent.id)
    ).all()
    assert events[0] == (
        {"name": "SEND leadership team", "partner": "Every partner"},
        {"name": "SEND leaders", "partner": "Council"},
    )
    assert events[1] == ({"webhook_address": "kept secret"}, {"webhook_address": "changed, kept secret"})
    assert all("S3cret" not in str(value) for value in _every_audit_value())
    assert "N3wS3cret" not in admin.get("/admin/teams").get_data(as_text=True)
    assert audit.data_version() == version  # where summaries go is not the plan's data


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://teams.example.org/workflows/1?sig=Zk9s3cretQ", "starting with https://"),
        ("ftp://teams.example.org/Zk9s3cretQ", "starting with https://"),
        ("teams.example.org/Zk9s3cretQ", "starting with https://"),
        ("https:///Zk9s3cretQ", "starting with https://"),
        ("https://teams.example.org:99999/Zk9s3cretQ", "starting with https://"),
        ("https://someone:Zk9s3cretQ@teams.example.org/x", "starting with https://"),
        ("https://teams.example.org/a b/Zk9s3cretQ", "starting with https://"),
        ("https://teams.example.org/" + "Zk9s3cretQ" * 200, "2,000 characters or fewer"),
        ("   ", "Enter the channel's webhook address."),
    ],
)
def test_a_bad_address_is_refused_with_the_input_kept_but_the_address_never_echoed(client_as, url, message):
    response = add_channel(
        client_as(Role.ADMIN), name="Council SEND team", partner="council", webhook_url=url
    )

    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert 'value="Council SEND team"' in page and 'value="council" checked' in page
    assert SECRET_PART not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamsChannel)) == 0


def test_a_duplicate_name_is_refused_on_adding_and_on_changing(client_as):
    admin = client_as(Role.ADMIN)
    add_channel(admin, name="SEND leaders")
    add_channel(admin, name="Council team", webhook_url="https://teams.example.org/hook/2")

    added = add_channel(admin, name="send LEADERS ").get_data(as_text=True)
    other = db.session.scalar(sa.select(TeamsChannel).where(TeamsChannel.name == "Council team"))
    changed = admin.post(
        f"/admin/teams/{other.id}",
        data={"name": "SEND leaders", "partner": "every", "webhook_url": SECRET_URL},
    ).get_data(as_text=True)

    for page in (added, changed):
        assert "govuk-error-summary" in page
        assert "There is already a channel called SEND leaders: choose another name." in page
        assert SECRET_PART not in page
    db.session.refresh(other)
    assert other.name == "Council team" and other.webhook_url == "https://teams.example.org/hook/2"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamsChannel)) == 2


def test_a_channel_is_turned_off_and_on_again(client_as):
    admin = client_as(Role.ADMIN)
    add_channel(admin)
    channel = db.session.scalar(sa.select(TeamsChannel))

    admin.post(f"/admin/teams/{channel.id}/active")
    page = admin.get("/admin/teams").get_data(as_text=True)
    db.session.refresh(channel)
    assert channel.active is False
    assert "SEND leadership team is turned off." in page and "Turn on" in page

    admin.post(f"/admin/teams/{channel.id}/active")
    db.session.refresh(channel)
    assert channel.active is True
    events = db.session.execute(
        sa.select(AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.verb == "teams_channel.updated")
        .order_by(AuditEvent.id)
    ).all()
    assert events == [({"active": True}, {"active": False}), ({"active": False}, {"active": True})]


def test_plain_http_is_only_for_this_machine_in_tests_or_when_allowed(app, monkeypatch):
    local = "http://127.0.0.1:8765/teams/hook"
    assert check_webhook_url(local) == local  # the suite runs with app.testing
    monkeypatch.setattr(app, "testing", False)
    with pytest.raises(ReminderSettingsError):
        check_webhook_url(local)
    monkeypatch.setitem(app.config, "TRACKER_TEAMS_ALLOW_HTTP", True)
    assert check_webhook_url("http://localhost:8765/hook") == "http://localhost:8765/hook"
    with pytest.raises(ReminderSettingsError):
        check_webhook_url("http://teams.example.org/hook")


def test_the_teams_and_problems_pages_are_in_the_administrators_navigation_only(client_as):
    admin = client_as(Role.ADMIN).get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/teams"' in admin and 'href="/admin/reminders"' in admin
    for role in (Role.LEADER, Role.OFFICER, Role.VIEWER):
        page = client_as(role).get("/account/sessions").get_data(as_text=True)
        assert 'href="/admin/teams"' not in page and 'href="/admin/reminders"' not in page
        assert client_as(role).get("/admin/teams").status_code == 403
        assert client_as(role).get("/admin/reminders").status_code == 403


# Reminder problems -----------------------------------------------------------------------------------


def digest(person, day, status, **fields) -> ReminderDigest:
    row = ReminderDigest(
        user_id=person.id, day=day, transport="smtp", to_address=person.email, status=status, **fields
    )
    db.session.add(row)
    return row


def test_the_problems_page_lists_failed_and_given_up_deliveries_newest_first_and_not_the_others(client_as):
    amira = factories.UserFactory(name="Amira Shah", email="amira.shah@council.example")
    ben = factories.UserFactory(name="Ben Cole", email="ben.cole@council.example")
    channel = TeamsChannel(name="ICB SEND team", webhook_url="https://teams.example.org/hook/Zk9s3cretQ")
    db.session.add(channel)
    db.session.flush()
    digest(
        amira,
        date(2026, 7, 1),
        DeliveryStatus.FAILED,
        attempts=2,
        last_error="the mail server did not answer: timed out",
        next_attempt_at=datetime(2026, 7, 1, 8, 15, tzinfo=timezone.utc),
    )
    digest(ben, date(2026, 6, 29), DeliveryStatus.GIVEN_UP, attempts=1, last_error="no email address")
    db.session.add(
        TeamsPost(
            channel_id=channel.id,
            day=date(2026, 6, 30),
            status=DeliveryStatus.FAILED,
            attempts=3,
            last_error="Teams answered 502 for https://teams.example.org/hook/Zk9s3cretQ",
            next_attempt_at=datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc),
        )
    )
    digest(amira, date(2026, 6, 28), DeliveryStatus.SENT, attempts=1, last_error="an old hiccup")
    digest(ben, date(2026, 7, 2), DeliveryStatus.SENDING)
    db.session.commit()

    page = client_as(Role.ADMIN).get("/admin/reminders").get_data(as_text=True)

    assert "3 reminders not delivered" in page
    assert page.index("Amira Shah") < page.index("ICB SEND team") < page.index("Ben Cole")  # newest first
    assert "amira.shah@council.example" in page and "ben.cole@council.example" in page
    assert "Failed, will retry" in page and "Given up" in page
    assert "the mail server did not answer: timed out" in page and "no email address" in page
    assert "1 July 2026 at 09:15" in page  # 08:15 UTC is 09:15 in London in summer
    assert "30 June 2026 at 13:00" in page
    assert "Teams answered 502 for" in page and SECRET_PART not in page
    assert "an old hiccup" not in page and "2 July 2026" not in page


def test_a_digest_or_teams_post_stuck_in_sending_is_shown_as_perhaps_not_sent(client_as):
    amira = factories.UserFactory(name="Amira Shah", email="amira.shah@council.example")
    ben = factories.UserFactory(name="Ben Cole", email="ben.cole@council.example")
    channel = TeamsChannel(name="ICB SEND team", webhook_url="https://teams.example.org/hook/Zk9s3cretQ")
    db.session.add(channel)
    db.session.flush()
    now = utcnow()
    # the run that took it stopped two hours ago; no run has looked since
    digest(amira, date(2026, 7, 1), DeliveryStatus.SENDING, claimed_at=now - timedelta(hours=2))
    digest(ben, date(2026, 7, 1), DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=10))  # under way
    db.session.add(  # a run found it stuck and said so
        TeamsPost(
            channel_id=channel.id,
            day=date(2026, 6, 30),
            status=DeliveryStatus.STUCK,
            attempts=0,
            claimed_at=now - timedelta(days=1),
            last_error=STUCK_REASON,
        )
    )
    db.session.commit()

    page = client_as(Role.ADMIN).get("/admin/reminders").get_data(as_text=True)

    assert "2 reminders not delivered" in page
    assert "Amira Shah" in page and "ICB SEND team" in page and "Ben Cole" not in page
    assert page.count("Stuck: may not have been sent") == 2
    assert page.count(STUCK_REASON) == 2
    assert "Those stuck were still being sent 1 hour after the job took them" in unescape(page)


def test_the_problems_page_says_when_there_are_none(client_as):
    digest(factories.UserFactory(), date(2026, 7, 1), DeliveryStatus.SENT, attempts=1)
    db.session.commit()
    page = client_as(Role.ADMIN).get("/admin/reminders").get_data(as_text=True)
    assert "Every reminder has been delivered: there are no problems to show." in page
    assert "govuk-table" not in page


def test_the_problems_page_is_paged_and_asks_the_same_number_of_queries_however_many_rows(app, client_as):
    admin = client_as(Role.ADMIN)
    people = [factories.UserFactory() for _ in range(3)]

    def add(count: int, start: date) -> None:
        for number in range(count):
            person = people[number % len(people)]
            digest(person, start + timedelta(days=number), DeliveryStatus.GIVEN_UP, attempts=5)
            channel = TeamsChannel(
                name=f"Channel {start}{number}", webhook_url=f"https://t.example.org/{number}"
            )
            db.session.add(channel)
            db.session.flush()
            db.session.add(
                TeamsPost(channel_id=channel.id, day=start, status=DeliveryStatus.FAILED, attempts=1)
            )
        db.session.commit()

    add(2, date(2025, 1, 1))
    with count_queries(db.engine) as few:
        admin.get("/admin/reminders")
    add(40, date(2026, 1, 1))
    with count_queries(db.engine) as many:
        last = admin.get("/admin/reminders?page=9").get_data(as_text=True)
    assert many.count == few.count
    assert "84 reminders not delivered" in last
    assert (
        last.count('<tr class="govuk-table__row">') == 1 + 34
    )  # past the end: the last page, 50 on the first
