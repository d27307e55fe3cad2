"""Managing users: for administrators only."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import bp
from tracker.admin.forms import CreateUserForm, EditUserForm
from tracker.auth.models import User
from tracker.auth.services import AuthError, create_user, list_users, update_user
from tracker.extensions import db
from tracker.forms import show_error
from tracker.models import Role


@bp.route("/users")
def users():
    """Everyone who can or could sign in, with their role."""
    return render_template("admin/users.html", users=list_users())


@bp.route("/users/new", methods=["GET", "POST"], endpoint="create_user")
def create_user_page():
    """Add a user with a role and a first password."""
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(current_user, form.email.data, form.name.data, Role(form.role.data), form.password.data)
        except AuthError as error:
            show_error(form, error)
        else:
            flash(f"{user.name} can now sign in as a {user.role.value}.", "success")
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
    return render_template("admin/user_form.html", form=form, user=user)
