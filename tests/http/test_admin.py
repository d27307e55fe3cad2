"""Administrators manage users at /admin/users."""

import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.models import Role

NEW_USER = {
    "name": "Kim Ode",
    "email": "kim.ode@council.example",
    "role": "officer",
    "password": "a-long-passphrase-1",
    "confirm": "a-long-passphrase-1",
}


def test_admin_creates_a_user_who_can_then_sign_in(admin_client, client):
    response = admin_client.post("/admin/users/new", data=NEW_USER, follow_redirects=True)
    assert "Kim Ode can now sign in as an officer." in response.get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.created"))
    assert event.actor_id == admin_client.user.id and event.after["email"] == "kim.ode@council.example"
    signed_in = client.post("/login", data={"email": NEW_USER["email"], "password": NEW_USER["password"]})
    assert signed_in.status_code == 302


def test_bad_input_to_create_user_keeps_what_was_typed(admin_client):
    factories.UserFactory(email="taken@council.example")
    page = admin_client.post(
        "/admin/users/new", data={**NEW_USER, "email": "taken@council.example"}
    ).get_data(as_text=True)
    assert "A user with the email taken@council.example already exists." in page
    assert 'value="Kim Ode"' in page and "There is a problem" in page
    short = admin_client.post("/admin/users/new", data={**NEW_USER, "password": "short", "confirm": "short"})
    assert "Password must be at least 12 characters long." in short.get_data(as_text=True)
    mismatch = admin_client.post("/admin/users/new", data={**NEW_USER, "confirm": "something-else-1"})
    assert "The two passwords do not match." in mismatch.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.name == "Kim Ode")) == 0


def test_admin_changes_a_role_and_deactivates_a_user(admin_client, client):
    person = factories.UserFactory(role=Role.VIEWER, name="Lee Park")
    admin_client.post(f"/admin/users/{person.id}", data={"name": "Lee Park", "role": "leader"})
    db.session.refresh(person)
    assert person.role is Role.LEADER and person.active is False
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.updated"))
    assert event.before["role"] == "viewer" and event.after == {
        "name": "Lee Park",
        "role": "leader",
        "active": False,
    }
    page = client.post("/login", data={"email": person.email, "password": factories.PASSWORD}).get_data(
        as_text=True
    )
    assert "This account has been deactivated" in page


def test_an_admin_cannot_lock_themselves_out(admin_client):
    me = admin_client.user
    page = admin_client.post(
        f"/admin/users/{me.id}", data={"name": me.name, "role": "viewer", "active": "y"}
    ).get_data(as_text=True)
    assert "You cannot remove your own administrator role" in page
    db.session.refresh(me)
    assert me.role is Role.ADMIN


def test_editing_a_user_that_does_not_exist_is_a_404(admin_client):
    assert admin_client.get("/admin/users/99999").status_code == 404
