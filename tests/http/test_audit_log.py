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
    assert caption(f"record_type=action&record_id={other.id}") == "1 event matches these filters, newest first"
    assert caption("on_from=5&on_from=3&on_from=2026") == "2 events match these filters, newest first"
    assert caption("on_to=4&on_to=3&on_to=2026") == "1 event matches these filters, newest first"
    # what cannot be read is ignored, never an error page
    assert caption("on_from=40&on_from=13&on_from=x&record_id=abc&verb=nonsense&page=zz") == \
        "3 events match these filters, newest first"


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
    event = _event(None, "action.updated", action, before={"title": "Publish the local offer", "due": "2026-03-01"},
                   after={"title": "Publish the new local offer", "due": "2026-04-30"})
    page = admin_client.get(f"/admin/audit/{event.id}").get_data(as_text=True)
    assert "Publish the local offer" in page and "Publish the new local offer" in page
    assert "1 March 2026" in page and "30 April 2026" in page
    assert event.hash in page and audit.GENESIS in page
    assert admin_client.get("/admin/audit/987654").status_code == 404


def test_what_changed_in_restricted_evidence_is_withheld_from_administrators(admin_client, leader_client):
    uploader = factories.UserFactory(role=Role.OFFICER)
    item = factories.EvidenceFactory(title="Child J's annual review notes", sensitivity=Sensitivity.RESTRICTED,
                                     uploaded_by=uploader)
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
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(actor_label="someone"))
    db.session.commit()
    altered = admin_client.post("/admin/audit/verify").get_data(as_text=True)
    assert "The audit log has been altered" in altered
    assert f"event {events[1].id} (number 2 in the chain, theme.updated) was changed after it was written" in altered
