"""Administrators browse and filter the audit log, read one event in full, and check the whole chain."""

from datetime import datetime, timezone

import sqlalchemy as sa

from tests import factories
from tracker import audit
from tracker.audit import AuditEvent
from tracker.evidence.models import Sensitivity
from tracker.extensions import db
from tracker.models import Role


def _event(actor, verb, entity, before=None, after=None, at=None):
    event = audit.record(actor, verb, entity, before=before, after=after)
    if at is not None:
        event.occurred_at = at
    db.session.commit()
    return event


def test_admin_sees_events_newest_first_with_who_what_and_which_record(admin_client):
    officer = factories.UserFactory(email="sam.officer@council.example", role=Role.OFFICER)
    action = factories.ActionFactory(owner=officer)
    first = _event(officer, "action.updated", action, before={"title": "Old"}, after={"title": "New"})
    second = _event(None, "theme.created", factories.ThemeFactory())
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "2 events, newest first" in page
    assert page.index("theme.created<span") < page.index("action.updated<span")
    assert "sam.officer@council.example" in page and f"action {action.id}" in page
    assert f'href="/admin/audit/{first.id}"' in page and f'href="/admin/audit/{second.id}"' in page


def test_filters_by_who_what_record_and_day(admin_client):
    officer = factories.UserFactory(email="sam.officer@council.example", role=Role.OFFICER)
    action = factories.ActionFactory(owner=officer)
    other = factories.ActionFactory(owner=officer)
    _event(officer, "action.updated", action, at=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    _event(officer, "action.updated", other, at=datetime(2026, 3, 5, 10, tzinfo=timezone.utc))
    _event(None, "theme.created", factories.ThemeFactory(), at=datetime(2026, 3, 5, 11, tzinfo=timezone.utc))

    def caption(query: str) -> str:
        page = admin_client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return page.split('govuk-table__caption--m">', 1)[1].split("<", 1)[0]

    assert caption("who=SAM.officer") == "2 events match these filters, newest first"
    assert caption("who=system") == "1 event matches these filters, newest first"
    assert caption("verb=theme.created") == "1 event matches these filters, newest first"
    assert (
        caption(f"record_type=action&record_id={other.id}") == "1 event matches these filters, newest first"
    )
    assert caption("on_from=5&on_from=3&on_from=2026") == "2 events match these filters, newest first"
    assert caption("on_to=4&on_to=3&on_to=2026") == "1 event matches these filters, newest first"
    # what cannot be read is ignored, never an error page
    assert (
        caption("on_from=40&on_from=13&on_from=x&record_id=abc&verb=nonsense&page=zz")
        == "3 events match these filters, newest first"
    )


def test_a_long_log_is_paged(admin_client):
    theme = factories.ThemeFactory()
    for number in range(55):
        audit.record(None, "theme.updated", theme, after={"name": f"Name {number}"})
    db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert first.count("theme.updated<span") == 50 and 'href="/admin/audit?page=2"' in first
    assert admin_client.get("/admin/audit?page=2").get_data(as_text=True).count("theme.updated<span") == 5
    assert admin_client.get("/admin/audit?page=99").get_data(as_text=True).count("theme.updated<span") == 5


def test_one_event_in_full_with_its_values_and_place_in_the_chain(admin_client):
    action = factories.ActionFactory()
    event = _event(
        None,
        "action.updated",
        action,
        before={"title": "Publish the local offer", "due": "2026-03-01"},
        after={"title": "Publish the new local offer", "due": "2026-04-30"},
    )
    page = admin_client.get(f"/admin/audit/{event.id}").get_data(as_text=True)
    assert "Publish the local offer" in page and "Publish the new local offer" in page
    assert "1 March 2026" in page and "30 April 2026" in page
    assert event.hash in page and audit.GENESIS in page
    assert admin_client.get("/admin/audit/987654").status_code == 404


def test_what_changed_in_restricted_evidence_is_withheld_from_administrators(admin_client, leader_client):
    uploader = factories.UserFactory(role=Role.OFFICER)
    item = factories.EvidenceFactory(
        title="Child J's annual review notes", sensitivity=Sensitivity.RESTRICTED, uploaded_by=uploader
    )
    event = _event(uploader, "evidence_item.created", item, after={"title": item.title})
    listing = admin_client.get("/admin/audit").get_data(as_text=True)
    detail = admin_client.get(f"/admin/audit/{event.id}").get_data(as_text=True)
    assert "Details withheld: restricted evidence" in listing
    assert "Details withheld: this event is about restricted evidence" in detail
    assert "Child J" not in listing and "Child J" not in detail


def test_the_check_says_the_log_is_whole_then_names_the_altered_event(admin_client):
    theme = factories.ThemeFactory()
    events = [_event(None, "theme.updated", theme, after={"name": f"Name {number}"}) for number in range(3)]
    whole = admin_client.post("/admin/audit/verify").get_data(as_text=True)
    assert "The audit log is whole" in whole and "3 events checked" in whole
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(actor_label="someone")
    )
    db.session.commit()
    altered = admin_client.post("/admin/audit/verify").get_data(as_text=True)
    assert "The audit log has been altered" in altered
    assert (
        f"event {events[1].id} (number 2 in the chain, theme.updated) was changed after it was written"
        in altered
    )


# Redacting a value from an action's history (issue 15, point 7) ---------------------------------------------

NHS_NUMBER = "943 476 5919"


def _action_with_an_nhs_number_typed_in_then_edited_out(leader_client):
    """A leader types a child's NHS number into an action's description, then edits it out: both edits are in
    the action's history, the number in the first's new value and the second's old one."""
    from tests.http.test_plan import action_form, date_fields

    finding = factories.FindingFactory()
    action = factories.ActionFactory(findings=[finding], description="")
    for description in (f"Call the family of the child with NHS number {NHS_NUMBER}", "Call the family"):
        db.session.expire_all()
        form = action_form(
            [finding.id],
            action.owner,
            reference=action.reference,
            title=action.title,
            version=str(action.version),
            description=description,
            status=action.status.value,
            percent_complete=str(action.percent_complete),
            partner=action.partner.value,
            priority=action.priority.value,
            **date_fields("due_date", action.due_date),
        )
        assert leader_client.post(f"/actions/{action.id}/edit", data=form).status_code == 302
    return action


def _redact_url(action, event_id, side="after", field="description"):
    return f"/actions/{action.id}/history/{event_id}/redact?side={side}&field={field}"


def test_a_leader_redacts_an_nhs_number_from_the_history_and_no_one_sees_it_again(
    leader_client, viewer_client, officer_client, admin_client, runner
):
    action = _action_with_an_nhs_number_typed_in_then_edited_out(leader_client)
    history = viewer_client.get(f"/actions/{action.id}/history").get_data(as_text=True)
    assert (
        NHS_NUMBER in history and "Redact" not in history
    )  # before: viewers read it, and have no Redact link
    typed_in = db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.verb == "action.updated").order_by(AuditEvent.id)
    )
    page = leader_client.get(f"/actions/{action.id}/history").get_data(as_text=True)
    assert f'href="{_redact_url(action, typed_in)}"'.replace("&", "&amp;") in page
    form = leader_client.get(_redact_url(action, typed_in)).get_data(as_text=True)
    assert NHS_NUMBER in form and "A redaction cannot be undone." in form

    response = leader_client.post(
        _redact_url(action, typed_in), data={"reason": "A child's NHS number typed by mistake"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/actions/{action.id}/history"
    )
    shown = f"Redacted by {leader_client.user.name} on "
    for client in (viewer_client, officer_client, leader_client):
        for url in (f"/actions/{action.id}/history", f"/actions/{action.id}"):
            body = client.get(url).get_data(as_text=True)
            assert NHS_NUMBER not in body and "943 476" not in body
        history = client.get(f"/actions/{action.id}/history").get_data(as_text=True)
        assert (
            history.count(shown) == 2 and "A child&#39;s NHS number typed by mistake" in history
        )  # old and new value
    assert "Call the family" in history  # what was not redacted stays
    stored = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "action")).all()
    assert all(
        NHS_NUMBER not in str(event.before) + str(event.after) for event in stored
    )  # gone from the database

    redactions = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "audit_event.redacted")
    ).all()
    assert len(redactions) == 2 and all(event.actor_id == leader_client.user.id for event in redactions)
    assert all(
        NHS_NUMBER not in str(event.after) and event.after["field"] == "description" for event in redactions
    )
    log = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "audit_event.redacted" in log and NHS_NUMBER not in log
    for event in stored:
        assert NHS_NUMBER not in admin_client.get(f"/admin/audit/{event.id}").get_data(as_text=True)

    assert audit.verify_chain().whole
    result = runner.invoke(args=["audit", "verify", "--data"])
    assert result.exit_code == 0, result.output


def test_a_redacted_entry_edited_again_in_the_database_is_caught():
    leader = factories.UserFactory(role=Role.LEADER, name="Lee Leader")
    action = factories.ActionFactory()
    event = _event(
        leader, "action.updated", action, before={"title": "Old"}, after={"title": f"Child {NHS_NUMBER}"}
    )
    _event(leader, "action.updated", action, before={"title": f"Child {NHS_NUMBER}"}, after={"title": "New"})
    assert audit.redact(leader, event, "after", "title", "NHS number") == 2
    assert audit.verify_chain().whole
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == event.id).values(after={"title": "Something else"})
    )
    db.session.commit()
    assert audit.verify_chain().problem.startswith(f"event {event.id} ")


def test_a_redaction_needs_a_reason_and_only_a_leader_may_make_one(
    leader_client, officer_client, viewer_client, admin_client
):
    action = _action_with_an_nhs_number_typed_in_then_edited_out(leader_client)
    typed_in = db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.verb == "action.updated").order_by(AuditEvent.id)
    )
    for client in (officer_client, viewer_client, admin_client):
        assert client.get(_redact_url(action, typed_in)).status_code == 403
        assert client.post(_redact_url(action, typed_in), data={"reason": "Because"}).status_code == 403
    page = leader_client.post(_redact_url(action, typed_in), data={"reason": "  "}).get_data(as_text=True)
    assert "There is a problem" in page and "Say why this text is being redacted." in page
    assert leader_client.get(_redact_url(action, typed_in, field="nonsense")).status_code == 404
    assert leader_client.get(_redact_url(action, typed_in, side="sideways")).status_code == 404
    other = factories.ActionFactory()
    assert (
        leader_client.get(_redact_url(other, typed_in)).status_code == 404
    )  # an entry of another record's history
    assert NHS_NUMBER in viewer_client.get(f"/actions/{action.id}/history").get_data(
        as_text=True
    )  # nothing redacted
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.verb == "audit_event.redacted")
        )
        == 0
    )
