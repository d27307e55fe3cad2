"""Signing in and out."""

from flask import Blueprint

from tracker.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    from tracker.auth.models import User

    user = db.session.get(User, int(user_id)) if user_id.isdecimal() else None
    return user if user is not None and user.active else None


from tracker.auth import views  # noqa: E402,F401
