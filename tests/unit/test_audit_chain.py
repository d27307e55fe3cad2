"""The audit log is a hash chain: editing, removing or inserting an event directly in the database is caught,
and `flask audit verify` names the first event that was touched."""

import threading

import sqlalchemy as sa

from tests import factories
from tracker import audit
from tracker.audit import GENESIS, AuditChainHead, AuditEvent, verify_chain
from tracker.auth.services import create_user
from tracker.extensions import db
from tracker.models import Role

PASSWORD = "a-long-passphrase-1"


def _write_events(count: int = 5) -> list[int]:
    """Real changes through the services, each writing its audit event."""
    admin = create_user(None, "chain.admin@council.example", "Chain Admin", Role.ADMIN, PASSWORD)
    for number in range(count - 1):
        create_user(admin, f"person{number}@council.example", f"Person {number}", Role.VIEWER, PASSWORD)
    return list(db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)))


def _run(statement: str, **values) -> None:
    """Change the database behind the service's back, as someone with database access could."""
    db.session.execute(sa.text(statement), values)
    db.session.commit()


def test_events_written_through_the_services_form_one_whole_chain():
    ids = _write_events(5)
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    assert [event.id for event in events] == ids and [event.chain_seq for event in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    head = db.session.get(AuditChainHead, 1)
    assert (head.last_seq, head.last_hash) == (5, events[-1].hash)
    report = verify_chain()
    assert report.whole and report.checked == 5 and report.head_hash == events[-1].hash


def test_events_dated_in_the_past_join_the_chain_in_the_order_they_were_written():
    from datetime import datetime, timezone

    admin = create_user(None, "chain.admin@council.example", "Chain Admin", Role.ADMIN, PASSWORD)
    later, earlier = datetime(2026, 3, 1, 12, tzinfo=timezone.utc), datetime(2025, 12, 1, 12, tzinfo=timezone.utc)
    audit.record(admin, "user.updated", admin, after={"name": "Later"}, at=later)
    audit.record(admin, "user.updated", admin, after={"name": "Earlier"}, at=earlier)
    db.session.commit()
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    assert [event.occurred_at for event in events[1:]] == [later, earlier]  # written order, not time order
    assert [event.chain_seq for event in events] == [1, 2, 3]
    assert verify_chain().whole
    _run("UPDATE audit_event SET occurred_at = :moment WHERE id = :id", moment=datetime(2026, 3, 2, 12), id=events[1].id)
    assert verify_chain().problem.endswith("was changed after it was written")  # the time is part of the fingerprint


def test_an_edited_event_is_caught_and_named(runner):
    ids = _write_events(5)
    _run("UPDATE audit_event SET actor_label = 'someone else' WHERE id = :id", id=ids[2])
    report = verify_chain()
    assert not report.whole and report.checked == 2
    assert report.problem == f"event {ids[2]} (number 3 in the chain, user.created) was changed after it was written"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: The audit log has been altered after 2 whole events: event {ids[2]} "
                                     "(number 3 in the chain, user.created) was changed after it was written.")


def test_an_edited_value_inside_before_or_after_is_caught():
    ids = _write_events(3)
    _run("UPDATE audit_event SET after = :after WHERE id = :id", id=ids[1],
         after='{"email": "person0@council.example", "name": "Person 0", "role": "leader"}')
    assert f"event {ids[1]} " in verify_chain().problem


def test_a_removed_event_is_caught_and_named():
    ids = _write_events(5)
    _run("DELETE FROM audit_event WHERE id = :id", id=ids[1])
    report = verify_chain()
    assert report.problem == (f"event {ids[2]} (number 3 in the chain, user.created) follows number 1: "
                              "1 event(s) before it were removed")


def test_removing_the_last_events_is_caught_by_the_head():
    ids = _write_events(5)
    _run("DELETE FROM audit_event WHERE id >= :id", id=ids[3])
    report = verify_chain()
    assert report.checked == 3
    assert report.problem == "the chain ends at number 3 but its head records number 5: the last 2 event(s) were removed"


def test_an_inserted_event_is_caught_and_named(runner):
    _write_events(3)
    _run("INSERT INTO audit_event (id, occurred_at, actor_label, verb, entity_type) "
         "VALUES (999, '2026-01-01 09:00:00', 'intruder', 'action.updated', 'action')")
    assert verify_chain().problem == "event 999 is not in the chain: it was inserted outside the service"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "event 999 is not in the chain" in result.output


def test_an_inserted_event_given_a_place_in_the_chain_is_caught():
    ids = _write_events(3)
    last = db.session.get(AuditEvent, ids[-1])
    _run("INSERT INTO audit_event (id, occurred_at, actor_label, verb, entity_type, chain_seq, prev_hash, hash) "
         "VALUES (999, '2026-01-01 09:00:00', 'intruder', 'action.updated', 'action', 4, :prev, :forged)",
         prev=last.hash, forged="f" * 64)
    assert verify_chain().problem == "event 999 (number 4 in the chain, action.updated) was changed after it was written"


def test_an_event_slipped_between_two_others_is_caught():
    ids = _write_events(4)
    _run("UPDATE audit_event SET chain_seq = chain_seq + 10 WHERE chain_seq >= 3")
    second = db.session.get(AuditEvent, ids[1])
    fake = {"id": 999, "occurred_at": second.occurred_at, "actor_id": None, "actor_label": "intruder",
            "verb": "action.updated", "entity_type": "action", "entity_id": 1, "before": None, "after": None}
    _run("INSERT INTO audit_event (id, occurred_at, actor_label, verb, entity_type, entity_id, chain_seq, prev_hash, hash) "
         "VALUES (999, :at, 'intruder', 'action.updated', 'action', 1, 3, :prev, :digest)",
         at=second.occurred_at.replace(tzinfo=None), prev=second.hash, digest=audit.chain_digest(fake, 3, second.hash))
    report = verify_chain()
    assert not report.whole and report.checked == 3  # the forged third is well formed; what follows it is not


def test_the_cli_says_the_log_is_whole(runner):
    _write_events(3)
    result = runner.invoke(args=["audit", "verify"])
    head = db.session.get(AuditChainHead, 1)
    assert result.exit_code == 0
    assert result.output.strip() == f"The audit log is whole: 3 events, the last fingerprint {head.last_hash}."


def test_events_of_a_rolled_back_change_never_join_the_chain():
    _write_events(2)
    theme = factories.ThemeFactory()
    audit.record(None, "theme.updated", theme, before={"name": "a"}, after={"name": "b"})
    db.session.rollback()
    create_user(None, "later@council.example", "Later", Role.VIEWER, PASSWORD)
    report = verify_chain()
    assert report.whole and report.checked == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3


def test_changes_committed_at_the_same_time_join_the_chain_one_after_another(app):
    """Eight threads, each with its own database session, committing at once: no two chain from the same event."""
    _write_events(1)
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for round_ in range(3):
                    create_user(None, f"t{number}r{round_}@council.example", f"Thread {number}", Role.VIEWER, PASSWORD)
                db.session.remove()
        except BaseException as error:  # reported below, so a failure in a thread fails the test
            failures.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = verify_chain()
    assert report.whole and report.checked == 1 + 8 * 3
