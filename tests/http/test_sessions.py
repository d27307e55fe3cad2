"""A signed-in session's life (tracker/auth/sessions.py): a record on the server made at sign-in, ended by
sign-out, idle and absolute timeouts, a password or role change, deactivation, an administrator or the person
themselves, always with a sentence saying why, and back to the page asked for. A cookie copied from a session
opens nothing once that session has ended."""

import hashlib
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.auth import sessions
from tracker.auth.models import UserSession
from tracker.evidence.models import Sensitivity
from tracker.extensions import db
from tracker.models import Role

IDLE = "You were signed out because you had not used the service for 30 minutes."
ABSOLUTE = "You were signed out because you signed in more than 12 hours ago."
PASSWORD_CHANGED = "You were signed out because your password was changed."
SECRET = "Child A case review"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def sign_in(
    client, user, next_url: str | None = None, user_agent: str = FIREFOX, password: str = factories.PASSWORD
):
    """Sign in through the form, as a person does."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(
        url, data={"email": user.email, "password": password}, headers={"User-Agent": user_agent}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def copy_of_cookies(app, client):
    """A second client holding the same cookie jar: someone who copied the cookie (a
    proxy that inspects HTTPS)."""
    return client_with_cookie(app, session_cookie(client))


def client_with_cookie(app, cookie: str):
    """A client that sends this cookie (a refused request empties a client's own jar,
    so a copy is kept as text)."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


@pytest.fixture
def restricted_item():
    """Restricted evidence about a child: only leaders (and its uploader) may open it."""
    return factories.EvidenceFactory(title=SECRET, sensitivity=Sensitivity.RESTRICTED)


def opens(client, item) -> bool:
    """Whether this client opens the restricted item; otherwise it must be sent to sign in."""
    response = client.get(f"/evidence/{item.id}")
    if response.status_code == 200:
        assert SECRET in response.get_data(as_text=True)
        return True
    assert_sent_to_sign_in(response, f"/evidence/{item.id}")
    return False


def record_of(client) -> UserSession:
    with client.session_transaction() as session:
        key = session[sessions.KEY]
    return db.session.scalar(
        sa.select(UserSession).where(UserSession.key_hash == hashlib.sha256(key.encode()).hexdigest())
    )


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
        key = session[sessions.KEY]
    record = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert (
        record.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in record.key_hash
    )  # the key itself is not kept
    assert abs(record.created_at.timestamp() - time.time()) < 60 and record.last_seen_at == record.created_at
    assert record.ended_at is None and record.device == "Firefox on Windows" and record.address == "127.0.0.1"


def test_a_session_idle_for_the_limit_ends_with_a_reason_and_keeps_the_page_asked_for(client, travel):
    user = factories.UserFactory(role=Role.LEADER)
    sign_in(client, user)
    travel(29 * 60)
    assert client.get("/findings").status_code == 200  # 29 minutes: still signed in, and noted as used now
    travel(29 * 60)
    assert client.get("/actions").status_code == 200
    travel(30 * 60)
    response = client.get("/findings?theme=1")
    assert (
        response.status_code == 302 and response.headers["Location"] == "/login?next=%2Ffindings%3Ftheme%3D1"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert IDLE in page and "Sign in to see this page." not in page
    with client.session_transaction() as session:
        assert "_user_id" not in session and sessions.KEY not in session
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


def test_the_times_are_judged_from_the_record_on_the_server(client):
    """The same check without the clock: the record's "last used", moved back in the database."""
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    record = record_of(client)
    record.last_seen_at -= timedelta(minutes=31)
    db.session.commit()
    assert_sent_to_sign_in(client.get("/findings"), "/findings")
    assert IDLE in client.get("/login").get_data(as_text=True)
    assert record_of_id(record.id).ended_reason == "idle"


def test_last_used_is_written_at_most_once_a_minute(client, travel):
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    signed_in_at = record_of(client).last_seen_at
    travel(50)
    client.get("/findings")
    assert record_of(client).last_seen_at == signed_in_at
    travel(20)
    client.get("/findings")
    assert (record_of(client).last_seen_at - signed_in_at).total_seconds() >= 70


def record_of_id(record_id: int) -> UserSession:
    db.session.expire_all()
    return db.session.get(UserSession, record_id)


def test_a_session_without_its_bookkeeping_is_not_trusted(client):
    user = factories.UserFactory(role=Role.VIEWER)
    with client.session_transaction() as session:  # as a cookie made before this version would be
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert_sent_to_sign_in(client.get("/findings"), "/findings")
    assert "You were signed out because your session had expired." in client.get("/login").get_data(
        as_text=True
    )


def test_changing_a_password_signs_out_every_other_session_and_keeps_this_one(app, travel):
    user = factories.UserFactory(role=Role.OFFICER)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    assert elsewhere.get("/actions").status_code == 200
    new_password = "lantern-orchard-quietly-42"
    response = here.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": new_password, "confirm": new_password},
        follow_redirects=True,
    )
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
        assert not {"_user_id", sessions.KEY} & set(session)
    verbs = db.session.scalars(sa.select(AuditEvent.verb).where(AuditEvent.actor_id == user.id)).all()
    assert verbs == ["user.signed_in", "user.signed_out"]


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, restricted_item):
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(client, leader)
    copied = session_cookie(client)
    thief = client_with_cookie(app, copied)
    assert opens(thief, restricted_item)  # while the session is live, the copy works: what this does not stop
    client.post("/logout")
    assert not opens(thief, restricted_item)
    assert "You were signed out. Sign in again to continue." in thief.get("/login").get_data(as_text=True)
    assert not opens(client_with_cookie(app, copied), restricted_item)  # and stays refused
    assert record_of_id(db.session.scalar(sa.select(UserSession.id))).ended_reason == "signed_out"


def test_a_deactivated_persons_copied_cookie_stays_refused_after_reactivation(
    admin_client, app, restricted_item
):
    leader = factories.UserFactory(role=Role.LEADER, name="Dee Active")
    theirs = app.test_client()
    sign_in(theirs, leader)
    copied = session_cookie(theirs)
    thief = client_with_cookie(app, copied)
    assert opens(thief, restricted_item)
    admin_client.post(
        f"/admin/users/{leader.id}", data={"name": "Dee Active", "role": "leader"}
    )  # "active" unticked
    assert not opens(thief, restricted_item)
    assert "your account has been deactivated" in thief.get("/login").get_data(as_text=True)
    assert not opens(theirs, restricted_item)
    admin_client.post(
        f"/admin/users/{leader.id}", data={"name": "Dee Active", "role": "leader", "active": "y"}
    )
    assert db.session.get(type(leader), leader.id).active
    assert not opens(
        client_with_cookie(app, copied), restricted_item
    )  # reactivating brings no old session back
    sign_in(theirs, leader)  # they sign in again, afresh
    assert opens(theirs, restricted_item)


def test_a_password_change_refuses_a_copied_cookie_and_keeps_the_changing_session(
    app, client, restricted_item
):
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(client, leader)
    elsewhere = app.test_client()
    sign_in(elsewhere, leader, user_agent=IPHONE)
    thief = copy_of_cookies(app, elsewhere)
    assert opens(thief, restricted_item)
    new_password = "lantern-orchard-quietly-42"
    client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert opens(client, restricted_item)  # the session that changed it stays signed in
    assert not opens(thief, restricted_item)
    assert PASSWORD_CHANGED in thief.get("/login").get_data(as_text=True)
    assert not opens(elsewhere, restricted_item)


def test_a_role_change_ends_the_persons_sessions(admin_client, app, restricted_item):
    leader = factories.UserFactory(role=Role.LEADER, name="Role Changed")
    theirs = app.test_client()
    sign_in(theirs, leader)
    thief = copy_of_cookies(app, theirs)
    assert opens(thief, restricted_item)
    admin_client.post(
        f"/admin/users/{leader.id}", data={"name": "Role Changed", "role": "viewer", "active": "y"}
    )
    assert not opens(thief, restricted_item)
    assert "You were signed out because your role was changed." in thief.get("/login").get_data(as_text=True)
    assert_sent_to_sign_in(theirs.get("/findings"), "/findings")


def test_a_name_change_alone_ends_no_session(admin_client, app):
    user = factories.UserFactory(role=Role.VIEWER, name="Old Name")
    theirs = app.test_client()
    sign_in(theirs, user)
    admin_client.post(f"/admin/users/{user.id}", data={"name": "New Name", "role": "viewer", "active": "y"})
    assert theirs.get("/findings").status_code == 200


def test_an_administrator_ends_all_of_a_persons_sessions_and_it_is_audited(
    admin_client, app, restricted_item
):
    leader = factories.UserFactory(role=Role.LEADER, name="Lost Laptop")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, leader)
    sign_in(phone, leader, user_agent=IPHONE)
    thief = copy_of_cookies(app, laptop)
    assert opens(thief, restricted_item)
    page = admin_client.get(f"/admin/users/{leader.id}").get_data(as_text=True)
    assert "Signed in on 2 devices now" in page and "End all sessions" in page
    response = admin_client.post(f"/admin/users/{leader.id}/sessions/end", follow_redirects=True)
    assert "Ended Lost Laptop&#39;s sessions (2): they are signed out everywhere." in response.get_data(
        as_text=True
    )
    for client in (thief, laptop, phone):
        assert not opens(client, restricted_item)
    assert "an administrator ended your sessions" in thief.get("/login").get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.sessions_ended"))
    assert (
        event.actor_id == admin_client.user.id
        and event.entity_id == leader.id
        and event.after == {"sessions": 2}
    )
    assert "Not signed in anywhere now." in admin_client.get(f"/admin/users/{leader.id}").get_data(
        as_text=True
    )


def test_ending_all_sessions_needs_the_form_token(app, admin_client, monkeypatch):
    user = factories.UserFactory(role=Role.VIEWER)
    theirs = app.test_client()
    sign_in(theirs, user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert admin_client.post(f"/admin/users/{user.id}/sessions/end").status_code == 400
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert theirs.get("/findings").status_code == 200


def test_an_administrator_cannot_end_their_own_sessions_from_the_user_page(admin_client):
    me = admin_client.user
    response = admin_client.post(f"/admin/users/{me.id}/sessions/end", follow_redirects=True)
    assert "End your own sessions from &#39;Your sessions&#39;" in response.get_data(as_text=True)
    assert admin_client.get("/admin/users").status_code == 200


def test_your_sessions_lists_each_sign_in_and_ending_one_refuses_its_cookie(app, client, restricted_item):
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(client, leader)
    phone = app.test_client()
    sign_in(phone, leader, user_agent=IPHONE)
    thief = copy_of_cookies(app, phone)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on Windows (this session)" in page and "Mobile Safari on iOS" in page
    assert "Mobile Safari on iOS (this session)" not in page and page.count("127.0.0.1") == 2
    assert page.count("Sign out this session") == 1  # only the other one: this one signs out with "Sign out"
    phone_record = record_of(phone)
    response = client.post(f"/account/sessions/{phone_record.id}/end", follow_redirects=True)
    assert "Signed out Mobile Safari on iOS" in response.get_data(as_text=True)
    assert not opens(thief, restricted_item) and not opens(phone, restricted_item)
    assert opens(client, restricted_item)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "Mobile Safari on iOS" not in page and "Sign out everywhere else" not in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.verb == "user.session_ended"))
    assert event.actor_id == leader.id and event.after == {
        "session": phone_record.id,
        "device": "Mobile Safari on iOS",
    }


def test_signing_out_everywhere_else_keeps_this_session(app, client, restricted_item):
    leader = factories.UserFactory(role=Role.LEADER)
    sign_in(client, leader)
    others = [app.test_client(), app.test_client()]
    for other in others:
        sign_in(other, leader, user_agent=IPHONE)
    response = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "You have been signed out everywhere else." in response.get_data(as_text=True)
    assert opens(client, restricted_item) and not any(opens(other, restricted_item) for other in others)
    assert "you ended this session from another one" in others[0].get("/login").get_data(as_text=True)


def test_nobody_ends_someone_elses_session_from_their_page(app, client):
    someone = factories.UserFactory(role=Role.VIEWER)
    theirs = app.test_client()
    sign_in(theirs, someone)
    sign_in(client, factories.UserFactory(role=Role.VIEWER))
    assert client.post(f"/account/sessions/{record_of(theirs).id}/end").status_code == 404
    assert theirs.get("/findings").status_code == 200


def test_an_ended_session_cannot_be_ended_twice(app, client):
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    other = app.test_client()
    sign_in(other, user)
    record_id = record_of(other).id
    client.post(f"/account/sessions/{record_id}/end")
    response = client.post(f"/account/sessions/{record_id}/end", follow_redirects=True)
    assert "That session has already ended." in response.get_data(as_text=True)


def test_old_records_are_deleted_at_a_later_sign_in(app, client, travel):
    user = factories.UserFactory(role=Role.VIEWER)
    sign_in(client, user)
    client.post("/logout")
    sign_in(client, user)  # idle from now on
    travel((sessions.KEEP_ENDED_DAYS + 1) * 24 * 3600)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 2
    sign_in(app.test_client(), user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
