"""Two-step verification: setting it up with the password again, the code after the password, recovery codes,
turning it off, an administrator removing it, and TRACKER_TWO_STEP_REQUIRED_ROLES for
leaders and administrators."""

import re

import pyotp
import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import sign_in
from tracker.audit import AuditEvent
from tracker.auth import mfa
from tracker.auth.models import RecoveryCode, User
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
    return db.session.scalars(
        sa.select(AuditEvent.verb).where(AuditEvent.entity_id == user.id, AuditEvent.entity_type == "user")
    ).all()


def page_of(response) -> str:
    return response.get_data(as_text=True)


def test_after_the_right_password_a_code_is_asked_for_and_nobody_is_signed_in_yet(client):
    user = with_two_step()
    response = password_step(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert client.get("/findings").status_code == 302  # not signed in before the code
    assert "user.signed_in" not in verbs(user)
    page = page_of(client.get("/login/code"))
    assert (
        "Enter your code" in page and 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    )
    signed_in = enter_code(client, code_at(NOW))
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/actions/mine"
    assert client.get("/findings").status_code == 200
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "user.signed_in")).one()
    assert event.actor_id == user.id and event.after == {"two_step": True}


def test_a_user_without_two_step_signs_in_with_the_password_alone(client):
    user = factories.UserFactory()
    response = password_step(client, user)
    assert response.headers["Location"] == "/actions/mine"
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
    for typed, message in [
        (wrong, "The code is not correct. Enter the 6-digit code your authenticator app shows now."),
        ("12ab56", "Enter the code as 6 digits, like 123456."),
        ("", "Enter the 6-digit code from your authenticator app."),
    ]:
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
    assert "That code has already been used. Wait for your app to show a new code, then enter it." in page_of(
        replayed
    )
    earlier = enter_code(client, code_at(NOW - 30))  # an older step than one already used is refused too
    assert "already been used" in page_of(earlier)
    assert client.get("/findings").status_code == 302
    assert enter_code(client, code_at(NOW + 30)).status_code == 302  # the next step's code is new


@pytest.mark.parametrize(
    ("drift", "accepted"), [(-30, True), (30, True), (-90, False), (90, False), (-60, False)]
)
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
    assert (
        "You have entered a wrong code or password too many times. Wait 15 minutes, then try again." in page
    )
    assert 'href="#code"' in page
    assert client.get("/findings").status_code == 302


def start_setup(client, password=factories.PASSWORD):
    return client.post("/account/two-step/start", data={"password": password})


def setup_secret(client) -> str:
    """The key being set up, from the server: the session holds only its digest."""
    user = db.session.get(User, int(client.user.id))
    db.session.refresh(user)
    return user.totp_pending_secret


def session_cookie(app, client) -> tuple[str, dict]:
    """The session cookie as the browser holds it, and what anyone who reads it finds (it is signed,
    not hidden)."""
    raw = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return raw, app.session_interface.get_signing_serializer(app).loads(raw)


def shown_codes(response) -> list[str]:
    return re.findall(r'<code class="app-hash">([a-z0-9]{5}-[a-z0-9]{5})</code>', page_of(response))


def test_a_signed_in_user_sets_up_two_step_with_the_password_scanning_and_a_code(client_as):
    client = client_as(Role.OFFICER)
    page = page_of(client.get("/account/two-step"))
    assert "Confirm it is you" in page and 'name="password"' in page
    assert "QR code" not in page and setup_secret(client) is None  # nothing to scan before the password
    assert start_setup(client).headers["Location"] == "/account/two-step"
    secret = setup_secret(client)
    page = page_of(client.get("/account/two-step"))
    assert "Set up two-step verification" in page
    assert re.search(
        r'<svg role="img" aria-label="QR code for setting up two-step verification for [^"]+"', page
    )
    assert (
        "<img" not in page.split("<main", 1)[1] and "data:image" not in page
    )  # inline SVG, nothing for the CSP to block
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page  # the key as text, in groups of four
    assert (
        page_of(client.get("/account/two-step")).count(mfa.grouped(secret)) == 1
    )  # the same key until confirmed
    wrong = client.post(
        "/account/two-step", data={"code": "000000" if code_at(NOW, secret) != "000000" else "999999"}
    )
    assert wrong.status_code == 200 and "The code is not correct." in page_of(wrong)
    assert mfa.grouped(secret) in page_of(wrong)
    done = client.post("/account/two-step", data={"code": code_at(NOW, secret)})
    assert done.status_code == 200 and "Two-step verification is on" in page_of(done)
    codes = shown_codes(done)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "This is the only time these codes are shown." in page_of(done)
    user = db.session.get(User, client.user.id)
    db.session.refresh(user)
    assert (
        user.totp_secret == secret
        and user.totp_enabled_at is not None
        and user.totp_last_step == int(NOW // 30)
    )
    assert user.totp_pending_secret is None  # cleared once confirmed
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "user.mfa_enabled")).one()
    assert event.actor_id == user.id and event.after == {"two_step": True, "recovery_codes_left": 10}
    assert secret not in str(event.after)
    assert "user.mfa_setup_started" in verbs(user)
    page = page_of(client.get("/account/two-step"))
    assert "Two-step verification is on since" in page and "Turn off two-step verification" in page
    assert "You have 10 unused recovery codes." in page
    assert not any(code in page for code in codes)  # shown once, never again


def test_setting_up_refuses_a_session_without_the_password(client_as):
    client = client_as(Role.OFFICER)
    missing = start_setup(client, password="")
    assert missing.status_code == 200 and "Enter your password." in page_of(missing)
    wrong = start_setup(client, password="not-my-password")
    assert wrong.status_code == 200 and "There is a problem" in page_of(wrong)
    assert "Your password is not correct." in page_of(wrong) and 'href="#password"' in page_of(wrong)
    assert "QR code" not in page_of(wrong) and setup_secret(client) is None
    # a code posted without a set-up started here turns nothing on: the password page again
    again = client.post("/account/two-step", data={"code": "123456"})
    assert again.status_code == 200 and "Confirm it is you" in page_of(again)
    user = db.session.get(User, client.user.id)
    db.session.refresh(user)
    assert user.totp_enabled_at is None and "user.mfa_enabled" not in verbs(user)


def test_the_password_to_set_up_is_throttled_like_signing_in(client_as):
    client = client_as(Role.OFFICER)
    for _ in range(5):
        assert start_setup(client, password="not-my-password").status_code == 200
    response = start_setup(client)
    assert response.status_code == 429
    assert (
        "You have entered a wrong code or password too many times. Wait 15 minutes, then try again."
        in page_of(response)
    )
    assert setup_secret(client) is None


def test_the_session_cookie_never_holds_the_key_being_set_up(app, client_as):
    client = client_as(Role.OFFICER)
    start_setup(client)
    client.get("/account/two-step")
    secret = setup_secret(client)
    raw, session = session_cookie(app, client)
    assert mfa.is_secret(secret)
    assert secret not in str(session) and secret not in raw and mfa.grouped(secret) not in str(session)
    assert session["two_step_setup"] == mfa.setup_digest(secret)  # only a digest that ties it to this session


def test_starting_again_elsewhere_replaces_the_key_and_the_old_one_cannot_turn_it_on(app, client_as):
    first = client_as(Role.OFFICER)
    start_setup(first)
    old_secret = setup_secret(first)
    second = app.test_client()
    sign_in(second, first.user)
    start_setup(second)
    assert setup_secret(first) != old_secret
    refused = first.post("/account/two-step", data={"code": code_at(NOW, old_secret)})
    assert refused.status_code == 200
    assert "Set-up was started again somewhere else you are signed in" in page_of(refused)
    assert old_secret not in page_of(
        first.get("/account/two-step")
    )  # the other session's key is not shown here
    user = db.session.get(User, first.user.id)
    db.session.refresh(user)
    assert user.totp_enabled_at is None


def test_the_code_that_confirmed_setup_cannot_sign_in(client_as, app):
    signed_in = client_as(Role.VIEWER)
    start_setup(signed_in)
    secret = setup_secret(signed_in)
    signed_in.post("/account/two-step", data={"code": code_at(NOW, secret)})
    client = app.test_client()
    password_step(client, signed_in.user)
    assert "already been used" in page_of(enter_code(client, code_at(NOW, secret)))


def with_recovery_codes(**kwargs) -> tuple[User, list[str]]:
    user = with_two_step(**kwargs)
    return user, mfa.regenerate_recovery_codes(user, factories.PASSWORD)


def enter_recovery_code(client, code):
    return client.post("/login/recovery-code", data={"code": code})


def test_a_recovery_code_signs_in_once_and_not_twice(client, app):
    user, codes = with_recovery_codes()
    password_step(client, user)
    assert 'href="/login/recovery-code"' in page_of(client.get("/login/code"))
    assert "Enter a recovery code" in page_of(client.get("/login/recovery-code"))
    signed_in = enter_recovery_code(client, codes[0])
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/actions/mine"
    dashboard = page_of(client.get("/"))
    assert (
        "You signed in with a recovery code, which cannot be used again. You have 9 recovery codes left."
        in dashboard
    )
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "user.recovery_code_used")
    ).one()
    assert event.actor_id == user.id and event.after == {"recovery_codes_left": 9}
    signed_in_event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.verb == "user.signed_in")
    ).one()
    assert signed_in_event.after == {"two_step": True, "recovery_code": True}

    again = app.test_client()
    password_step(again, user)
    refused = enter_recovery_code(again, codes[0])
    assert refused.status_code == 200
    assert "The recovery code is not correct, or it has been used. Each recovery code works once." in page_of(
        refused
    )
    assert codes[0] not in page_of(refused)  # what was typed is not put back
    assert again.get("/findings").status_code == 302
    typed_loosely = enter_recovery_code(again, " " + codes[1].upper().replace("-", " ") + " ")
    assert typed_loosely.headers["Location"] == "/actions/mine"


def test_a_recovery_code_that_is_wrong_or_badly_typed_is_refused_and_throttled(client):
    user, codes = with_recovery_codes()
    password_step(client, user)
    short = enter_recovery_code(client, "abc")
    assert "Enter the recovery code as 10 letters and numbers, like abcde-fghij." in page_of(short)
    assert "Enter one of your recovery codes." in page_of(enter_recovery_code(client, ""))
    for _ in range(5):
        assert enter_recovery_code(client, "aaaaa-aaaaa").status_code == 200
    throttled = enter_recovery_code(client, codes[0])
    assert throttled.status_code == 429 and "Wait 15 minutes, then try again." in page_of(throttled)
    assert client.get("/findings").status_code == 302


def test_recovery_codes_are_kept_only_as_hashes(app):
    user, codes = with_recovery_codes()
    stored = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(stored) == 10 and all(value.startswith("$argon2id$") for value in stored)
    assert not any(code in value or code.replace("-", "") in value for code in codes for value in stored)


def test_the_last_recovery_code_says_to_make_new_ones(client):
    user, codes = with_recovery_codes()
    db.session.execute(
        sa.update(RecoveryCode).where(RecoveryCode.user_id == user.id).values(used_at=utcnow())
    )
    db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.id == db.session.scalar(sa.select(sa.func.max(RecoveryCode.id))))
        .values(used_at=None)
    )
    db.session.commit()
    password_step(client, user)
    assert enter_recovery_code(client, codes[-1]).headers["Location"] == "/actions/mine"
    assert "You signed in with your last recovery code. Make new recovery codes now" in page_of(
        client.get("/")
    )


def test_new_recovery_codes_take_the_password_and_replace_every_code(client_as, app):
    user, old_codes = with_recovery_codes()
    client = client_as(user)
    page = page_of(client.get("/account/two-step/recovery-codes"))
    assert "You have <strong>10</strong> unused recovery codes." in page
    wrong = client.post("/account/two-step/recovery-codes", data={"password": "not-my-password"})
    assert wrong.status_code == 200 and "Your password is not correct." in page_of(wrong)
    assert "Enter your password." in page_of(client.post("/account/two-step/recovery-codes", data={}))
    made = client.post("/account/two-step/recovery-codes", data={"password": factories.PASSWORD})
    new_codes = shown_codes(made)
    assert made.status_code == 200 and len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.verb == "user.recovery_codes_regenerated")
        .order_by(AuditEvent.id.desc())
    ).first()  # the first set came from the same service
    assert (
        event.actor_id == user.id
        and event.before == {"recovery_codes_left": 10}
        and event.after == {"recovery_codes_left": 10}
    )
    signing_in = app.test_client()
    password_step(signing_in, user)
    assert enter_recovery_code(signing_in, old_codes[3]).status_code == 200  # the old codes no longer work
    assert enter_recovery_code(signing_in, new_codes[3]).headers["Location"] == "/actions/mine"


def test_the_recovery_codes_page_is_for_people_with_two_step_on(client_as):
    client = client_as(Role.OFFICER)
    assert client.get("/account/two-step/recovery-codes").headers["Location"] == "/account/two-step"


def test_turning_two_step_off_needs_the_password_and_a_code(client_as):
    user = with_two_step()
    client = client_as(user)
    wrong_password = client.post("/account/two-step/off", data={"password": "not-it", "code": code_at(NOW)})
    assert wrong_password.status_code == 200 and "Your password is not correct." in page_of(wrong_password)
    wrong_code = client.post("/account/two-step/off", data={"password": factories.PASSWORD, "code": "12345"})
    assert "Enter the code as 6 digits, like 123456." in page_of(wrong_code)
    missing = client.post("/account/two-step/off", data={})
    assert "Enter your password." in page_of(
        missing
    ) and "Enter the 6-digit code from your authenticator app." in page_of(missing)
    db.session.refresh(user)
    assert user.totp_enabled_at is not None
    done = client.post(
        "/account/two-step/off",
        data={"password": factories.PASSWORD, "code": code_at(NOW)},
        follow_redirects=True,
    )
    assert "Two-step verification is off." in page_of(done) and "Set up two-step verification" in page_of(
        done
    )
    db.session.refresh(user)
    assert user.totp_secret is None and user.totp_enabled_at is None
    assert "user.mfa_disabled" in verbs(user)


def test_turning_two_step_off_with_a_code_but_no_password_is_refused(client_as):
    user, codes = with_recovery_codes()
    client = client_as(user)
    refused = client.post("/account/two-step/off", data={"code": code_at(NOW)})
    assert refused.status_code == 200 and "Enter your password." in page_of(refused)
    db.session.refresh(user)
    assert user.totp_enabled_at is not None and "user.mfa_disabled" not in verbs(user)
    client.post("/account/two-step/off", data={"password": factories.PASSWORD, "code": code_at(NOW)})
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    )  # the codes go with it


def test_an_administrator_removes_two_step_for_someone_who_lost_their_phone(admin_client, app):
    user = with_two_step(name="Sam Lost-Phone")
    listing = page_of(admin_client.get("/admin/users"))
    assert re.search(
        r"Sam Lost-Phone</td>.*?<strong class=\"govuk-tag govuk-tag--green\">On</strong>", listing, re.S
    )
    page = page_of(admin_client.get(f"/admin/users/{user.id}"))
    assert "Two-step verification" in page and "Remove two-step verification" in page
    response = admin_client.post(f"/admin/users/{user.id}/two-step", follow_redirects=True)
    assert "Removed Sam Lost-Phone&#39;s two-step verification." in page_of(response)
    db.session.refresh(user)
    assert user.totp_enabled_at is None and user.totp_secret is None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "user.mfa_removed")).one()
    assert event.actor_id == admin_client.user.id and event.entity_id == user.id
    client = app.test_client()
    assert (
        password_step(client, user).headers["Location"] == "/actions/mine"
    )  # the password alone, until set up again
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
    monkeypatch.setitem(app.config, "TRACKER_TWO_STEP_REQUIRED_ROLES", "leader,admin")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEADER])
def test_with_two_step_required_admins_and_leaders_set_it_up_before_anything_else(require_mfa, client, role):
    user = factories.UserFactory(role=role)
    signed_in = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert signed_in.headers["Location"] == "/account/two-step"  # straight on from the password
    page = page_of(client.get("/account/two-step"))
    assert "People with your role must use two-step verification in this service." in page
    assert (
        "QR code for setting up two-step verification" in page
    )  # the password was just given: no need to ask again
    for blocked in [
        "/",
        "/findings",
        "/actions",
        "/admin/users",
        "/exports",
        "/account/two-step/recovery-codes",
    ]:
        response = client.get(blocked)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-step", blocked
    assert client.post("/findings/new", data={}).headers["Location"] == "/account/two-step"
    assert client.get("/accessibility").status_code == 200
    secret = db.session.scalar(sa.select(User.totp_pending_secret).where(User.id == user.id))
    client.post("/account/two-step", data={"code": code_at(NOW, secret)})
    assert client.get("/admin/users" if role is Role.ADMIN else "/actions").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"


def test_a_leader_already_signed_in_without_two_step_cannot_open_actions_until_it_is_on(
    require_mfa, client_as
):
    client = client_as(Role.LEADER)
    assert client.get("/actions").headers["Location"] == "/account/two-step"
    assert "Confirm it is you" in page_of(client.get("/account/two-step"))
    start_setup(client)
    client.post("/account/two-step", data={"code": code_at(NOW, setup_secret(client))})
    assert client.get("/actions").status_code == 200


def test_with_two_step_relaxed_a_leader_opens_actions_with_the_password_alone(app, monkeypatch, client):
    monkeypatch.setitem(app.config, "TRACKER_TWO_STEP_REQUIRED_ROLES", "")
    user = factories.UserFactory(role=Role.LEADER)
    assert password_step(client, user).headers["Location"] == "/"
    assert client.get("/actions").status_code == 200
    assert "must use two-step verification" not in page_of(client.get("/account/two-step"))


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
