"""Your sessions: where you are signed in, and signing out the others
(tracker/auth/sessions.py keeps them)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import permissions
from tracker.auth import bp
from tracker.auth.models import UserSession
from tracker.auth.services import AuthError, end_other_sessions, end_own_session
from tracker.auth.sessions import current_session, live_sessions
from tracker.dates import format_date
from tracker.extensions import db


@bp.route("/account/sessions")
def sessions():
    """Everyone signed in sees their own live sessions: when and where each signed in and was last used."""
    return render_template(
        "auth/sessions.html", sessions=live_sessions(current_user), current=current_session()
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id: int):
    """Sign out one of your other sessions (a computer you left signed in)."""
    record = db.get_or_404(UserSession, session_id)
    permissions.require(permissions.can_end_session(current_user, record), hide=True)
    try:
        end_own_session(current_user, record, current_session())
    except AuthError as error:
        flash(str(error), "error")
    else:
        flash(f"Signed out {record.device}, last used {format_date(record.last_seen_at)}.", "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"], endpoint="end_other_sessions")
def end_other_sessions_page():
    """Sign out everywhere but here."""
    ended = end_other_sessions(current_user, current_session())
    flash(
        "You have been signed out everywhere else." if ended else "You were not signed in anywhere else.",
        "success",
    )
    return redirect(url_for("auth.sessions"))
