"""Two-step verification with an authenticator app (TOTP, RFC 6238): setting it up, the code at sign-in,
turning it off, and an administrator removing it for someone who lost their phone.

The shared secret is kept in `user.totp_secret` as the app has it (base32), not encrypted: see
docs/security.md for why. A code is accepted for the time step it belongs to, or one step (30 seconds)
either side for a phone whose clock drifts, and only once: `user.totp_last_step` is the last step
accepted, and a code for that step or an earlier one is refused.
"""

import re
import time
from collections.abc import Callable

import pyotp
import segno
from markupsafe import Markup

from tracker import audit
from tracker.auth.models import User
from tracker.auth.services import AuthError, password_is_correct, record_sign_in
from tracker.extensions import db
from tracker.models import utcnow

DRIFT_STEPS = 1  # a code from the step before or after now is accepted too
SECRET_PATTERN = re.compile(r"[A-Z2-7]{32}")

clock: Callable[[], float] = time.time  # tests may replace it to stand at a chosen moment

WRONG_CODE = "The code is not correct. Enter the 6-digit code your authenticator app shows now."
USED_CODE = "That code has already been used. Wait for your app to show a new code, then enter it."


def new_secret() -> str:
    """A fresh 160-bit secret, as authenticator apps expect it (32 base32 characters)."""
    return pyotp.random_base32()


def is_secret(value: object) -> bool:
    return isinstance(value, str) and SECRET_PATTERN.fullmatch(value) is not None


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def setup_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG markup (no data: image, so the content security policy stays strict)."""
    svg = segno.make(uri, micro=False, error="m").svg_inline(scale=5, border=4, svgclass="app-qr-code", title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is, within the drift allowed, or None when it matches none."""
    totp = pyotp.TOTP(secret)
    moment = clock() if now is None else now
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if totp.verify(code, for_time=moment + offset * totp.interval):
            return totp.timecode(moment) + offset
    return None


def _accept_code(user: User, code: str) -> int:
    """Check a code against the user's own secret: the step it belongs to, never one already used."""
    step = matching_step(user.totp_secret or "", code)
    if step is None:
        raise AuthError(WRONG_CODE, "code")
    if user.totp_last_step is not None and step <= user.totp_last_step:
        raise AuthError(USED_CODE, "code")
    return step


def has_two_step(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def enable_two_step(user: User, secret: str, code: str) -> None:
    """Turn two-step verification on, once the person has shown their app makes the right codes."""
    if has_two_step(user):
        raise AuthError("Two-step verification is already on.")
    if not is_secret(secret):
        raise AuthError("The setup key has expired. Scan the new QR code and enter the code it shows.", "code")
    step = matching_step(secret, code)
    if step is None:
        raise AuthError(WRONG_CODE, "code")
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    audit.record(user, "user.mfa_enabled", user, before={"two_step": False}, after={"two_step": True})
    db.session.commit()


def sign_in_with_code(user: User, code: str) -> None:
    """The second step of signing in: the password was right, and now the code is."""
    if not user.active or not has_two_step(user):
        raise AuthError("Sign in again with your email address and password.")
    user.totp_last_step = _accept_code(user, code)
    record_sign_in(user, two_step=True)


def disable_two_step(user: User, password: str, code: str) -> None:
    """Someone turns their own two-step verification off: their password and a current code, both."""
    if not has_two_step(user):
        raise AuthError("Two-step verification is already off.")
    if not password_is_correct(user, password):
        raise AuthError("Your password is not correct.", "password")
    _accept_code(user, code)
    _turn_off(user, actor=user, verb="user.mfa_disabled")


def remove_two_step(actor: User, user: User) -> None:
    """An administrator removes someone's two-step verification (a lost or replaced phone); they set it up again."""
    if actor.id == user.id:
        raise AuthError("You cannot remove your own two-step verification here: turn it off from your own "
                        "two-step verification page, with your password and a code.")
    if not has_two_step(user):
        raise AuthError(f"{user.name} does not have two-step verification turned on.")
    _turn_off(user, actor=actor, verb="user.mfa_removed")


def _turn_off(user: User, actor: User, verb: str) -> None:
    audit.record(actor, verb, user, before={"two_step": True}, after={"two_step": False})
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    db.session.commit()
