"""Changing your own password: every other session of yours ends, this one stays signed in."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.auth import bp, throttle
from tracker.auth.forms import ChangePasswordForm
from tracker.auth.services import AuthError, change_password
from tracker.auth.sessions import current_session
from tracker.forms import show_error


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@throttle.per_address
@throttle.per_signed_in_account
def change_password_page():
    """Current password, then the new one twice; anyone signed in may change their own. A wrong current
    password counts against the sign-in limits, so a session left open cannot be used to guess it."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user, form.current_password.data, form.password.data, keep=current_session()
            )
        except AuthError as error:
            if error.field == "current_password":
                throttle.note_failure()
            show_error(form, error)
        else:
            flash(
                "Your password has been changed. Anywhere else you were signed in, you have been signed out.",
                "success",
            )
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
