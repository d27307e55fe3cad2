"""A signed-in session's life, kept on the server: started at sign-in, checked on every request, and ended by
signing out, by the idle and absolute timeouts, or by a change to the account.

Each sign-in makes a `UserSession` row. Flask's signed cookie holds the user's id and a random key; the
database holds only the key's SHA-256, so the table alone opens nothing. `start_session` is the one place a
person becomes signed in (after the password, and after the second step where there is one): it clears
whatever the session held before and makes the row. `check_session` runs from the user loader on every
request that asks who is signed in: one query finds the user and the row by the key, and the session is
refused once its row has ended (sign-out, deactivation, a new password, a new role, an administrator or the
person ending it) or its times are past the limits. A copied cookie therefore opens nothing once the
session it was copied from has ended, on every worker and server, since they share the database.
"""

import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import cast

import sqlalchemy as sa
from flask import current_app, flash, g, request, session
from flask_login import login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.engine import CursorResult
from ua_parser import parse as parse_user_agent

from tracker.auth.models import User, UserSession
from tracker.extensions import db
from tracker.text import counted

KEY = "session_key"  # the cookie's random key; the database keeps its SHA-256
SEEN_RESOLUTION_SECONDS = 60  # "last used" is written at most once a minute
KEEP_ENDED_DAYS = 30  # ended and expired records are deleted this long after they stopped (at each sign-in)

clock: Callable[[], float] = time.time  # tests may replace it to travel in time

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not used the service for {idle}. Sign in again to continue.",
    "absolute": (
        "You were signed out because you signed in more than {absolute} ago. Sign in again to continue."
    ),
    "password": "You were signed out because your password was changed. Sign in with your new password.",
    "missing": "You were signed out because your session had expired. Sign in again to continue.",
    "signed_out": "You were signed out. Sign in again to continue.",
    "deactivated": (
        "You were signed out because your account has been deactivated. Ask your administrator to restore it."
    ),
    "role": "You were signed out because your role was changed. Sign in again to continue.",
    "administrator": (
        "You were signed out because an administrator ended your sessions. Sign in again to continue."
    ),
    "yourself": (
        "You were signed out because you ended this session from another one. Sign in again to continue."
    ),
}


def now_utc() -> datetime:
    return datetime.fromtimestamp(clock(), timezone.utc)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def device_summary(user_agent: str) -> str:
    """A short name for the browser and system, like "Firefox on Windows", from the User-Agent (ua-parser)."""
    parsed = parse_user_agent(user_agent[:1000]) if user_agent else None
    browser = parsed.user_agent.family if parsed and parsed.user_agent else None
    system = parsed.os.family if parsed and parsed.os else None
    if browser and system:
        return f"{browser} on {system}"[:100]
    return (browser or system or "Unknown browser")[:100]


def open_session_record(user_id: int, user_agent: str = "", address: str | None = None) -> str:
    """Make a session's record and return the key its cookie holds (commits). Ended and expired records
    older than KEEP_ENDED_DAYS go at the same time."""
    key = secrets.token_urlsafe(32)
    moment = now_utc()
    db.session.add(
        UserSession(
            user_id=user_id,
            key_hash=hash_key(key),
            created_at=moment,
            last_seen_at=moment,
            device=device_summary(user_agent),
            address=address,
        )
    )
    delete_old_records(moment)
    db.session.commit()
    return key


def signed_in_fields(user_id: int) -> dict:
    """What a signed-in session's cookie holds, its record made: for tests and the bench, which sign a client
    in without the form (start_session is the way for people)."""
    return {"_user_id": str(user_id), "_fresh": True, KEY: open_session_record(user_id, "Test client")}


def start_session(user: User) -> None:
    """Sign `user` in on a fresh session and record it: nothing set before sign-in survives.

    The session's CSRF secret is made afresh here, so a token seen before sign-in is no use after it, and the
    cookie set by signing in already carries the secret every page's forms use: the pages a person opens next
    change nothing in it (the dashboard keeps its page per secret, tracker/main/services.py kept_page).
    """
    session.clear()
    login_user(user)
    session[KEY] = open_session_record(user.id, request.headers.get("User-Agent", ""), request.remote_addr)
    g.pop("csrf_token", None)  # a token made earlier in this request was signed from the old secret
    generate_csrf()


def current_session() -> UserSession | None:
    """This request's session record, once check_session has accepted it."""
    return g.get("user_session")


def end_session() -> None:
    """Sign out: this session's record ends, so a copy of its cookie opens nothing either."""
    record = current_session()
    if record is not None and not record.is_ended:
        end_record(record, "signed_out")
        db.session.commit()
    logout_user()
    session.clear()


def end_record(record: UserSession, reason: str) -> None:
    record.ended_at, record.ended_reason = now_utc(), reason


def end_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every live session of `user` but `keep`, in the caller's transaction; returns how many ended."""
    query = (
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now_utc(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return cast(CursorResult, db.session.execute(query)).rowcount  # an UPDATE's result has its row count


def live_sessions(user: User) -> Sequence[UserSession]:
    """The person's sessions that are still good, the newest used first."""
    oldest_start, oldest_seen = _limits(now_utc())
    return db.session.scalars(
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > oldest_start,
            UserSession.last_seen_at > oldest_seen,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()


def delete_old_records(moment: datetime) -> int:
    """Delete the records that stopped more than KEEP_ENDED_DAYS ago (ended, idle or past the limit)."""
    cutoff = moment - timedelta(days=KEEP_ENDED_DAYS)
    oldest_start, oldest_seen = _limits(cutoff)
    stopped = sa.or_(
        UserSession.ended_at < cutoff,
        UserSession.created_at <= oldest_start,
        UserSession.last_seen_at <= oldest_seen,
    )
    return cast(CursorResult, db.session.execute(sa.delete(UserSession).where(stopped))).rowcount


def idle_limit_seconds() -> int:
    return int(current_app.config["TRACKER_IDLE_TIMEOUT_MINUTES"] * 60)


def absolute_limit_seconds() -> int:
    return int(current_app.config["TRACKER_ABSOLUTE_TIMEOUT_HOURS"] * 3600)


def _limits(moment: datetime) -> tuple[datetime, datetime]:
    """A session signed in at or before the first, or last used at or before the second, has run out."""
    return (
        moment - timedelta(seconds=absolute_limit_seconds()),
        moment - timedelta(seconds=idle_limit_seconds()),
    )


def why_ended(user: User, record: UserSession, moment: datetime) -> str | None:
    """The reason this session must end now, or None while it is still good."""
    if record.ended_reason is not None:
        return record.ended_reason if record.ended_reason in ENDED_MESSAGES else "missing"
    if not user.active:
        return "deactivated"
    oldest_start, oldest_seen = _limits(moment)
    if record.created_at <= oldest_start:
        return "absolute"
    if record.last_seen_at <= oldest_seen:
        return "idle"
    return None


def check_session(user_id: str) -> User | None:
    """The signed-in user if this session's record is still good (noting that it was used), else None after
    ending it. One query: the user and the record together, found by the key's hash."""
    key = session.get(KEY)
    found = None
    if user_id.isdecimal() and isinstance(key, str):
        found = db.session.execute(
            sa.select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.key_hash == hash_key(key), User.id == int(user_id))
        ).first()
    if found is None:
        _refuse("missing")
        return None
    user, record = found
    moment = now_utc()
    reason = why_ended(user, record, moment)
    if reason is not None:
        if not record.is_ended:
            end_record(record, reason)
            db.session.commit()
        _refuse(reason)
        return None
    if (moment - record.last_seen_at).total_seconds() >= SEEN_RESOLUTION_SECONDS:
        record.last_seen_at = moment
        db.session.commit()
    g.user_session = record
    return user


def _refuse(reason: str) -> None:
    session.clear()
    flash(_ended_message(reason), "info")
    g.session_ended = True  # the sign-in page shows why, not "Sign in to see this page."
    return None


def _ended_message(reason: str) -> str:
    return ENDED_MESSAGES[reason].format(
        idle=_duration(idle_limit_seconds()), absolute=_duration(absolute_limit_seconds())
    )


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return counted(hours, "hour")
    minutes = max(1, round(seconds / 60))
    return counted(minutes, "minute")
