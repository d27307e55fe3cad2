"""`send_reminders` against a real SMTP server (aiosmtpd) and a local HTTP server for Teams and GOV.UK
Notify: every reason in issue 19 reaches its person once, grouped by kind in plain text and accessible
HTML with a link to each item; a second run sends nothing new; weekly choices wait for Monday and off is
never; restricted evidence and a request's wording are never in a message; Teams channels get their
partner's overdue and due-soon actions; past ten of a kind, the rest counted with a link to the page that
lists them all, and recorded as told; a dry run sends and writes nothing; before the digest hour only
retries run; the dashboard's data version does not move; and the job asks a fixed number of questions per
person, whatever their items."""

from datetime import timedelta

import lxml.html
import pytest
import sqlalchemy as sa

from bench.queries import count_queries
from tests import factories, reminder_servers
from tests.conftest import _empty_all_tables
from tests.reminder_plans import (
    BASE,
    CHILD,
    MONDAY,
    NOW,
    TUESDAY,
    at,
    configure,
    every_reason,
    restricted_evidence,
)
from tests.reminder_servers import NOTIFY_KEY
from tracker import audit
from tracker.audit import AuditEvent
from tracker.evidence.models import EvidenceStatus
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Partner
from tracker.reminders.jobs import send_reminders
from tracker.reminders.models import (
    DeliveryStatus,
    ReminderDigest,
    ReminderFrequency,
    ReminderKind,
    ReminderPreference,
    ReminderSent,
    TeamsChannel,
    TeamsPost,
)

WEBHOOK = "/workflows/5f1e/triggers/manual/paths/invoke"

smtp_server = reminder_servers.smtp_server  # fixtures: a real SMTP server, a recording HTTP server
http_server = reminder_servers.http_server


@pytest.fixture
def smtp(app, monkeypatch, smtp_server):
    configure(app, monkeypatch, smtp_server.settings())
    return smtp_server.handler


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def headings(html: str) -> tuple[list[str], list[str]]:
    page = lxml.html.fromstring(html)
    return [h.text_content() for h in page.iter("h1")], [h.text_content() for h in page.iter("h2")]


def links(html: str) -> dict[str, str]:
    return {a.text_content(): a.get("href") for a in lxml.html.fromstring(html).iter("a")}


def test_every_reason_reaches_its_person_once_grouped_by_kind_with_a_link_to_each_item(smtp):
    plan = every_reason()

    summary = send_reminders(TUESDAY, NOW)

    assert (summary.digests_sent, summary.failures) == (2, [])
    [mail] = smtp.to("sam.officer@council.example")
    assert mail.message["Subject"] == "10 things need your attention in the Inspection Readiness Tracker"
    h1, h2 = headings(mail.html)
    assert h1 == ["10 things need your attention"]
    assert h2 == [
        "Inspectors' requests due soon or overdue (2)",
        "Overdue actions (1)",
        "Actions due soon (3)",
        "Actions with no update for a while (1)",
        "Evidence returned to you (1)",
        "Evidence past its review-by date (1)",
        "Measures with no reading for their period (1)",
    ]
    page = lxml.html.fromstring(mail.html)
    assert page.get("lang") == "en" and not list(page.iter("img")) and not list(page.iter("table"))
    assert links(mail.html) == {
        "Request R1: Case sampling and tracking": f"{BASE}/requests/{plan.request_due.id}",
        "Request R2: Case sampling and tracking": f"{BASE}/requests/{plan.request_overdue.id}",
        "A0: Recruit two educational psychologists": f"{BASE}/actions/{plan.overdue.id}",
        "A1: Send the EHCP timeliness report": f"{BASE}/actions/{plan.due_1.id}",
        "A30: Publish the Local Offer refresh": f"{BASE}/actions/{plan.due_30.id}",
        "A7: Agree the joint commissioning plan": f"{BASE}/actions/{plan.due_7.id}",
        "AS: Review the SEND ranges": f"{BASE}/actions/{plan.stale.id}",
        "Parent carer forum minutes": f"{BASE}/evidence/{plan.returned.id}",
        "Joint commissioning strategy": f"{BASE}/evidence/{plan.past_review.id}",
        "EHC plans issued within 20 weeks": f"{BASE}/measures/{plan.measure_id}",
        "Choose how often you hear about each kind": f"{BASE}/account/reminders",
    }
    text = mail.text
    assert text.startswith("Hello Sam Officer,\n\n10 things need your attention in the Inspection Readiness")
    assert "Overdue actions (1)\n\n- A0: Recruit two educational psychologists\n  Overdue: it was due" in text
    assert f"  {BASE}/actions/{plan.overdue.id}\n" in text
    for why in ("Due in 30 days", "Due in 7 days", "Due in 1 day,", "No progress update yet"):
        assert why in text
    assert "Returned to you for changes" in text and "Past its review-by date, 30 November 2026" in text
    assert f"your reminder settings: {BASE}/account/reminders" in text

    [leaders] = smtp.to("lee.leader@council.example")
    assert leaders.message["Subject"] == "1 thing needs your attention in the Inspection Readiness Tracker"
    assert headings(leaders.html)[1] == ["Evidence waiting for review (1)"]
    assert links(leaders.html)["Annual review audit"] == f"{BASE}/evidence/{plan.waiting.id}"
    assert not smtp.to("ada@council.example")  # administrators hold no plan work

    digest = db.session.scalars(
        sa.select(ReminderDigest).where(ReminderDigest.user_id == plan.officer.id)
    ).one()
    assert (digest.status, digest.attempts, digest.sent_at) == (DeliveryStatus.SENT, 1, NOW)
    assert count(ReminderSent) == 11


def test_a_second_run_sends_nothing_new_and_news_is_told_when_it_changes(app, smtp):
    plan = every_reason()
    send_reminders(TUESDAY, NOW)

    again = send_reminders(TUESDAY, NOW + timedelta(minutes=15))
    monday = TUESDAY + timedelta(days=6)
    next_week = send_reminders(monday, at(monday))

    assert (again.digests_sent, again.failures, next_week.failures) == (0, [], [])
    officer = smtp.to("sam.officer@council.example")
    assert len(officer) == 2 and len(smtp.received) == 3
    # six days on, only what became news: R1 and A1 now overdue, A7 due within a day. A0 is still overdue,
    # A30 still within 30 days, the evidence, the measure and the stale action as they were: not told again
    h1, h2 = headings(officer[1].html)
    assert h2 == [
        "Inspectors' requests due soon or overdue (1)",
        "Overdue actions (1)",
        "Actions due soon (1)",
    ]
    assert set(links(officer[1].html)) == {
        "Request R1: Case sampling and tracking",
        "A1: Send the EHCP timeliness report",
        "A7: Agree the joint commissioning plan",
        "Choose how often you hear about each kind",
    }
    assert "Due in 1 day, on 8 December 2026." in officer[1].text
    assert plan.due_7.title in officer[1].text


def test_past_ten_of_a_kind_the_rest_are_counted_with_a_link_to_them_all_and_recorded_as_told(smtp):
    leader = factories.UserFactory(name="Lee Leader", email="lee.leader@council.example", role=Role.LEADER)
    waiting = [factories.EvidenceFactory(title=f"Audit {n:02}") for n in range(1, 14)]
    overdue = [
        factories.ActionFactory(
            owner=leader, reference=f"K{n:02}", title="Step", due_date=TUESDAY - timedelta(1)
        )
        for n in range(1, 11)
    ]
    past_review = [
        factories.EvidenceFactory(
            title=f"Policy {n:02}",
            uploaded_by=leader,
            status=EvidenceStatus.ACCEPTED,
            review_by=TUESDAY - timedelta(1),
        )
        for n in range(1, 12)
    ]

    planned = send_reminders(TUESDAY, NOW, dry_run=True).planned
    send_reminders(TUESDAY, NOW)
    again = send_reminders(TUESDAY + timedelta(days=1), at(TUESDAY + timedelta(days=1)))

    assert planned[0] == (
        "Would email Lee Leader <lee.leader@council.example>: "
        "Overdue actions (10), Evidence waiting for review (13), Evidence past its review-by date (11)"
    )
    assert planned[20:22] == ["    Audit 10", "    and 3 more"] and planned[-1] == "    and 1 more"
    [mail] = smtp.to("lee.leader@council.example")
    assert mail.message["Subject"] == "34 things need your attention in the Inspection Readiness Tracker"
    assert headings(mail.html)[1] == [
        "Overdue actions (10)",
        "Evidence waiting for review (13)",
        "Evidence past its review-by date (11)",
    ]
    assert (
        links(mail.html)
        == {
            **{f"K{n:02}: Step": f"{BASE}/actions/{action.id}" for n, action in enumerate(overdue, 1)},
            **{item.title: f"{BASE}/evidence/{item.id}" for item in waiting[:10]},
            "and 3 more": f"{BASE}/evidence/review",  # ten overdue actions: all named, no such line
            **{item.title: f"{BASE}/evidence/{item.id}" for item in past_review[:10]},
            "and 1 more": f"{BASE}/evidence/mine?status=accepted&expired=1",  # My evidence, just those
            "Choose how often you hear about each kind": f"{BASE}/account/reminders",
        }
    )
    text = mail.text
    assert "Evidence waiting for review (13)\n\n- Audit 01\n" in text
    assert (
        f"- Audit 10\n  Waiting for your review.\n  {BASE}/evidence/{waiting[9].id}\n\nand 3 more: " in text
    )
    assert f"and 3 more: {BASE}/evidence/review\n" in text
    assert f"and 1 more: {BASE}/evidence/mine?status=accepted&expired=1\n" in text
    assert text.count(" more") == 2 and "Audit 11" not in text + mail.html and "Policy 11" not in text
    # every item is recorded as told, named or counted: the four counted are not sent the next day either
    assert count(ReminderSent) == 34 and again.digests_sent == 0


def test_weekly_kinds_wait_for_monday_and_off_is_never_sent(smtp):
    plan = every_reason(on=MONDAY, now=at(MONDAY))
    for kind, frequency in (
        (ReminderKind.OVERDUE, ReminderFrequency.WEEKLY),
        (ReminderKind.DUE_SOON, ReminderFrequency.WEEKLY),
        (ReminderKind.STALE, ReminderFrequency.OFF),
        (ReminderKind.MEASURE_NO_READING, ReminderFrequency.DAILY),
    ):
        db.session.add(ReminderPreference(user_id=plan.officer.id, kind=kind, frequency=frequency))
    db.session.commit()

    send_reminders(MONDAY - timedelta(days=1), at(MONDAY - timedelta(days=1)))  # a Sunday
    send_reminders(MONDAY, at(MONDAY))

    sunday, monday = smtp.to("sam.officer@council.example")
    sunday_kinds = headings(sunday.html)[1]
    assert not any(
        kind.startswith(("Overdue", "Actions due soon", "Actions with no")) for kind in sunday_kinds
    )
    assert "Measures with no reading for their period (1)" in sunday_kinds
    about_actions = [kind for kind in headings(monday.html)[1] if "action" in kind.lower()]
    assert about_actions == ["Overdue actions (1)", "Actions due soon (3)"]
    assert "Review the SEND ranges" not in sunday.text + monday.text  # stale: off


def test_restricted_evidence_and_a_requests_wording_are_never_in_a_message(
    app, monkeypatch, smtp, http_server
):
    plan = every_reason()
    returned = restricted_evidence(plan.officer, status=EvidenceStatus.RETURNED, reviewed_at=NOW)
    waiting = restricted_evidence(plan.officer)
    db.session.add(TeamsChannel(name="SEND partnership", webhook_url=http_server.url + WEBHOOK))
    db.session.commit()

    send_reminders(TUESDAY, NOW)

    [officer] = smtp.to("sam.officer@council.example")
    [leader] = smtp.to("lee.leader@council.example")
    assert f"A restricted evidence item (E{returned.id})" in officer.text
    assert (
        links(officer.html)[f"A restricted evidence item (E{returned.id})"]
        == f"{BASE}/evidence/{returned.id}"
    )
    assert f"A restricted evidence item (E{waiting.id})" in leader.text
    [teams] = http_server.requests
    for message in (officer.message.as_string(), leader.message.as_string(), teams.body.decode()):
        assert CHILD not in message and "case file" not in message.lower()
    stored = db.session.scalars(sa.select(ReminderDigest.text_body + ReminderDigest.html_body)).all()
    assert not any(CHILD in body for body in stored)


def test_teams_channels_get_their_partners_overdue_and_due_soon_actions_once_a_day(smtp, http_server):
    lead, nurse = factories.UserFactory(name="Priya Shah"), factories.UserFactory(name="Tom Reed")
    late = TUESDAY - timedelta(days=2)
    council = factories.ActionFactory(
        owner=lead, reference="C1", title="Publish [the] *offer*", due_date=late
    )
    icb = factories.ActionFactory(
        owner=nurse,
        reference="H1",
        title="Therapy waits",
        partner=Partner.ICB,
        due_date=TUESDAY + timedelta(7),
    )
    shared = factories.ActionFactory(
        owner=nurse, reference="B1", title="Joint panel", partner=Partner.BOTH, due_date=late
    )
    factories.ActionFactory(owner=lead, reference="F1", title="Far off", due_date=TUESDAY + timedelta(90))
    for name, partner in (("Council", Partner.COUNCIL), ("ICB", Partner.ICB), ("All", None)):
        db.session.add(TeamsChannel(name=name, partner=partner, webhook_url=f"{http_server.url}/{name}/hook"))
    db.session.add(TeamsChannel(name="Other", partner=Partner.OTHER, webhook_url=f"{http_server.url}/x/hook"))
    db.session.add(TeamsChannel(name="Old", webhook_url=f"{http_server.url}/Old/hook", active=False))
    db.session.commit()

    first = send_reminders(TUESDAY, NOW)
    again = send_reminders(TUESDAY, NOW + timedelta(minutes=15))

    assert (first.teams_sent, again.teams_sent, first.failures) == (3, 0, [])
    assert sorted(request.path for request in http_server.requests) == [
        "/All/hook",
        "/Council/hook",
        "/ICB/hook",
    ]

    def card(name):
        [request] = http_server.to(f"/{name}/hook")
        message = request.json
        assert message["type"] == "message"
        [attachment] = message["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert attachment["content"]["type"] == "AdaptiveCard" and attachment["content"]["version"] == "1.4"
        return [block["text"] for block in attachment["content"]["body"]]

    assert card("Council") == [
        "2 overdue and 0 due soon: 1 December 2026",
        "Actions for Council",
        "Overdue actions (2)",
        f"[B1: Joint panel]({BASE}/actions/{shared.id})  \nTom Reed: Overdue: it was due 29 November 2026.",
        f"[C1: Publish \\[the\\] \\*offer\\*]({BASE}/actions/{council.id})  \n"
        "Priya Shah: Overdue: it was due 29 November 2026.",
    ]
    assert card("ICB")[0] == "1 overdue and 1 due soon: 1 December 2026"
    assert (
        f"[H1: Therapy waits]({BASE}/actions/{icb.id})  \nTom Reed: Due in 7 days, on 8 December 2026."
        in card("ICB")
    )
    assert card("All")[0] == "2 overdue and 1 due soon: 1 December 2026"
    assert not any("Far off" in block for block in card("All"))
    assert count(TeamsPost) == 3


def test_a_dry_run_says_who_would_get_what_and_sends_and_writes_nothing(smtp, http_server):
    plan = every_reason()
    secret = http_server.url + WEBHOOK + "?sig=s3cr3t"
    returned = restricted_evidence(plan.officer, status=EvidenceStatus.RETURNED, reviewed_at=NOW)
    db.session.add(TeamsChannel(name="SEND partnership", webhook_url=secret))
    db.session.commit()

    summary = send_reminders(TUESDAY, NOW, dry_run=True)

    assert summary.planned[0] == (
        "Would email Sam Officer <sam.officer@council.example>: "
        "Inspectors' requests due soon or overdue (2), "
        "Overdue actions (1), Actions due soon (3), Actions with no update for a while (1), "
        "Evidence returned to you (2), Evidence past its review-by date (1), "
        "Measures with no reading for their period (1)"
    )
    assert "    Request R1: Case sampling and tracking" in summary.planned
    assert f"    A restricted evidence item (E{returned.id})" in summary.planned
    assert (
        "Would email Lee Leader <lee.leader@council.example>: Evidence waiting for review (1)"
        in summary.planned
    )
    assert summary.planned[-1] == (
        f"Would post to the Teams channel SEND partnership ({http_server.url}/…cr3t): "
        "1 overdue and 3 due soon"
    )
    everything = "\n".join(summary.planned)
    assert CHILD not in everything and "5f1e" not in everything and "s3cr3t" not in everything
    assert (smtp.received, http_server.requests) == ([], [])
    assert count(ReminderDigest) == count(ReminderSent) == count(TeamsPost) == count(AuditEvent) == 0


def test_before_the_digest_hour_nothing_new_is_sent(smtp):
    every_reason()

    early = send_reminders(TUESDAY, at(TUESDAY, 6, 59))
    on_time = send_reminders(TUESDAY, at(TUESDAY, 7, 0))

    assert (early.only_retries, early.digests_sent) == (True, 0)
    assert (on_time.only_retries, on_time.digests_sent) == (False, 2)


def test_notify_is_given_each_digest_with_its_subject_and_plain_text_body(app, monkeypatch, http_server):
    configure(
        app,
        monkeypatch,
        {
            "TRACKER_REMINDER_TRANSPORT": "notify",
            "TRACKER_NOTIFY_API_KEY": NOTIFY_KEY,
            "TRACKER_NOTIFY_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
            "TRACKER_NOTIFY_BASE_URL": http_server.url,
        },
    )
    http_server.answers["/v2/notifications/email"] = (201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a"})
    plan = every_reason()

    summary = send_reminders(TUESDAY, NOW)

    assert (summary.digests_sent, summary.failures) == (2, [])
    sent = {
        request.json["email_address"]: request.json for request in http_server.to("/v2/notifications/email")
    }
    officer = sent["sam.officer@council.example"]
    assert officer["personalisation"]["subject"] == (
        "10 things need your attention in the Inspection Readiness Tracker"
    )
    assert f"{BASE}/actions/{plan.overdue.id}" in officer["personalisation"]["body"]
    digest = db.session.scalars(
        sa.select(ReminderDigest).where(ReminderDigest.user_id == plan.officer.id)
    ).one()
    assert (officer["reference"], digest.transport) == (f"digest-{digest.id}", "notify")


def test_sending_is_audited_and_leaves_the_dashboards_data_version_where_it_was(smtp):
    plan = every_reason()
    audit.record(plan.leader, "action.created", plan.overdue)
    db.session.commit()
    before = audit.data_version()

    send_reminders(TUESDAY, NOW)

    assert audit.data_version() == before
    verbs = db.session.scalars(sa.select(AuditEvent.verb).where(AuditEvent.verb.like("reminder.%"))).all()
    assert verbs == ["reminder.sent", "reminder.sent"]


def people_with_overdue_actions(people: int, actions_each: int) -> None:
    for _ in range(people):
        owner = factories.UserFactory()
        for number in range(actions_each):
            factories.ActionFactory(owner=owner, due_date=TUESDAY - timedelta(days=number + 1))


def queries_for_a_run(people: int, actions_each: int, webhook: str | None = None) -> int:
    _empty_all_tables()
    people_with_overdue_actions(people, actions_each)
    if webhook:
        db.session.add(TeamsChannel(name="SEND partnership", webhook_url=webhook))
        db.session.commit()
    db.session.expire_all()
    with count_queries(db.engine) as counted:
        summary = send_reminders(TUESDAY, NOW)
    assert summary.digests_sent == people and len(summary.failures) == 0
    assert summary.teams_sent == (1 if webhook else 0)
    return counted.count


def test_a_run_asks_a_fixed_number_of_questions_per_person_whatever_their_items(smtp):
    two, two_busy = queries_for_a_run(2, 1), queries_for_a_run(2, 6)
    four, six = queries_for_a_run(4, 1), queries_for_a_run(6, 1)

    assert two_busy == two  # items do not add questions
    per_person = (four - two) // 2
    assert six - four == four - two == 2 * per_person  # each person adds the same few
    assert per_person <= 16


def test_the_teams_summary_asks_the_same_questions_however_many_people_it_names(smtp, http_server):
    two, six = queries_for_a_run(2, 1), queries_for_a_run(6, 1)
    two_posted = queries_for_a_run(2, 1, webhook=http_server.url + WEBHOOK)
    six_posted = queries_for_a_run(6, 1, webhook=http_server.url + WEBHOOK)

    assert six_posted - six == two_posted - two  # the summary adds the same few questions for 2 or 6 owners
    first, second = (request.json["attachments"][0]["content"] for request in http_server.to(WEBHOOK))
    assert first["body"][0]["text"].startswith("2 overdue")
    assert second["body"][0]["text"].startswith("6 overdue")
