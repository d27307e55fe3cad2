"""Signing in and out."""

from flask import Blueprint, flash, g, redirect, request
from flask_login import login_url

from tracker.extensions import login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    """The signed-in user, if the session's record is still good
    (tracker/auth/sessions.py ends it otherwise)."""
    from tracker.auth.sessions import check_session

    return check_session(user_id)


@login_manager.unauthorized_handler
def sign_in_first():
    """Send someone who is not signed in to sign in, coming back here afterwards."""
    if not g.get("session_ended"):  # a session that just ended has said why already
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


from tracker.auth import mfa_views, password_views, session_views, sso_views, throttle, views  # noqa: E402,F401
