"""Creating users, checking passwords and changing roles, for the views, the admin pages and the CLI."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from tracker import audit
from tracker.auth import sessions
from tracker.auth.models import User, UserSession
from tracker.auth.passwords import MIN_LENGTH, banned_words, password_problem, temporary_password
from tracker.errors import UserError
from tracker.extensions import db
from tracker.models import Role, utcnow

MIN_PASSWORD_LENGTH = MIN_LENGTH
_hasher = PasswordHasher()


class AuthError(UserError):
    """A rule about users or sign-in was broken; the message is shown to the user."""


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AuthError("Enter an email address in the correct format, like name@example.org.", "email")


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise AuthError(f"Unknown role '{value}': choose one of {choices}.")


def check_password_strength(password: str, email: str | None = None, field: str = "password") -> None:
    """Refuse a password that is short, common, easily guessed or holds the email's or the service's name
    (the policy is in tracker/auth/passwords.py)."""
    problem = password_problem(
        password,
        email,
        current_app.config.get("TRACKER_SERVICE_NAME", ""),
        banned_words(current_app.config.get("TRACKER_PASSWORD_BANNED_WORDS", "")),
    )
    if problem is not None:
        raise AuthError(problem, field)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def create_user(actor: User | None, email: str, name: str, role: Role, password: str) -> User:
    """Add a person who can sign in, refusing a duplicate email or a weak password."""
    email = normalise_email(email)
    if not name.strip():
        raise AuthError("Enter the person's name.", "name")
    if find_user_by_email(email) is not None:
        raise AuthError(f"A user with the email {email} already exists.", "email")
    check_password_strength(password, email)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=_hasher.hash(password),
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, after={"email": email, "name": user.name, "role": role})
    db.session.commit()
    return user


def password_is_correct(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User:
    """Return the active user with this email and password; one message for every failure.

    Someone with two-step verification is not signed in yet: the caller asks for their code, and
    `mfa.sign_in_with_code` records the sign-in once it is right.
    """
    user = find_user_by_email(email)
    failure = AuthError("Enter a correct email address and password.")
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so timing reveals nothing
        raise failure
    if not password_is_correct(user, password):
        raise failure
    if not user.active:
        raise AuthError("This account has been deactivated. Ask your administrator to restore it.")
    if user.totp_enabled_at is None:
        record_sign_in(user)
    return user


def record_sign_in(user: User, **details) -> None:
    user.last_signed_in_at = utcnow()
    audit.record(user, "user.signed_in", user, after=details or None)
    db.session.commit()


def record_sign_out(user: User) -> None:
    audit.record(user, "user.signed_out", user)
    db.session.commit()


def update_user(actor: User, user: User, name: str, role: Role, active: bool) -> None:
    """Change a person's name, role or whether they may sign in; admins cannot lock themselves out.
    A new role or deactivation ends every session they have: they sign in again to use the new role, and
    reactivating them brings no old session back."""
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise AuthError("You cannot remove your own administrator role or deactivate yourself.", "role")
    if not name.strip():
        raise AuthError("Enter the person's name.")
    before: dict[str, Any] = {"name": user.name, "role": user.role, "active": user.active}
    after: dict[str, Any] = {"name": name.strip(), "role": role, "active": active}
    if before == after:
        return
    if not active and before["active"]:
        sessions.end_sessions(user, "deactivated")
    elif role is not before["role"]:
        sessions.end_sessions(user, "role")
    user.name, user.role, user.active = after["name"], role, active
    audit.record(actor, "user.updated", user, before=before, after=after)
    db.session.commit()


def list_users() -> Sequence[User]:
    """Everyone who can or could sign in: active people first."""
    return db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()


def _set_password(user: User, password: str, keep: UserSession | None = None) -> dict:
    """A new password ends every session signed in with the old one but `keep` (tracker/auth/sessions.py)."""
    before = {"session_version": user.session_version, "must_change_password": user.must_change_password}
    sessions.end_sessions(user, "password", keep=keep)
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    user.must_change_password = False
    return before


def change_password(
    user: User, current_password: str, new_password: str, keep: UserSession | None = None
) -> None:
    """A person changes their own password: every session of theirs but `keep` (the one they changed it in)
    ends. No password reaches the audit log."""
    if not password_is_correct(user, current_password):
        raise AuthError(
            "The current password is not right. Enter the password you signed in with.", "current_password"
        )
    if new_password == current_password:
        raise AuthError("The new password must be different from the current one.", "password")
    check_password_strength(new_password, user.email)
    before = _set_password(user, new_password, keep)
    audit.record(
        user,
        "user.password_changed",
        user,
        before=before,
        after={"session_version": user.session_version, "must_change_password": False},
    )
    db.session.commit()


def reset_password(actor: User, user: User, new_password: str | None, must_change: bool = True) -> str:
    """An administrator sets someone's password, or has one made when `new_password` is None; every session
    that person has ends, and with `must_change` they choose their own when they next sign in. Returns the
    password, to be shown once; the audit log records only that it changed."""
    if user.id == actor.id:
        raise AuthError(
            "Change your own password from 'Change your password', where you confirm the current one.",
            "password",
        )
    generated = new_password is None
    password = new_password if new_password is not None else temporary_password()
    check_password_strength(password, user.email)
    before = _set_password(user, password)
    user.must_change_password = must_change
    audit.record(
        actor,
        "user.password_reset",
        user,
        before=before,
        after={
            "session_version": user.session_version,
            "must_change_password": must_change,
            "generated": generated,
        },
    )
    db.session.commit()
    return password


def end_all_sessions(actor: User, user: User) -> int:
    """An administrator signs someone out everywhere (a lost laptop, a shared password); returns how many
    sessions ended. Their own sessions they end from "Your sessions"."""
    if user.id == actor.id:
        raise AuthError(
            "End your own sessions from 'Your sessions', where the one you are using stays signed in."
        )
    ended = sessions.end_sessions(user, "administrator")
    audit.record(actor, "user.sessions_ended", user, after={"sessions": ended})
    db.session.commit()
    return ended


def end_own_session(user: User, record: UserSession | None, current: UserSession | None) -> None:
    """A person signs out one of their other sessions, from "Your sessions"."""
    if record is None or record.user_id != user.id or record.is_ended:
        raise AuthError("That session has already ended.")
    if current is not None and record.id == current.id:
        raise AuthError("This is the session you are using: sign out instead.")
    sessions.end_record(record, "yourself")
    audit.record(user, "user.session_ended", user, after={"session": record.id, "device": record.device})
    db.session.commit()


def end_other_sessions(user: User, current: UserSession | None) -> int:
    """A person signs out everywhere but here; returns how many sessions ended."""
    ended = sessions.end_sessions(user, "yourself", keep=current)
    if ended:
        audit.record(user, "user.sessions_ended", user, after={"sessions": ended, "kept": "this session"})
    db.session.commit()
    return ended
