"""Two-step verification pages: the code after a correct password, setting it up, and turning it off.

Between the password and the code the session holds only who is waiting and since when
(`throttle.PENDING_KEY`): nobody is signed in until the code is right, and `start_session` then
starts a fresh session.
"""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth import bp, mfa, throttle
from tracker.auth.forms import SignInCodeForm, TwoStepOffForm, TwoStepSetupForm
from tracker.auth.models import User
from tracker.auth.services import AuthError
from tracker.auth.sessions import start_session
from tracker.extensions import db
from tracker.forms import show_error

PENDING_SECONDS = 10 * 60  # the code must follow the password within ten minutes
SETUP_KEY = "two_step_setup_secret"  # the secret being set up, until a code confirms it


def ask_for_code(user: User, next_url: str) -> Response:
    """The password was right and the account has two-step verification: ask for the code next."""
    session.pop(SETUP_KEY, None)
    session[throttle.PENDING_KEY] = {"user_id": user.id, "since": int(mfa.clock()), "next": next_url}
    return redirect(url_for("auth.sign_in_code"))


def pending_user() -> User | None:
    """Who entered the right password in this session, if it was less than ten minutes ago."""
    pending = session.get(throttle.PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user_id"), int):
        return None
    if not isinstance(pending.get("since"), int) or mfa.clock() - pending["since"] > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user_id"])
    return user if user is not None and user.active and mfa.has_two_step(user) else None


@bp.route("/login/code", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_pending_account
def sign_in_code():
    """The second step of signing in: the 6-digit code from the person's authenticator app."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = pending_user()
    if user is None:
        session.pop(throttle.PENDING_KEY, None)
        flash("Sign in again: the code must follow your password within 10 minutes.", "info")
        return redirect(url_for("auth.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        try:
            mfa.sign_in_with_code(user, form.code.data)
        except AuthError as error:
            throttle.note_failure()
            show_error(form, error)
        else:
            next_url = session[throttle.PENDING_KEY].get("next") or url_for("main.index")
            start_session(user)
            return redirect(next_url)
    return render_template("auth/sign_in_code.html", form=form)


@bp.route("/account/two-step", methods=["GET", "POST"])
def two_step():
    """Set up two-step verification (scan, then confirm with a code), or see that it is on."""
    if mfa.has_two_step(current_user):
        return render_template("auth/two_step_on.html", form=TwoStepOffForm(formdata=None))
    secret = session.get(SETUP_KEY)
    if not mfa.is_secret(secret):
        secret = session[SETUP_KEY] = mfa.new_secret()
    form = TwoStepSetupForm()
    if form.validate_on_submit():
        try:
            mfa.enable_two_step(current_user, secret, form.code.data)
        except AuthError as error:
            show_error(form, error)
        else:
            session.pop(SETUP_KEY, None)
            flash("Two-step verification is on. You will need your app's code each time you sign in.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/two_step_setup.html", form=form, **setup_page(secret))


def setup_page(secret: str) -> dict:
    """What the setup page shows: the QR code and the same key as text, in groups of four."""
    issuer = current_app.config["TRACKER_SERVICE_NAME"]
    uri = mfa.setup_uri(current_user, secret, issuer)
    label = f"QR code for setting up two-step verification for {current_user.email}"
    return {"qr_code": mfa.qr_code_svg(uri, label), "grouped_secret": mfa.grouped(secret), "issuer": issuer}


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
    return render_template("auth/two_step_on.html", form=form)
