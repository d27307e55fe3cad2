"""A signed-in session's life (tracker/auth/sessions.py): renewed at sign-in, ended by idle and absolute
timeouts and by a password change, always with a sentence saying why, and back to the page asked for."""

import time

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.auth import sessions
from tracker.extensions import db
from tracker.models import Role

IDLE = "You were signed out because you had not used the service for 30 minutes."
ABSOLUTE = "You were signed out because you signed in more than 12 hours ago."
PASSWORD_CHANGED = "You were signed out because your password was changed."


def sign_in(client, user, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


@pytest.fixture
def travel(monkeypatch):
    """Move the sessions' clock forward by so many seconds: no sleeping."""
    offset = {"seconds": 0.0}
    monkeypatch.setattr(sessions, "clock", lambda: time.time() + offset["seconds"])

    def forward(seconds: float) -> None:
        offset["seconds"] += seconds

    return forward


def assert_sent_to_sign_in(response, page_asked: str) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={page_asked.replace('/', '%2F')}"


def test_signing_in_starts_a_new_session_and_nothing_set_before_survives(client):
    user = factories.UserFactory()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "set by someone before sign-in"
        session["_user_id"] = "999"  # a fixation attempt: a chosen identity waiting for a sign-in
    before = session_cookie(client)
    sign_in(client, user)
    assert session_cookie(client) != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id)
        assert session["session_version"] == user.session_version == 1
        assert abs(session["signed_in_at"] - time.time()) < 60 and session["seen_at"] == session["signed_in_at"]


def test_a_session_idle_for_the_limit_ends_with_a_reason_and_keeps_the_page_asked_for(client, travel):
    user = factories.UserFactory(role=Role.LEADER)
    sign_in(client, user)
    travel(29 * 60)
    assert client.get("/findings").status_code == 200  # 29 minutes: still signed in, and noted as used now
    travel(29 * 60)
    assert client.get("/actions").status_code == 200
    travel(30 * 60)
    response = client.get("/findings?theme=1")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=%2Ffindings%3Ftheme%3D1"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert IDLE in page and "Sign in to see this page." not in page
    with client.session_transaction() as session:
        assert "_user_id" not in session and "session_version" not in session
    assert sign_in(client, user, "/findings%3Ftheme%3D1").headers["Location"] == "/findings?theme=1"


def test_a_session_ends_at_the_absolute_limit_however_busy(client, travel):
    user = factories.UserFactory(role=Role.LEADER)
    sign_in(client, user)
    for _ in range(12 * 4 - 1):  # used every quarter of an hour for almost twelve hours
        travel(15 * 60)
        assert client.get("/findings").status_code == 200
    travel(15 * 60)
    response = client.get("/actions")
    assert_sent_to_sign_in(response, "/actions")
    assert ABSOLUTE in client.get("/login").get_data(as_text=True)


def test_the_limits_come_from_the_configuration(app, client, travel, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_IDLE_TIMEOUT_MINUTES", 5)
    monkeypatch.setitem(app.config, "TRACKER_ABSOLUTE_TIMEOUT_HOURS", 1)
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    travel(5 * 60)
    assert_sent_to_sign_in(client.get("/findings"), "/findings")
    assert "had not used the service for 5 minutes" in client.get("/login").get_data(as_text=True)
    sign_in(client, user)
    for _ in range(14):  # 56 minutes, used every 4
        travel(4 * 60)
        assert client.get("/findings").status_code == 200
    travel(4 * 60)
    assert_sent_to_sign_in(client.get("/findings"), "/findings")
    assert "signed in more than 1 hour ago" in client.get("/login").get_data(as_text=True)


def test_times_set_back_in_the_session_end_it_too(client):
    """The same check without the clock: the times a session holds, moved back."""
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    assert_sent_to_sign_in(client.get("/findings"), "/findings")
    assert IDLE in client.get("/login").get_data(as_text=True)


def test_a_session_without_its_bookkeeping_is_not_trusted(client):
    user = factories.UserFactory(role=Role.VIEWER)
    with client.session_transaction() as session:  # as a cookie made before this version would be
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert_sent_to_sign_in(client.get("/findings"), "/findings")
    assert "You were signed out because your session had expired." in client.get("/login").get_data(as_text=True)


def test_changing_a_password_signs_out_every_other_session_and_keeps_this_one(app, travel):
    user = factories.UserFactory(role=Role.OFFICER)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    assert elsewhere.get("/actions").status_code == 200
    new_password = "lantern-orchard-quietly-42"
    response = here.post("/account/password", data={"current_password": factories.PASSWORD, "password": new_password,
                                                    "confirm": new_password}, follow_redirects=True)
    assert "Your password has been changed." in response.get_data(as_text=True)
    assert here.get("/actions").status_code == 200
    assert_sent_to_sign_in(elsewhere.get("/actions"), "/actions")
    assert PASSWORD_CHANGED in elsewhere.get("/login").get_data(as_text=True)
    refused = elsewhere.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert "Enter a correct email address and password." in refused.get_data(as_text=True)
    assert elsewhere.post("/login", data={"email": user.email, "password": new_password}).status_code == 302
    assert elsewhere.get("/actions").status_code == 200


def test_an_administrators_reset_signs_the_person_out_everywhere(app, admin_client):
    user = factories.UserFactory(role=Role.OFFICER)
    theirs = app.test_client()
    sign_in(theirs, user)
    assert theirs.get("/actions").status_code == 200
    page = admin_client.post(f"/admin/users/{user.id}/password", data={}).get_data(as_text=True)
    assert "new password" in page
    assert_sent_to_sign_in(theirs.get("/actions"), "/actions")
    assert PASSWORD_CHANGED in theirs.get("/login").get_data(as_text=True)
    assert admin_client.get("/admin/users").status_code == 200  # the administrator stays signed in


def test_signing_out_empties_the_session(client):
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    assert "You have been signed out." in client.post("/logout", follow_redirects=True).get_data(as_text=True)
    with client.session_transaction() as session:
        assert not {"_user_id", "session_version", "signed_in_at", "seen_at"} & set(session)
    verbs = db.session.scalars(sa.select(AuditEvent.verb).where(AuditEvent.actor_id == user.id)).all()
    assert verbs == ["user.signed_in", "user.signed_out"]


def test_a_deactivated_persons_session_ends(admin_client, app):
    user = factories.UserFactory(role=Role.VIEWER, name="Dee Active")
    theirs = app.test_client()
    sign_in(theirs, user)
    admin_client.post(f"/admin/users/{user.id}", data={"name": "Dee Active", "role": "viewer"})
    assert_sent_to_sign_in(theirs.get("/findings"), "/findings")
