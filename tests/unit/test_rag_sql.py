"""The action list filters, sorts and counts by RAG in the database:
it must agree with the rules in rag.py."""

import random
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.plan.models import Action, ActionStatus, ProgressUpdate, reference_key
from tracker.plan.queries import ActionFilters, last_update_column, list_actions, rag_column
from tracker.plan.rag import Rag
from tracker.plan.services import rag_of, stale_after_days

TODAY = date(2026, 6, 15)


def _random_action(rng: random.Random, owner, finding, number: int) -> Action:
    start = rng.choice([None, TODAY - timedelta(days=rng.randint(-60, 400))])
    due = (start or TODAY) + timedelta(days=rng.randint(-30, 400))
    action = Action(
        reference=f"R{number}",
        title=f"Action {number}",
        owner=owner,
        partner=finding.accountable_partner,
        start_date=start,
        due_date=due,
        status=rng.choice(list(ActionStatus)),
        percent_complete=rng.randint(0, 100),
        revised_due_date=rng.choice([None, None, due + timedelta(days=rng.randint(-20, 90))]),
        created_at=datetime(2025, 1, 1, tzinfo=timezone.utc)
        + timedelta(days=rng.randint(0, 520), hours=rng.randint(0, 23)),
        findings=[finding],
    )
    if rng.random() < 0.1:
        action.rag_override, action.rag_override_reason = rng.choice(list(Rag)).value, "Agreed at the board"
    db.session.add(action)
    if rng.random() < 0.7:
        db.session.add(
            ProgressUpdate(
                action=action,
                author=owner,
                written_on=TODAY - timedelta(days=rng.randint(0, 90)),
                body="Update",
                percent_complete=action.percent_complete,
                status=action.status,
            )
        )
    return action


def test_the_colour_in_sql_is_the_colour_of_the_rules_for_every_kind_of_action():
    """Hundreds of random actions, judged on several days near their boundaries:
    SQL and Python never disagree."""
    rng, owner, finding = random.Random(7), factories.UserFactory(), factories.FindingFactory()
    for number in range(400):
        _random_action(rng, owner, finding, number)
    # exact half-points of schedule, where Python rounds to even: 50% through, 37 or 38 percent complete
    for number, percent in enumerate([14, 15, 24, 25, 38, 39, 40], start=1000):
        db.session.add(
            Action(
                reference=f"H{number}",
                title="Half",
                owner=owner,
                partner=finding.accountable_partner,
                start_date=TODAY - timedelta(days=50),
                due_date=TODAY + timedelta(days=150),
                status=ActionStatus.IN_PROGRESS,
                percent_complete=percent,
                findings=[finding],
            )
        )
    db.session.commit()
    actions = db.session.scalars(sa.select(Action)).all()
    for on in [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=30), TODAY - timedelta(days=45)]:
        last_update = last_update_column()
        in_sql = dict(
            db.session.execute(sa.select(Action.id, rag_column(last_update, on, stale_after_days()))).all()
        )
        latest = dict(db.session.execute(sa.select(Action.id, last_update)).all())
        for action in actions:
            expected = rag_of(action, latest[action.id], on).colour
            assert in_sql[action.id] == (expected.value if expected else None), (action.reference, on)


def test_the_list_filters_by_rag_and_pages_in_the_database():
    rng, owner, finding = random.Random(3), factories.UserFactory(), factories.FindingFactory()
    for number in range(60):
        _random_action(rng, owner, finding, number)
    db.session.commit()
    everything = list_actions(ActionFilters(), per_page=1000, on=TODAY).rows
    for colour in Rag:
        wanted = sorted(row.action.reference for row in everything if row.rag.colour is colour)
        page = list_actions(ActionFilters(rag=colour, sort="reference"), per_page=10, on=TODAY)
        assert page.total == len(wanted)
        assert [row.action.reference for row in page.rows] == sorted(wanted, key=reference_key)[:10]
        assert all(row.rag.colour is colour for row in page.rows)


def test_sorting_by_rag_puts_red_first_and_a_page_past_the_end_shows_the_last():
    rng, owner, finding = random.Random(5), factories.UserFactory(), factories.FindingFactory()
    for number in range(30):
        _random_action(rng, owner, finding, number)
    db.session.commit()
    order = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, None: 3}
    rows = list_actions(ActionFilters(sort="rag"), per_page=100, on=TODAY).rows
    assert [order[row.rag.colour] for row in rows] == sorted(order[row.rag.colour] for row in rows)
    last = list_actions(ActionFilters(page=99), per_page=10, on=TODAY)
    assert last.page == 3 and len(last.rows) == 10


def test_references_sort_as_people_read_them():
    assert sorted(["A10", "A2", "AFI10-A1", "AFI2-A3", "a1"], key=reference_key) == [
        "a1",
        "A2",
        "A10",
        "AFI2-A3",
        "AFI10-A1",
    ]
