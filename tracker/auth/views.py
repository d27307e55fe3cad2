"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tracker.auth import bp
from tracker.auth.forms import LoginForm
from tracker.auth.services import AuthError, authenticate, record_sign_out


def safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site: a path with no scheme or host."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; anyone may see this page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AuthError as error:
            form.email.errors.append(str(error))
        else:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so that no link or image can sign someone out)."""
    record_sign_out(current_user)
    logout_user()
    flash("You have been signed out.", "success")
    return redirect(url_for("auth.login"))
