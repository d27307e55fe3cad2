"""Throttling sign-in: failed attempts counted per address, per account from one address,
and a back-off per account.

Only failures count (a wrong password or code, an unknown email): a person who signs in correctly
never uses up the allowance, so the many staff behind one council address are not held up by each
other. Once an allowance is used, every attempt is refused without looking at the password or the
code, right or wrong, until it frees (a moving window): otherwise the answer would tell someone
guessing that a password was right. On the password form the account's allowance is counted per
address, so a guesser's address is held for the window and the owner's is not; across all addresses
the account only backs off, for a wait that doubles with each failure up to a cap
(`account_backoff`), and never for the addresses that have signed in to it before: so nobody can keep
the owner out. The account is the normalised email as typed, whether or not anyone has it, so
throttling says nothing about which emails exist. Settings and storage: docs/security.md.
"""

import functools
import hashlib
import math
import time
from collections.abc import Callable

from flask import current_app, g, make_response, render_template, request, session
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from tracker.auth import bp
from tracker.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    RecoveryCodesForm,
    SignInCodeForm,
    SignInRecoveryCodeForm,
    TwoStepOffForm,
    TwoStepStartForm,
)
from tracker.auth.services import AuthError, normalise_email
from tracker.errors import handle_http_error
from tracker.extensions import limiter
from tracker.text import counted

clock: Callable[[], float] = time.time  # tests may replace it to travel in time (the back-off's waits)
BACKOFF_AFTER_FAILURES = 5  # an account's failures, from anywhere, before it backs off
BACKOFF_COUNTED_SECONDS = 60 * 60  # an account's failures are counted for an hour from the first
KNOWN_ADDRESS_SECONDS = (
    30 * 24 * 60 * 60
)  # an address that signed in to an account skips its back-off for 30 days
PENDING_KEY = (
    "two_step_pending"  # the session key of a sign-in waiting for its code (tracker/auth/mfa_views.py)
)


def note_failure() -> None:
    """The view found the password or the code wrong: this request counts against the limits."""
    g.signin_failed = True


def note_password_right() -> None:
    """The view found the password right: this address is one the account signs in from."""
    g.signin_password_right = True


def _failed(_response) -> bool:
    return bool(g.get("signin_failed"))


def _digest(text: str) -> str:
    """Keys name no email or person: the store holds a digest, never the address itself."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def account_key() -> str:
    """The account an attempt is about: the normalised email typed, known or not."""
    typed = request.form.get("email", "")[
        :320
    ]  # read before the form's own checks: no more than an email's length
    try:
        email = normalise_email(typed)
    except AuthError:
        email = typed.strip().lower()
    return "account-" + _digest(email)


def account_address_key() -> str:
    """The account an attempt is about, from the address it comes from: a guesser's address is held,
    not the owner's."""
    return f"{account_key()}/{get_remote_address()}"


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
per_account = limiter.limit(_per_account, key_func=account_address_key, methods=["POST"], deduct_when=_failed)
per_pending_account = limiter.limit(
    _per_account, key_func=pending_account_key, methods=["POST"], deduct_when=_failed
)
per_signed_in_account = limiter.limit(
    _per_account, key_func=signed_in_account_key, methods=["POST"], deduct_when=_failed
)


def account_backoff(view):
    """An account's failures from anywhere hold it back for a wait that doubles each time,
    except from known addresses."""

    @functools.wraps(view)
    def backing_off(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        account = account_key()
        wait = _backoff_left(account)
        if wait and not _stored(f"signin-known/{account}/{get_remote_address()}"):
            return throttled_page(wait)
        response = view(*args, **kwargs)
        if g.get("signin_failed"):
            _back_off(account)
        elif g.get("signin_password_right"):
            _store(f"signin-known/{account}/{get_remote_address()}", 1, KNOWN_ADDRESS_SECONDS)
        return response

    return backing_off


def backoff_seconds(failures: int) -> int:
    """The wait after an account's nth failure: none at first,
    then doubling from the first wait up to the cap."""
    if failures < BACKOFF_AFTER_FAILURES:
        return 0
    first = current_app.config["TRACKER_SIGNIN_BACKOFF_FIRST_SECONDS"]
    cap = current_app.config["TRACKER_SIGNIN_BACKOFF_MAX_SECONDS"]
    return min(cap, first * 2 ** min(failures - BACKOFF_AFTER_FAILURES, 20))


def _back_off(account: str) -> None:
    storage = limiter.limiter.storage
    try:
        failures = storage.incr(f"signin-failures/{account}", BACKOFF_COUNTED_SECONDS)
    except storage.base_exceptions:
        current_app.logger.warning(
            "Sign-in back-off: the throttling store did not answer; this failure is not counted."
        )
        return
    wait = backoff_seconds(failures)
    if wait:
        # the store keeps whole numbers: the millisecond the wait ends, by this module's clock
        _store(f"signin-backoff/{account}", math.ceil((clock() + wait) * 1000), wait + 1)


def _backoff_left(account: str) -> int:
    until = _stored(f"signin-backoff/{account}")
    return max(0, math.ceil(until / 1000 - clock())) if until else 0


def _store(key: str, value: int, seconds: int) -> None:
    storage = limiter.limiter.storage
    try:
        storage.clear(key)
        storage.incr(key, seconds, amount=value)
    except storage.base_exceptions:
        current_app.logger.warning("Sign-in back-off: the throttling store did not answer.")


def _stored(key: str) -> int:
    storage = limiter.limiter.storage
    try:
        return storage.get(key)
    except storage.base_exceptions:
        current_app.logger.warning("Sign-in back-off: the throttling store did not answer.")
        return 0


def seconds_to_wait() -> int:
    """How long until the limit this request broke lets one more attempt through."""
    breached = limiter.current_limit
    # the window's own reset time: RequestLimit.reset_at rounds up by a second, which can read as "16 minutes"
    reset_at = breached.window.reset_time if breached is not None else time.time() + 60
    return max(1, math.ceil(reset_at - time.time()))


def try_again_message(seconds: int, what: str) -> str:
    if seconds < 60:
        wait = counted(seconds, "second")
    else:
        minutes = math.ceil(seconds / 60)
        wait = counted(minutes, "minute")
    return f"{what} Wait {wait}, then try again."


TOO_MANY_PASSWORDS = "You have tried to sign in too many times."
TOO_MANY_CODES = "You have entered a wrong code or password too many times."
TOO_MANY_CURRENT = "You have entered a wrong current password too many times."
# each throttled form, shown again as it was sent: its template, its form, the field the message is beside
THROTTLED_PAGES = {
    "auth.login": ("auth/login.html", LoginForm, "email", TOO_MANY_PASSWORDS),
    "auth.sign_in_code": ("auth/sign_in_code.html", SignInCodeForm, "code", TOO_MANY_CODES),
    "auth.sign_in_recovery_code": (
        "auth/sign_in_recovery_code.html",
        SignInRecoveryCodeForm,
        "code",
        TOO_MANY_CODES,
    ),
    "auth.start_two_step": ("auth/two_step_start.html", TwoStepStartForm, "password", TOO_MANY_CODES),
    "auth.recovery_codes": ("auth/recovery_codes.html", RecoveryCodesForm, "password", TOO_MANY_CODES),
    "auth.turn_off_two_step": ("auth/two_step_on.html", TwoStepOffForm, "password", TOO_MANY_CODES),
    "auth.change_password": (
        "auth/change_password.html",
        ChangePasswordForm,
        "current_password",
        TOO_MANY_CURRENT,
    ),
}


@bp.errorhandler(RateLimitExceeded)
def throttled(error: RateLimitExceeded):
    """Too many failures: the same page again (429) with what was typed, saying how long to wait."""
    if request.endpoint not in THROTTLED_PAGES:
        return handle_http_error(error)
    return throttled_page(seconds_to_wait())


def throttled_page(seconds: int):
    """This form again (429) as it was sent, its field saying how many seconds or minutes to wait."""
    assert request.endpoint is not None, "a throttled page is a route's"
    template, form_class, field, what = THROTTLED_PAGES[request.endpoint]
    form = form_class()
    getattr(form, field).errors = [try_again_message(seconds, what)]
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response
