"""Two-step verification: setting it up, the code after the password, turning it off, an administrator
removing it, and TRACKER_REQUIRE_MFA for administrators and leaders."""

import re

import pyotp
import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.auth import mfa
from tracker.auth.models import User
from tracker.extensions import db
from tracker.models import Role, utcnow

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # the middle of a 30-second step, so that ±30 s is exactly one step either side


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(mfa, "clock", lambda: NOW)


def code_at(moment: float, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def with_two_step(**kwargs) -> User:
    return factories.UserFactory(totp_secret=SECRET, totp_enabled_at=utcnow(), **kwargs)


def password_step(client, user, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": factories.PASSWORD})


def enter_code(client, code):
    return client.post("/login/code", data={"code": code})


def verbs(user) -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.verb).where(AuditEvent.entity_id == user.id,
                                                                AuditEvent.entity_type == "user")).all()


def page_of(response) -> str:
    return response.get_data(as_text=True)


def test_after_the_right_password_a_code_is_asked_for_and_nobody_is_signed_in_yet(client):
    user = with_two_step()
    response = password_step(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert client.get("/findings").status_code == 302  # not signed in before the code
    assert "user.signed_in" not in verbs(user)
    page = page_of(client.get("/login/code"))
    assert "Enter your code" in page and 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    signed_in = enter_code(client, code_at(NOW))
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    assert client.get("/findings").status_code == 200
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "user.signed_in")).one()
    assert event.actor_id == user.id and event.after == {"two_step": True}


def test_a_user_without_two_step_signs_in_with_the_password_alone(client):
    user = factories.UserFactory()
    response = password_step(client, user)
    assert response.headers["Location"] == "/"
    assert client.get("/findings").status_code == 200


def test_next_survives_the_code_step_and_the_code_step_starts_a_fresh_session(client):
    user = with_two_step()
    password_step(client, user, "/measures")
    code = code_at(NOW)
    response = enter_code(client, f"{code[:3]} {code[3:]}")  # typed with a space, as the app shows it
    assert response.headers["Location"] == "/measures"
    with client.session_transaction() as session:
        assert "two_step_pending" not in session and session["_user_id"] == str(user.id)


def test_a_wrong_code_is_refused_and_what_was_typed_is_not_shown_again(client):
    user = with_two_step()
    password_step(client, user)
    valid = {code_at(NOW + offset * 30) for offset in (-1, 0, 1)}
    wrong = next(code for code in ("111111", "222222", "333333", "444444") if code not in valid)
    for typed, message in [(wrong, "The code is not correct. Enter the 6-digit code your authenticator app shows now."),
                           ("12ab56", "Enter the code as 6 digits, like 123456."),
                           ("", "Enter the 6-digit code from your authenticator app.")]:
        response = enter_code(client, typed)
        page = page_of(response)
        assert response.status_code == 200
        assert "There is a problem" in page and message in page and 'href="#code"' in page
        assert re.search(r'<input[^>]*name="code"[^>]*value=""', page)  # a code is never put back in the box
        if typed:
            assert f'value="{typed}"' not in page
    assert client.get("/findings").status_code == 302


def test_a_code_is_accepted_only_once(client):
    user = with_two_step()
    password_step(client, user)
    assert enter_code(client, code_at(NOW)).status_code == 302
    client.post("/logout")
    password_step(client, user)
    replayed = enter_code(client, code_at(NOW))
    assert replayed.status_code == 200
    assert "That code has already been used. Wait for your app to show a new code, then enter it." in page_of(replayed)
    earlier = enter_code(client, code_at(NOW - 30))  # an older step than one already used is refused too
    assert "already been used" in page_of(earlier)
    assert client.get("/findings").status_code == 302
    assert enter_code(client, code_at(NOW + 30)).status_code == 302  # the next step's code is new


@pytest.mark.parametrize(("drift", "accepted"), [(-30, True), (30, True), (-90, False), (90, False), (-60, False)])
def test_a_phone_clock_30_seconds_out_is_accepted_and_90_seconds_out_is_not(client, drift, accepted):
    user = with_two_step()
    password_step(client, user)
    response = enter_code(client, pyotp.TOTP(SECRET).at(for_time=NOW + drift))
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert "The code is not correct." in page_of(response)


def test_the_code_must_follow_the_password_within_ten_minutes(client, monkeypatch):
    user = with_two_step()
    password_step(client, user)
    monkeypatch.setattr(mfa, "clock", lambda: NOW + 11 * 60)
    response = enter_code(client, code_at(NOW + 11 * 60))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = page_of(client.get("/login"))
    assert "Sign in again: the code must follow your password within 10 minutes." in page
    assert client.get("/findings").status_code == 302


def test_the_code_step_cannot_be_reached_without_the_password(client):
    with_two_step()
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_deactivated_account_waiting_for_its_code_cannot_finish(client):
    user = with_two_step()
    password_step(client, user)
    user.active = False
    db.session.commit()
    assert enter_code(client, code_at(NOW)).headers["Location"] == "/login"
    assert client.get("/findings").status_code == 302


def test_the_code_form_is_throttled_per_account(client):
    user = with_two_step()
    password_step(client, user)
    for _ in range(5):
        assert enter_code(client, "000000" if code_at(NOW) != "000000" else "999999").status_code == 200
    response = enter_code(client, code_at(NOW))
    page = page_of(response)
    assert response.status_code == 429
    assert "You have entered a wrong code or password too many times. Wait 15 minutes, then try again." in page
    assert 'href="#code"' in page
    assert client.get("/findings").status_code == 302


def setup_secret(client) -> str:
    with client.session_transaction() as session:
        return session["two_step_setup_secret"]


def test_a_signed_in_user_sets_up_two_step_by_scanning_and_entering_a_code(client_as):
    client = client_as(Role.OFFICER)
    page = page_of(client.get("/account/two-step"))
    secret = setup_secret(client)
    assert "Set up two-step verification" in page
    assert re.search(r'<svg role="img" aria-label="QR code for setting up two-step verification for [^"]+"', page)
    assert "<img" not in page.split("<main", 1)[1] and "data:image" not in page  # inline SVG, nothing for the CSP to block
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page  # the key as text, in groups of four
    assert page_of(client.get("/account/two-step")).count(mfa.grouped(secret)) == 1  # the same key until confirmed
    wrong = client.post("/account/two-step", data={"code": "000000" if code_at(NOW, secret) != "000000" else "999999"})
    assert wrong.status_code == 200 and "The code is not correct." in page_of(wrong)
    assert mfa.grouped(secret) in page_of(wrong)
    done = client.post("/account/two-step", data={"code": code_at(NOW, secret)}, follow_redirects=True)
    assert "Two-step verification is on." in page_of(done)
    user = db.session.get(User, client.user.id)
    db.session.refresh(user)
    assert user.totp_secret == secret and user.totp_enabled_at is not None and user.totp_last_step == int(NOW // 30)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "user.mfa_enabled")).one()
    assert event.actor_id == user.id and event.after == {"two_step": True} and secret not in str(event.after)
    with client.session_transaction() as session:
        assert "two_step_setup_secret" not in session
    page = page_of(client.get("/account/two-step"))
    assert "Two-step verification is on since" in page and "Turn off two-step verification" in page


def test_the_code_that_confirmed_setup_cannot_sign_in(client_as, app):
    signed_in = client_as(Role.VIEWER)
    signed_in.get("/account/two-step")
    secret = setup_secret(signed_in)
    signed_in.post("/account/two-step", data={"code": code_at(NOW, secret)})
    client = app.test_client()
    password_step(client, signed_in.user)
    assert "already been used" in page_of(enter_code(client, code_at(NOW, secret)))


def test_turning_two_step_off_needs_the_password_and_a_code(client_as):
    user = with_two_step()
    client = client_as(user)
    wrong_password = client.post("/account/two-step/off", data={"password": "not-it", "code": code_at(NOW)})
    assert wrong_password.status_code == 200 and "Your password is not correct." in page_of(wrong_password)
    wrong_code = client.post("/account/two-step/off", data={"password": factories.PASSWORD, "code": "12345"})
    assert "Enter the code as 6 digits, like 123456." in page_of(wrong_code)
    missing = client.post("/account/two-step/off", data={})
    assert "Enter your password." in page_of(missing) and "Enter the 6-digit code from your authenticator app." in page_of(missing)
    db.session.refresh(user)
    assert user.totp_enabled_at is not None
    done = client.post("/account/two-step/off", data={"password": factories.PASSWORD, "code": code_at(NOW)},
                       follow_redirects=True)
    assert "Two-step verification is off." in page_of(done) and "Set up two-step verification" in page_of(done)
    db.session.refresh(user)
    assert user.totp_secret is None and user.totp_enabled_at is None
    assert "user.mfa_disabled" in verbs(user)


def test_an_administrator_removes_two_step_for_someone_who_lost_their_phone(admin_client, app):
    user = with_two_step(name="Sam Lost-Phone")
    listing = page_of(admin_client.get("/admin/users"))
    assert re.search(r"Sam Lost-Phone</td>.*?<strong class=\"govuk-tag govuk-tag--green\">On</strong>", listing, re.S)
    page = page_of(admin_client.get(f"/admin/users/{user.id}"))
    assert "Two-step verification" in page and "Remove two-step verification" in page
    response = admin_client.post(f"/admin/users/{user.id}/two-step", follow_redirects=True)
    assert "Removed Sam Lost-Phone&#39;s two-step verification." in page_of(response)
    db.session.refresh(user)
    assert user.totp_enabled_at is None and user.totp_secret is None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "user.mfa_removed")).one()
    assert event.actor_id == admin_client.user.id and event.entity_id == user.id
    client = app.test_client()
    assert password_step(client, user).headers["Location"] == "/"  # the password alone, until set up again
    again = page_of(admin_client.post(f"/admin/users/{user.id}/two-step", follow_redirects=True))
    assert "Sam Lost-Phone does not have two-step verification turned on." in again


def test_an_administrator_cannot_remove_their_own_two_step_without_a_code(client_as):
    admin = with_two_step(role=Role.ADMIN)
    client = client_as(admin)
    page = page_of(client.post(f"/admin/users/{admin.id}/two-step", follow_redirects=True))
    assert "You cannot remove your own two-step verification here" in page
    db.session.refresh(admin)
    assert admin.totp_enabled_at is not None


@pytest.fixture
def require_mfa(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_REQUIRE_MFA", True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEADER])
def test_with_two_step_required_admins_and_leaders_set_it_up_before_anything_else(require_mfa, client, role):
    user = factories.UserFactory(role=role)
    signed_in = client.post("/login", data={"email": user.email, "password": factories.PASSWORD}, follow_redirects=True)
    page = page_of(signed_in)
    assert signed_in.request.path == "/account/two-step"
    assert "Administrators and leaders must use two-step verification in this service." in page
    for blocked in ["/", "/findings", "/admin/users", "/exports"]:
        response = client.get(blocked)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-step", blocked
    assert client.post("/findings/new", data={}).headers["Location"] == "/account/two-step"
    assert client.get("/accessibility").status_code == 200
    secret = setup_secret(client)
    client.post("/account/two-step", data={"code": code_at(NOW, secret)})
    assert client.get("/admin/users" if role is Role.ADMIN else "/findings").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"


def test_with_two_step_required_signing_out_still_works(require_mfa, client_as):
    client = client_as(Role.LEADER)
    response = client.post("/logout", follow_redirects=True)
    assert "You have been signed out." in page_of(response)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VIEWER])
def test_with_two_step_required_officers_and_viewers_carry_on_as_before(require_mfa, client_as, role):
    client = client_as(role)
    assert client.get("/findings").status_code == 200
    assert client.get("/account/two-step").status_code == 200  # they may still choose to set it up
    assert "must use two-step verification" not in page_of(client.get("/account/two-step"))
