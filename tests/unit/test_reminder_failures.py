"""When reminders cannot be delivered, and `flask reminders send`: a person with no email address, a refused
address, a Teams webhook answering 400 or 500 are each recorded with the reason while the run goes on for
everyone else, and the command exits non-zero with one line each and a one-line summary; a wrong SMTP host or
password is tried again after 15 minutes, 1, 4 and 12 hours and given up after the fifth failure, and a digest
that failed is sent by a later run once its time has come. Bad dates and settings are one line, never a
traceback. Two runs at once (threads with their own sessions, on SQLite and on PostgreSQL alike) send every
message exactly once."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories, reminder_servers
from tests.reminder_plans import BASE, NOW, TUESDAY, at, configure
from tracker import audit
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.reminders.jobs import describe, describe_stuck, send_reminders
from tracker.reminders.models import DeliveryStatus, ReminderDigest, ReminderSent, TeamsChannel, TeamsPost
from tracker.reminders.transports import SmtpTransport

smtp_server = reminder_servers.smtp_server  # fixtures: a real SMTP server, a recording HTTP server
http_server = reminder_servers.http_server

LATE = TUESDAY - timedelta(days=3)


@pytest.fixture
def smtp(app, monkeypatch, smtp_server):
    configure(app, monkeypatch, smtp_server.settings())
    return smtp_server


def with_overdue_action(name: str, email: str):
    person = factories.UserFactory(name=name, email=email)
    factories.ActionFactory(owner=person, title=f"{name}'s action", due_date=LATE)
    return person


def digest_of(person) -> ReminderDigest:
    return db.session.scalars(sa.select(ReminderDigest).where(ReminderDigest.user_id == person.id)).one()


def run_command(app, *args: str):
    return app.test_cli_runner().invoke(args=["reminders", "send", *args])


def test_each_failure_is_recorded_with_its_reason_and_the_run_goes_on_for_everyone_else(
    app, monkeypatch, smtp, http_server
):
    monkeypatch.setitem(app.config, "TRACKER_REMINDER_HOUR", "0")  # the command runs at the current time
    good = with_overdue_action("Gita Good", "gita@council.example")
    nowhere = with_overdue_action("Nat Nowhere", "")
    gone = with_overdue_action("Gus Gone", "gus.left@council.example")
    smtp.handler.refuse.add("gus.left@council.example")
    db.session.add(TeamsChannel(name="Council leads", webhook_url=f"{http_server.url}/refuses/s3cr3t"))
    db.session.add(TeamsChannel(name="ICB leads", webhook_url=f"{http_server.url}/down/s3cr3t"))
    db.session.commit()
    http_server.answers.update({"/refuses/s3cr3t": (400, {"error": "Bad card"}), "/down/s3cr3t": 500})

    result = run_command(app, "--as-of", TUESDAY.isoformat())

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "Sent 1 digest and 0 Teams summaries; 4 failed: 1 will be tried again, 3 given up."
    assert (
        "The digest to Nat Nowhere <no email address> was not sent: they have no email address in the "
        in (result.output)
    )
    assert (
        "The digest to Gus Gone <gus.left@council.example> was not sent: the mail server refused the address "
        "gus.left@council.example: 550 5.1.1 No such mailbox here; given up."
    ) in lines
    assert (
        "The Teams summary to Council leads was not sent: "
        'Teams answered 400: {"error": "Bad card"}; given up.' in (lines)
    )
    [down] = [line for line in lines if line.startswith("The Teams summary to ICB leads")]
    assert down.startswith(
        "The Teams summary to ICB leads was not sent: Teams answered 500; will try again after "
    )
    assert [each.to for each in smtp.handler.received] == [["gita@council.example"]]

    assert digest_of(good).status is DeliveryStatus.SENT
    for person, reason in (
        (nowhere, "they have no email address in the tracker"),
        (
            gone,
            "the mail server refused the address gus.left@council.example: 550 5.1.1 No such mailbox here",
        ),
    ):
        digest = digest_of(person)
        assert (digest.status, digest.last_error, digest.attempts) == (DeliveryStatus.GIVEN_UP, reason, 1)
        # nothing reached them: what it told is free to be told once their address is put right
        assert not db.session.scalars(sa.select(ReminderSent).where(ReminderSent.user_id == person.id)).all()
    posts = {post.channel.name: post for post in db.session.scalars(sa.select(TeamsPost))}
    assert posts["Council leads"].status is DeliveryStatus.GIVEN_UP
    assert (posts["ICB leads"].status, posts["ICB leads"].attempts) == (DeliveryStatus.FAILED, 1)
    events = " ".join(str(event.after) for event in db.session.scalars(sa.select(AuditEvent)))
    assert "s3cr3t" not in result.output and "s3cr3t" not in events and "/down" not in events


def test_a_wrong_host_is_tried_again_and_sent_by_a_later_run_once_its_time_has_come(app, monkeypatch, smtp):
    person = with_overdue_action("Rae Retry", "rae@council.example")
    configure(app, monkeypatch, smtp.settings(TRACKER_SMTP_HOST="mail.host.invalid"))

    first = send_reminders(TUESDAY, NOW)
    configure(app, monkeypatch, smtp.settings())  # the administrator puts the host right
    too_soon = send_reminders(TUESDAY, NOW + timedelta(minutes=14))
    in_time = send_reminders(TUESDAY, NOW + timedelta(minutes=15))

    [failure] = first.failures
    assert failure.reason == "there is no mail server called mail.host.invalid"
    assert failure.retry_at == NOW + timedelta(minutes=15)
    assert describe(failure).endswith("; will try again after 09:15 on 1 December 2026.")
    assert (too_soon.digests_sent, in_time.digests_sent, in_time.failures) == (0, 1, [])
    [mail] = smtp.handler.received
    assert mail.to == ["rae@council.example"] and f"{BASE}/actions/" in mail.text
    digest = digest_of(person)
    assert (digest.status, digest.attempts, digest.sent_at) == (
        DeliveryStatus.SENT,
        2,
        NOW + timedelta(minutes=15),
    )


def test_a_wrong_password_backs_off_15_minutes_1_4_and_12_hours_then_gives_up(app, monkeypatch, smtp):
    person = with_overdue_action("Pat Password", "pat@council.example")
    configure(app, monkeypatch, smtp.settings(TRACKER_SMTP_PASSWORD="wrong"))

    waits, at = [], NOW
    for _ in range(5):
        [failure] = send_reminders(TUESDAY, at).failures
        assert failure.reason.startswith("the mail server refused the user name or password: 535")
        if failure.retry_at is None:
            break
        waits.append(failure.retry_at - at)
        at = failure.retry_at

    assert waits == [timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4), timedelta(hours=12)]
    digest = digest_of(person)
    assert (digest.status, digest.attempts, digest.next_attempt_at) == (DeliveryStatus.GIVEN_UP, 5, None)
    assert send_reminders(TUESDAY, at + timedelta(days=1)).failures == []  # given up: not tried again
    verbs = db.session.scalars(sa.select(AuditEvent.verb).order_by(AuditEvent.id)).all()
    assert verbs == ["reminder.failed"] * 4 + ["reminder.given_up"]
    assert smtp.handler.received == []


def test_the_command_sends_and_says_so_in_one_line(app, monkeypatch, smtp, http_server):
    monkeypatch.setitem(app.config, "TRACKER_REMINDER_HOUR", "0")
    with_overdue_action("Una One", "una@council.example")
    with_overdue_action("Tia Two", "tia@council.example")
    db.session.add(TeamsChannel(name="Partnership", webhook_url=f"{http_server.url}/hook"))
    db.session.commit()

    dry = run_command(app, "--dry-run", "--as-of", TUESDAY.isoformat())
    sent = run_command(app, "--as-of", TUESDAY.isoformat())
    again = run_command(app, "--as-of", TUESDAY.isoformat())

    assert dry.exit_code == 0
    lines = dry.output.splitlines()
    assert lines[0] == "Would email Una One <una@council.example>: Overdue actions (1)"
    assert lines[1].startswith("    A") and lines[1].endswith(": Una One's action")
    assert lines[2] == "Would email Tia Two <tia@council.example>: Overdue actions (1)"
    assert lines[4:] == [
        f"Would post to the Teams channel Partnership ({http_server.url}/…hook): 2 overdue and 0 due soon",
        "Dry run: nothing was sent or recorded.",
    ]
    assert (sent.exit_code, sent.output) == (0, "Sent 2 digests and 1 Teams summary.\n")
    assert (again.exit_code, again.output) == (0, "Sent 0 digests and 0 Teams summaries.\n")
    assert len(smtp.handler.received) == 2 and len(http_server.requests) == 1


@pytest.mark.parametrize(
    "settings, args, says",
    [
        ({}, ["--as-of", "2026-02-30"], "Error: --as-of must be a real date written as year-month-day"),
        ({}, ["--as-of", "2999-01-01"], "Error: --as-of must be today or in the past."),
        ({"TRACKER_REMINDER_TRANSPORT": ""}, [], "Error: Reminders are off: set TRACKER_REMINDER_TRANSPORT"),
        ({"TRACKER_BASE_URL": ""}, [], "Error: TRACKER_BASE_URL is not set"),
        ({"TRACKER_BASE_URL": "tracker.example"}, [], "Error: TRACKER_BASE_URL must start with https://"),
        ({"TRACKER_REMINDER_HOUR": "25"}, [], "Error: TRACKER_REMINDER_HOUR must be an hour from 0 to 23"),
        ({"TRACKER_SMTP_HOST": ""}, [], "Error: TRACKER_SMTP_HOST is not set"),
    ],
)
def test_a_bad_date_or_setting_is_one_line_and_non_zero(app, monkeypatch, smtp, settings, args, says):
    configure(app, monkeypatch, smtp.settings(**settings))
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)

    result = run_command(app, *args)

    assert result.exit_code != 0
    assert result.output.startswith(says) and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_two_runs_at_once_send_every_message_exactly_once(app, smtp, http_server):
    people = [with_overdue_action(f"Person {n}", f"person{n}@council.example") for n in range(12)]
    db.session.add(TeamsChannel(name="Partnership", webhook_url=f"{http_server.url}/hook"))
    db.session.commit()
    start, summaries, errors = threading.Barrier(2), [], []

    def run() -> None:
        with app.app_context():  # its own session and connection
            try:
                start.wait()
                summaries.append(send_reminders(TUESDAY, NOW))
            except Exception as error:  # reported below, with the test's own failure
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(summary.digests_sent for summary in summaries) == 12
    assert sum(summary.teams_sent for summary in summaries) == 1
    assert not any(summary.failures for summary in summaries)
    received = sorted(address for mail in smtp.handler.received for address in mail.to)
    assert received == sorted(person.email for person in people)
    assert len(http_server.requests) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderDigest)) == 12


class Killed(BaseException):
    """The process ends mid-send (a deploy, the out-of-memory killer): nothing after the claim runs."""


def dies(*_args) -> None:
    raise Killed


def test_a_digest_and_a_teams_post_left_sending_by_a_run_that_stopped_are_reported_once_and_never_sent_again(
    app, monkeypatch, smtp, http_server
):
    person = with_overdue_action("Sid Stuck", "sid@council.example")
    db.session.add(TeamsChannel(name="Partnership", webhook_url=f"{http_server.url}/hook"))
    db.session.commit()
    version = audit.data_version()
    with monkeypatch.context() as dying:
        dying.setattr(SmtpTransport, "send", dies)
        with pytest.raises(Killed):
            send_reminders(TUESDAY, NOW)  # dies sending the digest, after claiming it
        db.session.rollback()
        dying.setattr("tracker.reminders.jobs.post_to_teams", dies)
        with pytest.raises(Killed):
            send_reminders(TUESDAY, NOW)  # the next run skips the digest and dies posting to Teams
        db.session.rollback()

    soon = send_reminders(TUESDAY, NOW + timedelta(minutes=59))
    late = send_reminders(TUESDAY, NOW + timedelta(hours=1))
    later = send_reminders(TUESDAY, NOW + timedelta(hours=2))
    next_day = send_reminders(TUESDAY + timedelta(days=1), NOW + timedelta(days=1))

    assert (soon.stuck, soon.failures, soon.digests_sent, soon.teams_sent) == ([], [], 0, 0)
    assert [describe_stuck(stuck) for stuck in late.stuck] == [
        "The digest to Sid Stuck <sid@council.example> may not have been sent: the job stopped while sending "
        "it at 09:00 on 1 December 2026, before it could record whether it went; it is not sent again.",
        "The Teams summary to Partnership may not have been sent: the job stopped while sending it at 09:00 "
        "on 1 December 2026, before it could record whether it went; it is not sent again.",
    ]
    assert later.stuck == [] and later.failures == []  # counted once, by the run that found it
    # what the stuck digest told counts as told: the next day's digest does not tell it again
    assert (next_day.digests_sent, next_day.stuck) == (0, [])
    assert smtp.handler.received == [] and len(http_server.requests) == 1  # the next day's Teams summary
    assert digest_of(person).status is DeliveryStatus.STUCK
    assert db.session.scalars(sa.select(TeamsPost.status).where(TeamsPost.day == TUESDAY)).one() is (
        DeliveryStatus.STUCK
    )
    verbs = db.session.scalars(sa.select(AuditEvent.verb).order_by(AuditEvent.id)).all()
    assert verbs == ["reminder.stuck", "teams_summary.stuck", "teams_summary.sent"]
    assert audit.data_version() == version  # what people were told, not the plan's data


def test_a_failed_digest_retried_by_a_run_that_stopped_is_stuck_an_hour_after_the_retry(
    app, monkeypatch, smtp
):
    person = with_overdue_action("Rik Retry", "rik@council.example")
    configure(app, monkeypatch, smtp.settings(TRACKER_SMTP_HOST="mail.host.invalid"))
    send_reminders(TUESDAY, NOW)  # fails: tried again from 09:15
    configure(app, monkeypatch, smtp.settings())
    retried = NOW + timedelta(hours=3)
    with monkeypatch.context() as dying:
        dying.setattr(SmtpTransport, "send", dies)
        with pytest.raises(Killed):
            send_reminders(TUESDAY, retried)
        db.session.rollback()

    assert send_reminders(TUESDAY, retried + timedelta(minutes=59)).stuck == []  # 4 hours after it was made
    [stuck] = send_reminders(TUESDAY, retried + timedelta(hours=1)).stuck
    assert stuck.claimed_at == retried
    assert digest_of(person).status is DeliveryStatus.STUCK and smtp.handler.received == []


def test_the_command_counts_what_it_found_stuck_in_its_summary_and_exits_non_zero(app, monkeypatch, smtp):
    monkeypatch.setitem(app.config, "TRACKER_REMINDER_HOUR", "0")
    person = factories.UserFactory(name="Ola Old", email="ola@council.example")
    yesterday = TUESDAY - timedelta(days=1)
    db.session.add(
        ReminderDigest(
            user_id=person.id,
            day=yesterday,
            transport="smtp",
            to_address=person.email,
            status=DeliveryStatus.SENDING,
            claimed_at=at(yesterday, 9, 5),
        )
    )
    db.session.commit()

    dry = run_command(app, "--dry-run", "--as-of", TUESDAY.isoformat())
    result = run_command(app, "--as-of", TUESDAY.isoformat())
    again = run_command(app, "--as-of", TUESDAY.isoformat())

    assert dry.exit_code == 0
    assert dry.output.splitlines()[0].startswith(
        "Would mark as stuck: The digest to Ola Old <ola@council.example> may not have been sent"
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "The digest to Ola Old <ola@council.example> may not have been sent: the job stopped while sending "
        "it at 09:05 on 30 November 2026, before it could record whether it went; it is not sent again.",
        "Sent 0 digests and 0 Teams summaries; 1 stuck: may not have been sent (see Reminder problems).",
    ]
    assert (again.exit_code, again.output) == (0, "Sent 0 digests and 0 Teams summaries.\n")
