"""A signed-in session's life: started at sign-in, ended by idle or absolute timeouts or a password change.

Flask keeps the session in a signed cookie. `start_session` is the one place a person becomes signed in
(after the password, and after the second step where there is one): it clears whatever the session held
before, so nothing set before sign-in survives, and records the user's `session_version` and the times.
`check_session` runs from the user loader on every request that asks who is signed in, and ends a
session that has been idle too long, has lasted too long, or was signed in before the password changed.
"""

import time
from collections.abc import Callable

from flask import current_app, flash, g, session
from flask_login import login_user, logout_user
from flask_wtf.csrf import generate_csrf

from tracker.auth.models import User

VERSION_KEY = "session_version"
STARTED_KEY = "signed_in_at"
SEEN_KEY = "seen_at"
SEEN_RESOLUTION_SECONDS = 60  # "seen" is rewritten at most once a minute, so most responses set no cookie

clock: Callable[[], float] = time.time  # tests may replace it to travel in time

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not used the service for {idle}. Sign in again to continue.",
    "absolute": "You were signed out because you signed in more than {absolute} ago. Sign in again to continue.",
    "version": "You were signed out because your password was changed. Sign in with your new password.",
    "missing": "You were signed out because your session had expired. Sign in again to continue.",
}


def session_fields(session_version: int, now: float | None = None) -> dict[str, int]:
    """What a signed-in session holds besides Flask-Login's own keys: the user's session version and times."""
    moment = int(clock() if now is None else now)
    return {VERSION_KEY: session_version, STARTED_KEY: moment, SEEN_KEY: moment}


def start_session(user: User) -> None:
    """Sign `user` in on a fresh session: nothing set before sign-in survives.

    The session's CSRF secret is made afresh here, so a token seen before sign-in is no use after it, and the
    cookie set by signing in already carries the secret every page's forms use: the pages a person opens next
    change nothing in it (the dashboard keeps its page per secret, tracker/main/services.py kept_page).
    """
    session.clear()
    login_user(user)
    session.update(session_fields(user.session_version))
    g.pop("csrf_token", None)  # a token made earlier in this request was signed from the old secret
    generate_csrf()


def refresh_session_version(user: User) -> None:
    """Keep this session signed in after its own user's password changed (every other session ends)."""
    session[VERSION_KEY] = user.session_version


def end_session() -> None:
    logout_user()
    session.clear()


def idle_limit_seconds() -> int:
    return int(current_app.config["TRACKER_IDLE_TIMEOUT_MINUTES"] * 60)


def absolute_limit_seconds() -> int:
    return int(current_app.config["TRACKER_ABSOLUTE_TIMEOUT_HOURS"] * 3600)


def why_ended(user: User, now: float) -> str | None:
    """The reason this session must end now, or None while it is still good."""
    version, started, seen = session.get(VERSION_KEY), session.get(STARTED_KEY), session.get(SEEN_KEY)
    if not all(isinstance(value, int) for value in (version, started, seen)):
        return "missing"
    if version != user.session_version:
        return "version"
    if now - started >= absolute_limit_seconds():
        return "absolute"
    if now - seen >= idle_limit_seconds():
        return "idle"
    return None


def check_session(user: User) -> User | None:
    """The user if this session is still good (noting that it was used), else None after ending it."""
    now = clock()
    reason = why_ended(user, now)
    if reason is not None:
        session.clear()
        flash(_ended_message(reason), "info")
        g.session_ended = True  # the sign-in page shows why, not "Sign in to see this page."
        return None
    if now - session[SEEN_KEY] >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_KEY] = int(now)
    return user


def _ended_message(reason: str) -> str:
    return ENDED_MESSAGES[reason].format(
        idle=_duration(idle_limit_seconds()), absolute=_duration(absolute_limit_seconds())
    )


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour" + ("s" if hours != 1 else "")
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute" + ("s" if minutes != 1 else "")
