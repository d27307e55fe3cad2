"""The rules of two-step codes, without HTTP."""

import os
import subprocess
import sys

import pyotp
import pytest

from config import BASE_DIR, TestConfig
from tests import factories
from tracker import create_app
from tracker.auth import mfa
from tracker.auth.services import AuthError
from tracker.models import utcnow

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0
STEP = int(NOW // 30)


@pytest.mark.parametrize(
    ("drift", "step"), [(0, STEP), (-30, STEP - 1), (30, STEP + 1), (-90, None), (90, None), (60, None)]
)
def test_a_code_matches_its_own_step_or_one_either_side(drift, step):
    assert mfa.matching_step(SECRET, pyotp.TOTP(SECRET).at(for_time=NOW + drift), now=NOW) == step


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 56", "１２３４５６"])
def test_anything_but_the_right_six_digits_matches_nothing(typed):
    assert mfa.matching_step(SECRET, typed, now=NOW) is None


def test_new_secrets_are_160_bits_of_base32_and_never_repeat():
    secrets = {mfa.new_secret() for _ in range(50)}
    assert len(secrets) == 50 and all(mfa.is_secret(secret) for secret in secrets)
    assert not mfa.is_secret("short") and not mfa.is_secret(None) and not mfa.is_secret(SECRET.lower())


def test_the_key_is_shown_in_groups_of_four():
    assert mfa.grouped(SECRET) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"


def test_the_qr_code_is_inline_svg_with_a_text_alternative_and_carries_the_setup_address():
    user = factories.UserFactory(email="sam@council.example")
    uri = mfa.setup_uri(user, SECRET, "Inspection Readiness Tracker")
    assert uri == (
        "otpauth://totp/Inspection%20Readiness%20Tracker:sam%40council.example?secret="
        + SECRET
        + "&issuer=Inspection%20Readiness%20Tracker"
    )
    svg = str(mfa.qr_code_svg(uri, 'QR code for "sam"'))
    assert svg.startswith('<svg role="img" aria-label="QR code for &#34;sam&#34;" ')
    assert "<title>" in svg and "data:" not in svg and "style=" not in svg


def test_setting_up_takes_the_password_and_keeps_the_key_on_the_server_for_one_session(monkeypatch):
    monkeypatch.setattr(mfa, "clock", lambda: NOW)
    user = factories.UserFactory()
    with pytest.raises(AuthError, match="Your password is not correct"):
        mfa.start_setup(user, "not-the-password")
    assert user.totp_pending_secret is None
    first = mfa.start_setup(user, factories.PASSWORD)
    assert user.totp_pending_secret == first and mfa.pending_secret(user, mfa.setup_digest(first)) == first
    second = mfa.start_setup(user, factories.PASSWORD)  # a new start replaces the key
    assert second != first and mfa.pending_secret(user, mfa.setup_digest(first)) is None
    assert (
        mfa.pending_secret(user, None) is None and mfa.pending_secret(user, second) is None
    )  # the key is not its digest


def test_enabling_refuses_a_wrong_code_and_a_set_up_not_started_here(monkeypatch):
    monkeypatch.setattr(mfa, "clock", lambda: NOW)
    user = factories.UserFactory()
    digest = mfa.setup_digest(mfa.start_setup(user, factories.PASSWORD))
    secret = user.totp_pending_secret
    with pytest.raises(AuthError, match="The code is not correct"):
        mfa.enable_two_step(user, digest, "000000" if pyotp.TOTP(secret).at(NOW) != "000000" else "999999")
    with pytest.raises(AuthError, match="The setup key has expired"):
        mfa.enable_two_step(user, mfa.setup_digest(SECRET), pyotp.TOTP(SECRET).at(NOW))
    assert user.totp_enabled_at is None
    codes = mfa.enable_two_step(user, digest, pyotp.TOTP(secret).at(NOW))
    assert user.totp_last_step == STEP and user.totp_secret == secret and user.totp_pending_secret is None
    assert len(codes) == 10 and all(mfa.is_recovery_code(code) for code in codes)
    with pytest.raises(AuthError, match="already on"):
        mfa.enable_two_step(user, digest, pyotp.TOTP(secret).at(NOW + 30))


@pytest.mark.parametrize(
    ("typed", "normal"), [("abcde-fghjk", "abcdefghjk"), (" ABCDE FGHJK ", "abcdefghjk"), ("", "")]
)
def test_recovery_codes_are_read_as_typed(typed, normal):
    assert mfa.normalise_recovery_code(typed) == normal


def test_a_recovery_code_works_once_and_new_codes_replace_the_old(monkeypatch):
    user = factories.UserFactory(totp_secret=SECRET, totp_enabled_at=utcnow())
    codes = mfa.regenerate_recovery_codes(user, factories.PASSWORD)
    assert mfa.recovery_codes_left(user) == 10
    assert mfa.sign_in_with_recovery_code(user, codes[0]) == 9
    with pytest.raises(AuthError, match="has been used"):
        mfa.sign_in_with_recovery_code(user, codes[0])
    with pytest.raises(AuthError, match="Your password is not correct"):
        mfa.regenerate_recovery_codes(user, "not-the-password")
    fresh = mfa.regenerate_recovery_codes(user, factories.PASSWORD)
    assert mfa.recovery_codes_left(user) == 10
    with pytest.raises(AuthError, match="not correct"):
        mfa.sign_in_with_recovery_code(user, codes[1])
    assert mfa.sign_in_with_recovery_code(user, fresh[1]) == 9


def test_recovery_codes_need_two_step_on():
    user = factories.UserFactory()
    with pytest.raises(AuthError, match="Turn on two-step verification first"):
        mfa.regenerate_recovery_codes(user, factories.PASSWORD)


def test_signing_in_moves_the_last_step_forward_only(monkeypatch):
    monkeypatch.setattr(mfa, "clock", lambda: NOW)
    user = factories.UserFactory(totp_secret=SECRET, totp_enabled_at=utcnow(), totp_last_step=STEP - 1)
    with pytest.raises(AuthError, match="already been used"):
        mfa.sign_in_with_code(user, pyotp.TOTP(SECRET).at(NOW - 30))
    mfa.sign_in_with_code(user, pyotp.TOTP(SECRET).at(NOW + 30))
    assert user.totp_last_step == STEP + 1
    with pytest.raises(AuthError, match="already been used"):
        mfa.sign_in_with_code(user, pyotp.TOTP(SECRET).at(NOW))


def test_leaders_and_admins_must_use_two_step_unless_the_setting_is_relaxed():
    environment = {
        key: value for key, value in os.environ.items() if key != "TRACKER_TWO_STEP_REQUIRED_ROLES"
    }
    default = subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.TRACKER_TWO_STEP_REQUIRED_ROLES)"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert default == "leader,admin"
    assert (
        TestConfig.TRACKER_TWO_STEP_REQUIRED_ROLES == ""
    )  # the suite relaxes it; tests/http/test_two_step.py turns it on


def test_a_setting_naming_no_role_stops_the_service_with_one_line():
    class Misspelt(TestConfig):
        TRACKER_TWO_STEP_REQUIRED_ROLES = "leaders, admin"

    with pytest.raises(
        SystemExit, match="TRACKER_TWO_STEP_REQUIRED_ROLES names roles from admin, leader, officer, viewer"
    ):
        create_app(Misspelt)
