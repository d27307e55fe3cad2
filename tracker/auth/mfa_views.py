"""Two-step verification pages: the code (or a recovery code) after a correct password, setting it up with the
password again, recovery codes, and turning it off.

Between the password and the code the session holds only who is waiting and since when
(`throttle.PENDING_KEY`): nobody is signed in until the code is right, and `start_session` then
starts a fresh session. While someone sets it up, the session holds only the digest of the secret being
set up (`SETUP_KEY`); the secret itself stays on the server (tracker/auth/mfa.py).
"""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth import bp, mfa, sso, throttle
from tracker.auth.forms import (
    RecoveryCodesForm,
    SignInCodeForm,
    SignInRecoveryCodeForm,
    TwoStepOffForm,
    TwoStepSetupForm,
    TwoStepStartForm,
)
from tracker.auth.models import User
from tracker.auth.services import AuthError
from tracker.auth.sessions import start_session
from tracker.extensions import db
from tracker.forms import show_error
from tracker.permissions import home_for
from tracker.text import counted

PENDING_SECONDS = 10 * 60  # the code must follow the password within ten minutes
SETUP_KEY = "two_step_setup"  # the SHA-256 of the secret this session is setting up, never the secret


def ask_for_code(user: User, next_url: str) -> Response:
    """The password was right and the account has two-step verification: ask for the code next."""
    session.pop(SETUP_KEY, None)
    session[throttle.PENDING_KEY] = {"user_id": user.id, "since": int(mfa.clock()), "next": next_url}
    return redirect(url_for("auth.sign_in_code"))


def begin_setup(user: User, password: str) -> None:
    """Start setting up two-step verification in this session (the password is checked again)."""
    session[SETUP_KEY] = mfa.setup_digest(mfa.start_setup(user, password))


def pending_user() -> User | None:
    """Who entered the right password in this session, if it was less than ten minutes ago."""
    pending = session.get(throttle.PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user_id"), int):
        return None
    if not isinstance(pending.get("since"), int) or mfa.clock() - pending["since"] > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user_id"])
    return user if user is not None and user.active and mfa.has_two_step(user) else None


def single_sign_on_instead(user: User) -> Response | None:
    """Back to the sign-in page, told to use the single sign-on button, when the person's domain came to need
    it between their password and their code (an administrator added it on /admin/sso meanwhile)."""
    try:
        sso.refuse_password_if_required(user.email)
    except AuthError as error:
        session.pop(throttle.PENDING_KEY, None)
        flash(str(error), "error")
        return redirect(url_for("auth.login"))
    return None


def sign_in_again() -> Response:
    session.pop(throttle.PENDING_KEY, None)
    flash("Sign in again: the code must follow your password within 10 minutes.", "info")
    return redirect(url_for("auth.login"))


def finish_sign_in(user: User) -> Response:
    next_url = session[throttle.PENDING_KEY].get("next") or url_for(home_for(user))
    start_session(user)
    return redirect(next_url)


@bp.route("/login/code", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_pending_account
def sign_in_code():
    """The second step of signing in: the 6-digit code from the person's authenticator app."""
    if current_user.is_authenticated:
        return redirect(url_for(home_for(current_user)))
    user = pending_user()
    if user is None:
        return sign_in_again()
    if (refused := single_sign_on_instead(user)) is not None:
        return refused
    form = SignInCodeForm()
    if form.validate_on_submit():
        try:
            mfa.sign_in_with_code(user, form.code.data)
        except AuthError as error:
            throttle.note_failure()
            show_error(form, error)
        else:
            return finish_sign_in(user)
    return render_template("auth/sign_in_code.html", form=form)


@bp.route("/login/recovery-code", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_pending_account
def sign_in_recovery_code():
    """The second step of signing in with a single-use recovery code, for someone without their phone."""
    if current_user.is_authenticated:
        return redirect(url_for(home_for(current_user)))
    user = pending_user()
    if user is None:
        return sign_in_again()
    if (refused := single_sign_on_instead(user)) is not None:
        return refused
    form = SignInRecoveryCodeForm()
    if form.validate_on_submit():
        try:
            left = mfa.sign_in_with_recovery_code(user, form.code.data)
        except AuthError as error:
            throttle.note_failure()
            show_error(form, error)
        else:
            response = finish_sign_in(user)
            flash(codes_left_message(left), "info")
            return response
    return render_template("auth/sign_in_recovery_code.html", form=form)


def codes_left_message(left: int) -> str:
    if left == 0:
        return (
            "You signed in with your last recovery code. Make new recovery codes now, "
            "from Two-step verification, so that you can sign in if you lose your phone."
        )
    return (
        "You signed in with a recovery code, which cannot be used again. "
        f"You have {counted(left, 'recovery code')} left."
    )


@bp.route("/account/two-step", methods=["GET", "POST"])
def two_step():
    """Two-step verification for the person signed in: start with the password, scan and confirm,
    or see it on."""
    if mfa.has_two_step(current_user):
        return render_template(
            "auth/two_step_on.html",
            form=TwoStepOffForm(formdata=None),
            recovery_codes_left=mfa.recovery_codes_left(current_user),
        )
    secret = mfa.pending_secret(current_user, session.get(SETUP_KEY))
    if secret is None:  # not started here, or started again elsewhere since: the password first
        replaced = session.pop(SETUP_KEY, None) is not None
        return render_template(
            "auth/two_step_start.html", form=TwoStepStartForm(formdata=None), replaced=replaced
        )
    form = TwoStepSetupForm()
    if form.validate_on_submit():
        try:
            codes = mfa.enable_two_step(current_user, session.get(SETUP_KEY), form.code.data)
        except AuthError as error:
            show_error(form, error)
        else:
            session.pop(SETUP_KEY, None)
            return render_template("auth/recovery_codes_new.html", codes=codes, just_turned_on=True)
    return render_template("auth/two_step_setup.html", form=form, **setup_page(secret))


@bp.route("/account/two-step/start", methods=["POST"])
@throttle.per_address
@throttle.per_signed_in_account
def start_two_step():
    """Begin setting up two-step verification: the password again,
    so that a session left open cannot enrol a phone."""
    if mfa.has_two_step(current_user):
        return redirect(url_for("auth.two_step"))
    form = TwoStepStartForm()
    if form.validate_on_submit():
        try:
            begin_setup(current_user, form.password.data)
        except AuthError as error:
            throttle.note_failure()
            show_error(form, error)
        else:
            return redirect(url_for("auth.two_step"))
    return render_template("auth/two_step_start.html", form=form)


def setup_page(secret: str) -> dict:
    """What the setup page shows: the QR code and the same key as text, in groups of four."""
    issuer = current_app.config["TRACKER_SERVICE_NAME"]
    uri = mfa.setup_uri(current_user, secret, issuer)
    label = f"QR code for setting up two-step verification for {current_user.email}"
    return {"qr_code": mfa.qr_code_svg(uri, label), "grouped_secret": mfa.grouped(secret), "issuer": issuer}


@bp.route("/account/two-step/recovery-codes", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_signed_in_account
def recovery_codes():
    """How many recovery codes are left, and a new set (with the password again), shown once."""
    if not mfa.has_two_step(current_user):
        return redirect(url_for("auth.two_step"))
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = mfa.regenerate_recovery_codes(current_user, form.password.data)
        except AuthError as error:
            throttle.note_failure()
            show_error(form, error)
        else:
            return render_template("auth/recovery_codes_new.html", codes=codes, just_turned_on=False)
    return render_template("auth/recovery_codes.html", form=form, left=mfa.recovery_codes_left(current_user))


@bp.route("/account/two-step/off", methods=["POST"])
@throttle.per_address
@throttle.per_signed_in_account
def turn_off_two_step():
    """Turn two-step verification off: it takes the password and a current code."""
    form = TwoStepOffForm()
    if not mfa.has_two_step(current_user):
        return redirect(url_for("auth.two_step"))
    if form.validate_on_submit():
        try:
            mfa.disable_two_step(current_user, form.password.data, form.code.data)
        except AuthError as error:
            throttle.note_failure()
            show_error(form, error)
        else:
            flash("Two-step verification is off. You can turn it on again on this page.", "success")
            return redirect(url_for("auth.two_step"))
    return render_template(
        "auth/two_step_on.html", form=form, recovery_codes_left=mfa.recovery_codes_left(current_user)
    )
