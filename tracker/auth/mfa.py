"""Two-step verification with an authenticator app (TOTP, RFC 6238): setting it up, the code at sign-in,
recovery codes, turning it off, and an administrator removing it for someone who lost their phone.

The shared secret is kept in `user.totp_secret` as the app has it (base32), not encrypted: see
docs/security.md for why. A code is accepted for the time step it belongs to, or one step (30 seconds)
either side for a phone whose clock drifts, and only once: `user.totp_last_step` is the last step
accepted, and a code for that step or an earlier one is refused.

Setting up takes the password again. The secret being set up is kept on the server
(`user.totp_pending_secret`), never in the session cookie, which Flask signs but does not hide: the
session holds only the secret's SHA-256 (`setup_digest`), which ties the set-up to the session that
started it. Turning it on makes ten single-use recovery codes, shown once and kept only as hashes.
"""

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from typing import TypeGuard, cast

import pyotp
import segno
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from markupsafe import Markup
from sqlalchemy.engine import CursorResult

from tracker import audit
from tracker.auth.models import RecoveryCode, User
from tracker.auth.services import AuthError, password_is_correct, record_sign_in
from tracker.extensions import db
from tracker.models import utcnow

DRIFT_STEPS = 1  # a code from the step before or after now is accepted too
SECRET_PATTERN = re.compile(r"[A-Z2-7]{32}")

clock: Callable[[], float] = time.time  # tests may replace it to stand at a chosen moment

WRONG_CODE = "The code is not correct. Enter the 6-digit code your authenticator app shows now."
USED_CODE = "That code has already been used. Wait for your app to show a new code, then enter it."
WRONG_PASSWORD = "Your password is not correct."
WRONG_RECOVERY_CODE = "The recovery code is not correct, or it has been used. Each recovery code works once."
SETUP_EXPIRED = "The setup key has expired. Scan the new QR code and enter the code it shows."

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0, o, 1, i or l to misread
RECOVERY_CODE_LENGTH = 10  # about 50 random bits, shown as two groups of five: abcde-fghij
# Argon2id like passwords (services._hasher), with lighter settings: a code is 50 random bits, not something a
# person chose, and a code typed at sign-in is checked against each of the person's unused ones
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=4096, parallelism=1)


def new_secret() -> str:
    """A fresh 160-bit secret, as authenticator apps expect it (32 base32 characters)."""
    return pyotp.random_base32()


def is_secret(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and SECRET_PATTERN.fullmatch(value) is not None


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def setup_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG markup (no data: image, so the content security policy stays strict)."""
    svg = segno.make(uri, micro=False, error="m").svg_inline(
        scale=5, border=4, svgclass="app-qr-code", title=label
    )
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


def setup_digest(secret: str) -> str:
    """What the session keeps of a secret being set up: enough to know it is this session's,
    nothing to use."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def start_setup(user: User, password: str) -> str:
    """Begin setting up two-step verification once the person has given their password again: a new secret,
    kept on the server and replacing any set-up started before. Returns the secret, to be shown."""
    if has_two_step(user):
        raise AuthError("Two-step verification is already on.")
    if not password_is_correct(user, password):
        raise AuthError(WRONG_PASSWORD, "password")
    user.totp_pending_secret = new_secret()
    audit.record(user, "user.mfa_setup_started", user)
    db.session.commit()
    return user.totp_pending_secret


def pending_secret(user: User, digest: object) -> str | None:
    """The secret this session is setting up, or None when it started none or a newer set-up replaced it."""
    secret = user.totp_pending_secret
    if not is_secret(secret) or not isinstance(digest, str):
        return None
    return secret if hmac.compare_digest(setup_digest(secret), digest) else None


def enable_two_step(user: User, digest: object, code: str) -> list[str]:
    """Turn two-step verification on, once the person has shown their app makes the right codes for the
    secret this session set up. Returns the new recovery codes, to be shown once."""
    if has_two_step(user):
        raise AuthError("Two-step verification is already on.")
    secret = pending_secret(user, digest)
    if secret is None:
        raise AuthError(SETUP_EXPIRED, "code")
    step = matching_step(secret, code)
    if step is None:
        raise AuthError(WRONG_CODE, "code")
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    user.totp_pending_secret = None
    codes = _replace_recovery_codes(user)
    audit.record(
        user,
        "user.mfa_enabled",
        user,
        before={"two_step": False},
        after={"two_step": True, "recovery_codes_left": len(codes)},
    )
    db.session.commit()
    return codes


def sign_in_with_code(user: User, code: str) -> None:
    """The second step of signing in: the password was right, and now the code is."""
    if not user.active or not has_two_step(user):
        raise AuthError("Sign in again with your email address and password.")
    user.totp_last_step = _accept_code(user, code)
    record_sign_in(user, two_step=True)


def sign_in_with_recovery_code(user: User, typed: str) -> int:
    """The second step of signing in with a recovery code instead of the app's code: each code works once.
    Returns how many unused codes are left."""
    if not user.active or not has_two_step(user):
        raise AuthError("Sign in again with your email address and password.")
    code = _matching_recovery_code(user, normalise_recovery_code(typed))
    if code is None or not _spend(code):
        raise AuthError(WRONG_RECOVERY_CODE, "code")
    left = recovery_codes_left(user)
    audit.record(user, "user.recovery_code_used", user, after={"recovery_codes_left": left})
    record_sign_in(user, two_step=True, recovery_code=True)
    return left


def _spend(code: RecoveryCode) -> bool:
    """Mark the code used, only if it still is unused: of two requests racing with one code, one signs in."""
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.id == code.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult, spent).rowcount == 1  # an UPDATE's result has its row count


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes, with the password again: every earlier code, used or not, stops working."""
    if not has_two_step(user):
        raise AuthError("Turn on two-step verification first: recovery codes come with it.")
    if not password_is_correct(user, password):
        raise AuthError(WRONG_PASSWORD, "password")
    before = recovery_codes_left(user)
    codes = _replace_recovery_codes(user)
    audit.record(
        user,
        "user.recovery_codes_regenerated",
        user,
        before={"recovery_codes_left": before},
        after={"recovery_codes_left": len(codes)},
    )
    db.session.commit()
    return codes


def normalise_recovery_code(typed: str) -> str:
    """People type codes with capitals, spaces or the hyphen as shown: keep the letters and digits."""
    return re.sub(r"[\s-]", "", typed or "").lower()


def is_recovery_code(typed: str) -> bool:
    code = normalise_recovery_code(typed)
    return len(code) == RECOVERY_CODE_LENGTH and all(char in RECOVERY_CODE_ALPHABET for char in code)


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    """Delete the person's recovery codes and make a new set; only their hashes are stored."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hasher.hash(normalise_recovery_code(code)))
        for code in codes
    )
    return codes


def _matching_recovery_code(user: User, code: str) -> RecoveryCode | None:
    if len(code) != RECOVERY_CODE_LENGTH:
        return None
    unused = db.session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for candidate in unused:
        try:
            if _recovery_hasher.verify(candidate.code_hash, code):
                return candidate
        except (VerificationError, InvalidHashError):
            continue
    return None


def disable_two_step(user: User, password: str, code: str) -> None:
    """Someone turns their own two-step verification off: their password and a current code, both."""
    if not has_two_step(user):
        raise AuthError("Two-step verification is already off.")
    if not password_is_correct(user, password):
        raise AuthError(WRONG_PASSWORD, "password")
    _accept_code(user, code)
    _turn_off(user, actor=user, verb="user.mfa_disabled")


def remove_two_step(actor: User, user: User) -> None:
    """An administrator removes someone's two-step verification (a lost or replaced phone);
    they set it up again."""
    if actor.id == user.id:
        raise AuthError(
            "You cannot remove your own two-step verification here: turn it off from your own "
            "two-step verification page, with your password and a code."
        )
    if not has_two_step(user):
        raise AuthError(f"{user.name} does not have two-step verification turned on.")
    _turn_off(user, actor=actor, verb="user.mfa_removed")


def _turn_off(user: User, actor: User, verb: str) -> None:
    audit.record(
        actor,
        verb,
        user,
        before={"two_step": True, "recovery_codes_left": recovery_codes_left(user)},
        after={"two_step": False, "recovery_codes_left": 0},
    )
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()
