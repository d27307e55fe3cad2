"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.auth import bp, sso, throttle
from tracker.auth.forms import LoginForm
from tracker.auth.mfa_views import ask_for_code, begin_setup
from tracker.auth.models import User
from tracker.auth.services import AuthError, authenticate, record_sign_out
from tracker.auth.sessions import end_session, start_session
from tracker.auth.sso_views import signed_out_by_sso
from tracker.permissions import SSO_SESSION_KEY, home_for, must_set_up_two_step


def safe_next(target: str | None, user: User) -> str:
    """Only follow a `next` that stays on this site: a path with no scheme or host. Without one, the person's
    home (`home_for`): the password alone, the two-step code and a recovery code all land there."""
    if not target:
        return url_for(home_for(user))
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for(home_for(user))
    return target


@bp.route("/login", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_account
@throttle.account_backoff
def login():
    """Sign in with email and password; anyone may see this page."""
    if current_user.is_authenticated:
        return redirect(url_for(home_for(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            sso.refuse_password_if_required(form.email.data)
            user = authenticate(form.email.data, form.password.data)
        except AuthError as error:
            throttle.note_failure()
            form.email.errors.append(str(error))
        else:
            throttle.note_password_right()
            if user.totp_enabled_at is not None:
                return ask_for_code(user, safe_next(request.args.get("next"), user))
            start_session(user)
            if must_set_up_two_step(user):  # the password was just given: straight on to the QR code
                begin_setup(user, form.password.data)
                return redirect(url_for("auth.two_step"))
            return redirect(safe_next(request.args.get("next"), user))
    return render_template("auth/login.html", form=form, sso=sso.settings())


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so that no link or image can sign someone out)."""
    record_sign_out(current_user)
    by_sso = session.get(SSO_SESSION_KEY)
    end_session()
    if isinstance(by_sso, dict):
        return signed_out_by_sso(by_sso.get("id_token"))
    flash("You have been signed out.", "success")
    return redirect(url_for("auth.login"))
