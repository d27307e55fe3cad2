"""Throttling sign-in: failed attempts counted per account and per address, with Flask-Limiter.

Only failures count (a wrong password or code, an unknown email): a person who signs in correctly
never uses up the allowance, so the many staff behind one council address are not held up by each
other. Once an account or an address has used its allowance, every attempt is refused without looking
at the password or the code, right or wrong, until the oldest failure leaves the window (a moving
window): otherwise the answer would tell someone guessing that a password was right. The account is
the normalised email as typed, whether or not anyone has it, so throttling says nothing about which
emails exist. Limits come from TRACKER_SIGNIN_LIMIT_PER_ACCOUNT and TRACKER_SIGNIN_LIMIT_PER_ADDRESS;
counts live in RATELIMIT_STORAGE_URI (docs/security.md).
"""

import hashlib
import math
import time

from flask import current_app, g, make_response, render_template, request, session
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from tracker.auth import bp
from tracker.auth.forms import ChangePasswordForm, LoginForm, SignInCodeForm, TwoStepOffForm
from tracker.auth.services import AuthError, normalise_email
from tracker.errors import handle_http_error
from tracker.extensions import limiter

PENDING_KEY = "two_step_pending"  # the session key of a sign-in waiting for its code (tracker/auth/mfa_views.py)


def note_failure() -> None:
    """The view found the password or the code wrong: this request counts against the limits."""
    g.signin_failed = True


def _failed(_response) -> bool:
    return bool(g.get("signin_failed"))


def _digest(text: str) -> str:
    """Keys name no email or person: the store holds a digest, never the address itself."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def account_key() -> str:
    """The account an attempt is about: the normalised email typed, known or not."""
    typed = request.form.get("email", "")[:320]  # read before the form's own checks: no more than an email's length
    try:
        email = normalise_email(typed)
    except AuthError:
        email = typed.strip().lower()
    return "account-" + _digest(email)


def pending_account_key() -> str:
    """The account whose code is being entered: the one whose password was right."""
    pending = session.get(PENDING_KEY)
    user_id = pending.get("user_id") if isinstance(pending, dict) else None
    return "account-" + _digest(f"user:{user_id}")


def signed_in_account_key() -> str:
    """The account of the person signed in, for forms that check their password again."""
    return "account-" + _digest(f"user:{current_user.get_id()}")


def _per_account() -> str:
    return current_app.config["TRACKER_SIGNIN_LIMIT_PER_ACCOUNT"]


def _per_address() -> str:
    return current_app.config["TRACKER_SIGNIN_LIMIT_PER_ADDRESS"]


# the address's allowance is one, shared by the password and code forms
per_address = limiter.shared_limit(
    _per_address, scope="signin-address", key_func=get_remote_address, methods=["POST"], deduct_when=_failed
)
per_account = limiter.limit(_per_account, key_func=account_key, methods=["POST"], deduct_when=_failed)
per_pending_account = limiter.limit(_per_account, key_func=pending_account_key, methods=["POST"], deduct_when=_failed)
per_signed_in_account = limiter.limit(_per_account, key_func=signed_in_account_key, methods=["POST"], deduct_when=_failed)


def seconds_to_wait() -> int:
    """How long until the limit this request broke lets one more attempt through."""
    breached = limiter.current_limit
    # the window's own reset time: RequestLimit.reset_at rounds up by a second, which can read as "16 minutes"
    reset_at = breached.window.reset_time if breached is not None else time.time() + 60
    return max(1, math.ceil(reset_at - time.time()))


def try_again_message(seconds: int, what: str) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    wait = f"{minutes} minute" + ("s" if minutes != 1 else "")
    return f"{what} Wait {wait}, then try again."


TOO_MANY_PASSWORDS = "You have tried to sign in too many times."
TOO_MANY_CODES = "You have entered a wrong code or password too many times."
TOO_MANY_CURRENT = "You have entered a wrong current password too many times."
# each throttled form, shown again as it was sent: its template, its form, the field the message is beside
THROTTLED_PAGES = {
    "auth.login": ("auth/login.html", LoginForm, "email", TOO_MANY_PASSWORDS),
    "auth.sign_in_code": ("auth/sign_in_code.html", SignInCodeForm, "code", TOO_MANY_CODES),
    "auth.turn_off_two_step": ("auth/two_step_on.html", TwoStepOffForm, "password", TOO_MANY_CODES),
    "auth.change_password": ("auth/change_password.html", ChangePasswordForm, "current_password", TOO_MANY_CURRENT),
}


@bp.errorhandler(RateLimitExceeded)
def throttled(error: RateLimitExceeded):
    """Too many failures: the same page again (429) with what was typed, saying how long to wait."""
    if request.endpoint not in THROTTLED_PAGES:
        return handle_http_error(error)
    template, form_class, field, what = THROTTLED_PAGES[request.endpoint]
    seconds = seconds_to_wait()
    form = form_class()
    getattr(form, field).errors = [try_again_message(seconds, what)]
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response
