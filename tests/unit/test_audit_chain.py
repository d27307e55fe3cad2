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
    later, earlier = (
        datetime(2026, 3, 1, 12, tzinfo=timezone.utc),
        datetime(2025, 12, 1, 12, tzinfo=timezone.utc),
    )
    audit.record(admin, "user.updated", admin, after={"name": "Later"}, at=later)
    audit.record(admin, "user.updated", admin, after={"name": "Earlier"}, at=earlier)
    db.session.commit()
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    assert [event.occurred_at for event in events[1:]] == [later, earlier]  # written order, not time order
    assert [event.chain_seq for event in events] == [1, 2, 3]
    assert verify_chain().whole
    _run(
        "UPDATE audit_event SET occurred_at = :moment WHERE id = :id",
        moment=datetime(2026, 3, 2, 12),
        id=events[1].id,
    )
    assert verify_chain().problem.endswith(
        "was changed after it was written"
    )  # the time is part of the fingerprint


def test_an_edited_event_is_caught_and_named(runner):
    ids = _write_events(5)
    _run("UPDATE audit_event SET actor_label = 'someone else' WHERE id = :id", id=ids[2])
    report = verify_chain()
    assert not report.whole and report.checked == 2
    assert (
        report.problem
        == f"event {ids[2]} (number 3 in the chain, user.created) was changed after it was written"
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: The audit log has been altered after 2 whole events: event {ids[2]} "
        "(number 3 in the chain, user.created) was changed after it was written."
    )


def test_an_edited_value_inside_before_or_after_is_caught():
    ids = _write_events(3)
    _run(
        "UPDATE audit_event SET after = :after WHERE id = :id",
        id=ids[1],
        after='{"email": "person0@council.example", "name": "Person 0", "role": "leader"}',
    )
    assert f"event {ids[1]} " in verify_chain().problem


def test_a_removed_event_is_caught_and_named():
    ids = _write_events(5)
    _run("DELETE FROM audit_event WHERE id = :id", id=ids[1])
    report = verify_chain()
    assert report.problem == (
        f"event {ids[2]} (number 3 in the chain, user.created) follows number 1: "
        "1 event(s) before it were removed"
    )


def test_removing_the_last_events_is_caught_by_the_head():
    ids = _write_events(5)
    _run("DELETE FROM audit_event WHERE id >= :id", id=ids[3])
    report = verify_chain()
    assert report.checked == 3
    assert (
        report.problem
        == "the chain ends at number 3 but its head records number 5: the last 2 event(s) were removed"
    )


def test_an_inserted_event_is_caught_and_named(runner):
    _write_events(3)
    _run(
        "INSERT INTO audit_event (id, occurred_at, actor_label, verb, entity_type) "
        "VALUES (999, '2026-01-01 09:00:00', 'intruder', 'action.updated', 'action')"
    )
    assert verify_chain().problem == "event 999 is not in the chain: it was inserted outside the service"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "event 999 is not in the chain" in result.output


def test_an_inserted_event_given_a_place_in_the_chain_is_caught():
    ids = _write_events(3)
    last = db.session.get(AuditEvent, ids[-1])
    _run(
        "INSERT INTO audit_event (id, occurred_at, actor_label, verb, entity_type, chain_seq, prev_hash, "
        "hash) VALUES (999, '2026-01-01 09:00:00', 'intruder', 'action.updated', 'action', 4, "
        ":prev, :forged)",
        prev=last.hash,
        forged="f" * 64,
    )
    assert verify_chain().problem == (
        "event 999 (number 4 in the chain, action.updated) is in the unkeyed format 1 "
        "after keyed events began: it was written or rewritten without the audit key"
    )


def test_an_event_slipped_between_two_others_is_caught():
    ids = _write_events(4)
    _run("UPDATE audit_event SET chain_seq = chain_seq + 10 WHERE chain_seq >= 3")
    second = db.session.get(AuditEvent, ids[1])
    fake = {
        "id": 999,
        "occurred_at": second.occurred_at,
        "actor_id": None,
        "actor_label": "intruder",
        "verb": "action.updated",
        "entity_type": "action",
        "entity_id": 1,
        "before": None,
        "after": None,
    }
    _run(
        "INSERT INTO audit_event (id, occurred_at, actor_label, verb, entity_type, entity_id, chain_seq, "
        "prev_hash, hash) VALUES (999, :at, 'intruder', 'action.updated', 'action', 1, 3, :prev, :digest)",
        at=second.occurred_at.replace(tzinfo=None),
        prev=second.hash,
        digest=audit.chain_digest(fake, 3, second.hash),
    )
    report = verify_chain()
    assert (
        not report.whole and report.checked == 2
    )  # the forged third is in the unkeyed format, after keyed events
    assert report.problem.startswith(
        "event 999 (number 3 in the chain, action.updated) is in the unkeyed format 1"
    )


def test_the_cli_says_the_log_is_whole(runner):
    _write_events(3)
    result = runner.invoke(args=["audit", "verify"])
    head = db.session.get(AuditChainHead, 1)
    assert result.exit_code == 0
    assert (
        result.output.strip() == f"The audit log is whole: 3 events, the last fingerprint {head.last_hash}."
    )


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
    """Eight threads, each with its own database session, committing at once:
    no two chain from the same event."""
    _write_events(1)
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for round_ in range(3):
                    create_user(
                        None, f"t{number}r{round_}@council.example", f"Thread {number}", Role.VIEWER, PASSWORD
                    )
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


def test_the_very_first_events_written_by_two_transactions_at_once_both_join_the_chain(app):
    """Two threads, each with its own session, write the first audit events ever at the same moment, when the
    chain has no head row yet (a migrated database has one; the suite's emptied tables, like a database
    emptied by hand, do not): both changes are saved and the chain checks. On PostgreSQL each waits, once it
    has looked for the head and found none, for the other to have looked too, so both set out to start the
    chain (on SQLite the first to write holds the database's write lock until it commits)."""
    _run("DELETE FROM audit_chain_head")
    start, looked = threading.Barrier(2), threading.Barrier(2, timeout=20)
    this_thread = threading.local()
    failures: list[BaseException] = []

    def after_reading_the_head(_connection, _cursor, statement, *_args) -> None:
        reads_head = statement.lstrip().upper().startswith("SELECT") and "audit_chain_head" in statement
        if reads_head and not getattr(this_thread, "looked", False):
            this_thread.looked = True
            looked.wait()

    def write(number: int) -> None:
        try:
            with app.app_context():
                start.wait()
                create_user(None, f"first{number}@council.example", f"First {number}", Role.VIEWER, PASSWORD)
                db.session.remove()
        except BaseException as error:  # reported below, so a failure in a thread fails the test
            failures.append(error)

    on_postgresql = db.engine.dialect.name == "postgresql"
    if on_postgresql:
        sa.event.listen(db.engine, "after_cursor_execute", after_reading_the_head)
    try:
        threads = [threading.Thread(target=write, args=(number,)) for number in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        if on_postgresql:
            sa.event.remove(db.engine, "after_cursor_execute", after_reading_the_head)

    assert failures == []
    saved = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    emails = sorted(event.after["email"] for event in saved)
    assert emails == ["first0@council.example", "first1@council.example"]
    assert [event.chain_seq for event in saved] == [1, 2]
    report = verify_chain()
    assert report.whole and report.checked == 2


# The chain is keyed, and each event fingerprints the row it changed (issue 15, point 4) ---------------------


def _rewrite_as_format_1(from_seq: int = 1) -> None:
    """What someone with the database but not the key can do: rewrite every fingerprint from an event on with
    plain SHA-256 (format 1), consistently, and the head with them."""
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    previous = GENESIS
    for event in events:
        if event.chain_seq >= from_seq:
            digest = audit.chain_digest(
                {name: getattr(event, name) for name in audit.CHAINED_FIELDS}, event.chain_seq, previous
            )
            _run(
                "UPDATE audit_event SET chain_version = 1, key_id = NULL, row_hash = NULL, prev_hash = "
                ":prev, hash = :digest WHERE id = :id",
                prev=previous,
                digest=digest,
                id=event.id,
            )
            previous = digest
        else:
            previous = event.hash
    _run("UPDATE audit_chain_head SET last_hash = :last", last=previous)


def test_new_events_are_keyed_and_fingerprint_the_row_they_changed(app):
    ids = _write_events(2)
    event = db.session.get(AuditEvent, ids[1])
    key_id, key = next(iter(audit.audit_keys().items()))
    user_table = db.metadata.tables["user"]
    row = (
        db.session.execute(audit._stored(user_table).where(user_table.c.id == event.entity_id))
        .mappings()
        .one()
    )
    assert (event.chain_version, event.key_id) == (2, key_id)
    assert event.row_hash == audit.row_hash(user_table, row, key)
    assert event.hash != audit.chain_digest(
        {name: getattr(event, name) for name in audit.CHAINED_FIELDS}, event.chain_seq, event.prev_hash
    )  # not plain SHA-256


def test_an_edited_event_with_the_chain_rewritten_in_plain_sha256_is_caught(runner):
    ids = _write_events(4)
    _run("UPDATE audit_event SET actor_label = 'someone else' WHERE id = :id", id=ids[2])
    _rewrite_as_format_1(from_seq=3)
    assert verify_chain().problem == (
        f"event {ids[2]} (number 3 in the chain, user.created) is in the unkeyed format 1 "
        "after keyed events began: it was written or rewritten without the audit key"
    )
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_the_whole_chain_rewritten_in_plain_sha256_is_caught_by_the_keyed_head():
    ids = _write_events(4)
    _run("UPDATE audit_event SET actor_label = 'someone else' WHERE id = :id", id=ids[2])
    _rewrite_as_format_1(from_seq=1)
    report = verify_chain()
    assert report.checked == 4  # every event checks in format 1: only the key tells
    assert report.problem == (
        "the chain's head was not written with the audit key: the chain was rewritten by someone "
        "without the key, or TRACKER_AUDIT_KEY is not the key it was written with"
    )


def test_an_event_rehashed_in_plain_sha256_but_still_marked_keyed_is_caught():
    ids = _write_events(3)
    event = db.session.get(AuditEvent, ids[1])
    fields = {name: getattr(event, name) for name in audit.CHAINED_FIELDS} | {"actor_label": "someone else"}
    _run(
        "UPDATE audit_event SET actor_label = 'someone else', hash = :digest WHERE id = :id",
        id=ids[1],
        digest=audit.chain_digest(fields, event.chain_seq, event.prev_hash),
    )
    assert (
        verify_chain().problem
        == f"event {ids[1]} (number 2 in the chain, user.created) was changed after it was written"
    )


def test_a_wrong_key_is_caught_and_a_previous_key_still_verifies(app, runner):
    _write_events(3)
    written_with = next(iter(audit.audit_keys()))
    app.config["TRACKER_AUDIT_KEY"] = "a-new-key-after-rotation"
    try:
        report = verify_chain()
        assert report.checked == 0 and report.problem == (
            f"event 1 (number 1 in the chain, user.created) was written with audit key {written_with}, "
            "which is not configured: set TRACKER_AUDIT_KEY (or TRACKER_AUDIT_PREVIOUS_KEYS) to the key it "
            "was written with"
        )
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 1 and f"was written with audit key {written_with}" in result.output
        app.config["TRACKER_AUDIT_PREVIOUS_KEYS"] = app.config[
            "SECRET_KEY"
        ]  # the old key was derived from it
        create_user(None, "after.rotation@council.example", "After Rotation", Role.VIEWER, PASSWORD)
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
        assert events[-1].key_id != written_with and events[0].key_id == written_with
        assert verify_chain().whole
    finally:
        app.config["TRACKER_AUDIT_KEY"] = app.config["TRACKER_AUDIT_PREVIOUS_KEYS"] = ""


def test_events_written_in_format_1_before_the_upgrade_stay_verifiable_and_new_ones_follow_keyed():
    _write_events(3)
    _rewrite_as_format_1()  # as events written before the chain was keyed are stored
    key = next(iter(audit.audit_keys().values()))
    head = db.session.get(AuditChainHead, 1)
    _run(
        "UPDATE audit_chain_head SET mac = :mac", mac=audit.head_mac(key, head.last_seq, head.last_hash)
    )  # the migration
    assert verify_chain().whole
    create_user(None, "later@council.example", "Later", Role.VIEWER, PASSWORD)
    report = verify_chain()
    assert report.whole and report.checked == 4
    assert [
        event.chain_version
        for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.chain_seq))
    ] == [1, 1, 1, 2]


# audit verify --data: rows changed in the database behind the service ---------------------------------------


def _audited_action_and_evidence():
    """An action and two evidence items, each changed through the services so that
    their events fingerprint them."""
    from datetime import date

    from tracker.evidence.models import EvidenceKind, Sensitivity
    from tracker.evidence.services import EvidenceData, create_evidence, review_evidence
    from tracker.plan.models import ActionStatus
    from tracker.plan.rag import Rag
    from tracker.plan.services import add_progress_update, set_rag_override

    leader = create_user(None, "data.leader@council.example", "Data Leader", Role.LEADER, PASSWORD)
    finding = factories.FindingFactory()
    action = factories.ActionFactory(owner=leader, findings=[finding], title="Publish the local offer")
    audit.record(leader, "action.created", action, after={"title": action.title})
    db.session.commit()
    add_progress_update(leader, action, date(2026, 1, 5), "Drafted", 40, ActionStatus.IN_PROGRESS)
    set_rag_override(leader, action, Rag.AMBER, "Waiting on the parent carer forum")
    items = []
    for title, sensitivity in (
        ("Child J's plan review", Sensitivity.RESTRICTED),
        ("Board minutes", Sensitivity.INTERNAL),
    ):
        item = create_evidence(
            leader,
            EvidenceData(
                kind=EvidenceKind.NOTE,
                title=title,
                description="",
                url=None,
                note="Notes",
                source="",
                about_date=date(2026, 1, 2),
                review_by=None,
                sensitivity=sensitivity,
                finding_ids=[finding.id],
                action_ids=[],
            ),
        )
        items.append(item)
    review_evidence(leader, items[1], True, "Fine")
    return action, items


def test_rows_changed_through_the_services_match_the_audit_log(runner):
    _audited_action_and_evidence()
    report = audit.verify_data()
    assert report.whole and report.checked == 5  # the leader, the action, its update and two evidence items
    assert set(report.unrecorded) == {
        "theme",
        "inspection",
        "finding",
    }  # made by the factories, with no event
    result = runner.invoke(args=["audit", "verify", "--data"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "The data matches the audit log: 5 rows compared with their last event, in 12 tables.\n"
    )


def test_rows_edited_in_the_database_are_named_with_the_columns_that_differ(runner):
    action, (restricted, other) = _audited_action_and_evidence()
    _run("UPDATE evidence_item SET sensitivity = 'internal' WHERE id = :id", id=restricted.id)
    _run("UPDATE action SET title = 'Something else' WHERE id = :id", id=action.id)
    report = audit.verify_data()
    assert sorted(str(problem) for problem in report.problems) == [
        f"action {action.id}: changed since its last event: title",
        f"evidence_item {restricted.id}: changed since its last event: sensitivity",
    ]
    result = runner.invoke(args=["audit", "verify", "--data"])
    assert result.exit_code == 1
    assert "The audit log is whole" in result.output  # the events themselves were not touched
    assert (
        f"Error: 2 of {report.checked} rows compared differ from what the audit log recorded: they were "
        "changed in the database, not through the service:\n"
    ) in result.output
    assert f"  action {action.id}: changed since its last event: title\n" in result.output
    assert f"  evidence_item {restricted.id}: changed since its last event: sensitivity\n" in result.output
    assert f"evidence_item {other.id}" not in result.output


def test_a_removed_row_is_named_and_rows_without_events_are_listed_apart(runner):
    _action, (restricted, _other) = _audited_action_and_evidence()
    unaudited, removed = (
        factories.ThemeFactory(),
        restricted.id,
    )  # a theme as an import without events would leave it
    _run("DELETE FROM evidence_finding WHERE evidence_id = :id", id=removed)
    _run("DELETE FROM evidence_item WHERE id = :id", id=removed)
    report = audit.verify_data()
    assert [str(problem) for problem in report.problems] == [
        f"evidence_item {removed}: removed from the database, not through the service"
    ]
    assert unaudited.id in report.unrecorded["theme"]
    result = runner.invoke(args=["audit", "verify", "--data"])
    assert result.exit_code == 1
    assert (
        "No audit record of its state (made by an import, a migration, or before row fingerprints were kept; "
        f"not checked): theme 1, {unaudited.id}."
    ) in result.output


def test_a_row_edited_then_given_a_forged_event_fingerprint_breaks_the_chain():
    action, _items = _audited_action_and_evidence()
    _run("UPDATE action SET title = 'Something else' WHERE id = :id", id=action.id)
    table = db.metadata.tables["action"]
    row = db.session.execute(audit._stored(table).where(table.c.id == action.id)).mappings().one()
    forged = audit.row_hash(table, row, b"a key guessed by someone with the database")
    last = audit.last_change(action)
    _run("UPDATE audit_event SET row_hash = :forged WHERE id = :id", forged=forged, id=last.id)
    assert not verify_chain().whole
    assert [problem.row_id for problem in audit.verify_data().problems] == [action.id]


def test_a_freshly_loaded_demo_verifies_clean_with_every_row_recorded(demo, runner):
    result = runner.invoke(args=["audit", "verify", "--data"])
    assert result.exit_code == 0, result.output
    assert "No audit record" not in result.output and "The data matches the audit log:" in result.output
