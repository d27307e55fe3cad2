"""The Teams summaries tell a channel about every live open action of its partner that is overdue or due soon,
whoever owns it: an action whose owner was deactivated (the one a team should notice) or who is an
administrator is in the card, by the same rules as everyone's digest, while digests still go only to active
people who are not administrators. The job asks the same number of questions for the summaries however many
actions and owners there are."""

from datetime import timedelta

import pytest

from bench.queries import count_queries
from tests import factories, reminder_servers
from tests.conftest import _empty_all_tables
from tests.reminder_plans import BASE, NOW, TUESDAY, configure
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import ActionStatus, Partner
from tracker.reminders.jobs import send_reminders
from tracker.reminders.models import TeamsChannel

smtp_server = reminder_servers.smtp_server  # fixtures: a real SMTP server, a recording HTTP server
http_server = reminder_servers.http_server

LATE = TUESDAY - timedelta(days=2)


@pytest.fixture
def smtp(app, monkeypatch, smtp_server):
    configure(app, monkeypatch, smtp_server.settings())
    return smtp_server.handler


def card_lines(http_server, path: str) -> list[str]:
    [request] = http_server.to(path)
    [attachment] = request.json["attachments"]
    return [block["text"] for block in attachment["content"]["body"]]


def test_an_overdue_action_whose_owner_left_is_in_the_teams_summary_but_they_get_no_email(smtp, http_server):
    stays = factories.UserFactory(name="Priya Shah", email="priya.shah@council.example")
    left = factories.UserFactory(name="Kim Left", email="kim.left@council.example", active=False)
    admin = factories.UserFactory(name="Ada Admin", email="ada@council.example", role=Role.ADMIN)
    orphan = factories.ActionFactory(owner=left, reference="C2", title="Short breaks review", due_date=LATE)
    mine = factories.ActionFactory(owner=stays, reference="C1", title="Local Offer refresh", due_date=LATE)
    admins = factories.ActionFactory(
        owner=admin, reference="C3", title="Tracker training", due_date=TUESDAY + timedelta(days=7)
    )
    factories.ActionFactory(owner=left, reference="C4", title="Done already", due_date=LATE, archived_at=NOW)
    factories.ActionFactory(
        owner=left, reference="C5", title="Finished", due_date=LATE, status=ActionStatus.COMPLETE
    )
    factories.ActionFactory(
        owner=left, reference="H1", title="Therapy waits", partner=Partner.ICB, due_date=LATE
    )
    db.session.add(TeamsChannel(name="Council", partner=Partner.COUNCIL, webhook_url=f"{http_server.url}/c"))
    db.session.commit()

    summary = send_reminders(TUESDAY, NOW)

    assert (summary.digests_sent, summary.teams_sent, summary.failures) == (1, 1, [])
    assert card_lines(http_server, "/c") == [
        "2 overdue and 1 due soon: 1 December 2026",
        "Actions for Council",
        "Overdue actions (2)",
        f"[C1: Local Offer refresh]({BASE}/actions/{mine.id})  \n"
        "Priya Shah: Overdue: it was due 29 November 2026.",
        f"[C2: Short breaks review]({BASE}/actions/{orphan.id})  \n"
        "Kim Left \\(deactivated\\): Overdue: it was due 29 November 2026.",
        "Actions due soon (1)",
        f"[C3: Tracker training]({BASE}/actions/{admins.id})  \n"
        "Ada Admin: Due in 7 days, on 8 December 2026.",
    ]
    assert [mail.to for mail in smtp.received] == [["priya.shah@council.example"]]  # nobody else is emailed


def overdue_actions_of_people_who_left(owners: int, each: int) -> None:
    for _ in range(owners):
        owner = factories.UserFactory(active=False)
        for number in range(each):
            factories.ActionFactory(owner=owner, due_date=TUESDAY - timedelta(days=number + 1))


def queries_for_the_summaries(http_server, owners: int, each: int) -> int:
    _empty_all_tables()
    overdue_actions_of_people_who_left(owners, each)
    db.session.add(TeamsChannel(name="Everyone", webhook_url=f"{http_server.url}/everyone"))
    db.session.commit()
    db.session.expire_all()
    with count_queries(db.engine) as counted:
        summary = send_reminders(TUESDAY, NOW)
    assert (summary.digests_sent, summary.teams_sent, summary.failures) == (0, 1, [])
    assert (
        card_lines(http_server, "/everyone")[0] == f"{owners * each} overdue and 0 due soon: 1 December 2026"
    )
    http_server.requests.clear()
    return counted.count


def test_the_summaries_ask_the_same_questions_however_many_actions_and_owners(smtp, http_server):
    few = queries_for_the_summaries(http_server, 1, 1)
    assert queries_for_the_summaries(http_server, 5, 4) == few
