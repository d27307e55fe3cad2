"""Managing users: for administrators only."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import bp
from tracker.admin.forms import CreateUserForm, EditUserForm, ResetPasswordForm
from tracker.auth import mfa, sso
from tracker.auth.models import User
from tracker.auth.services import (
    AuthError,
    create_user,
    end_all_sessions,
    list_users,
    reset_password,
    update_user,
)
from tracker.auth.sessions import live_sessions
from tracker.extensions import db
from tracker.forms import once, show_error
from tracker.models import Role
from tracker.text import with_article


@bp.route("/users")
def users():
    """Everyone who can or could sign in, with their role."""
    return render_template("admin/users.html", users=list_users())


@bp.route("/users/new", methods=["GET", "POST"], endpoint="create_user")
@once(User, lambda _user: url_for("admin.users"))
def create_user_page():
    """Add a user with a role and a first password."""
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user, form.email.data, form.name.data, Role(form.role.data), form.password.data
            )
        except AuthError as error:
            show_error(form, error)
        else:
            flash(f"{user.name} can now sign in as {with_article(user.role.value)}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's name or role, or deactivate them."""
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if not form.is_submitted():
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            update_user(current_user, user, form.name.data, Role(form.role.data), form.active.data)
        except AuthError as error:
            show_error(form, error)
        else:
            flash(f"Saved the changes to {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, sessions=live_sessions(user))


@bp.route("/users/<int:user_id>/two-step", methods=["POST"])
def remove_two_step(user_id: int):
    """Remove a user's two-step verification (a lost phone): they set it up again after signing in."""
    user = db.get_or_404(User, user_id)
    try:
        mfa.remove_two_step(current_user, user)
    except AuthError as error:
        flash(str(error), "error")
    else:
        flash(
            f"Removed {user.name}'s two-step verification. They can set it up again after signing in.",
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
def end_sessions(user_id: int):
    """Sign a user out everywhere (a lost laptop, a password someone else may know);
    recorded in the audit log."""
    user = db.get_or_404(User, user_id)
    try:
        ended = end_all_sessions(current_user, user)
    except AuthError as error:
        flash(str(error), "error")
    else:
        flash(f"Ended {user.name}'s sessions ({ended}): they are signed out everywhere.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/sso-link/remove", methods=["POST"])
def remove_sso_link(user_id: int):
    """Forget which single sign-on account a user's account is linked to; their next single sign-on links it
    again by their verified email."""
    user = db.get_or_404(User, user_id)
    try:
        sso.unlink_account(current_user, user)
    except AuthError as error:
        flash(str(error), "error")
    else:
        flash(f"{user.name}'s account is no longer linked to a single sign-on account.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_page(user_id: int):
    """Set a user's password, or have one made and shown once; every session they have ends."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password = reset_password(current_user, user, form.password.data or None, form.must_change.data)
        except AuthError as error:
            show_error(form, error)
        else:
            if not form.password.data:  # made by the service: this page is the only place it is shown
                return render_template("admin/password_made.html", user=user, password=password)
            flash(
                f"{user.name}'s password has been reset and they have been signed out everywhere.", "success"
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/reset_password.html", form=form, user=user)
