"""People who sign in, their role, and their sessions."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model
from tracker.models import Role, TimestampMixin, UTCDateTime, enum_column, utcnow


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # raised when the password changes or is reset, and recorded in the audit log; the sessions signed in
    # before then are ended through their records (UserSession, tracker/auth/sessions.py)
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set when an administrator resets the password: they choose their own before anything else
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # two-step verification with an authenticator app: the shared secret, when it was confirmed,
    # and the last time step accepted, so that a code is never accepted twice
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # the secret being set up, kept here rather than in the readable session cookie until a code confirms it
    # (the session holds only its digest, tracker/auth/mfa.py); replaced by each new set-up,
    # cleared on confirm
    totp_pending_secret: Mapped[str | None] = mapped_column(sa.String(64))
    # the single sign-on account this one is linked to at its first sign-in that way: the id token's issuer
    # and subject, which stay when the email changes (tracker/auth/sso.py)
    sso_issuer: Mapped[str | None] = mapped_column(sa.String(255))
    sso_subject: Mapped[str | None] = mapped_column(sa.String(255))

    __table_args__ = (sa.UniqueConstraint("sso_issuer", "sso_subject"),)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class UserSession(Model):
    """One sign-in, kept on the server so that it can be ended: the cookie holds a random key, this row its
    SHA-256, and a session is good only while its row is (tracker/auth/sessions.py)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.String(40))
    device: Mapped[str] = mapped_column(
        sa.String(100), default=""
    )  # "Firefox on Windows", from the User-Agent
    address: Mapped[str | None] = mapped_column(
        sa.String(45)
    )  # the client's IP address as the service saw it

    user: Mapped[User] = relationship()

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class RecoveryCode(Model):
    """One single-use recovery code for signing in without the authenticator app: only its Argon2 hash is
    kept, and `used_at` once it has been used (tracker/auth/mfa.py)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of user {self.user_id}>"


class SsoRequiredDomain(Model):
    """An email domain whose people must sign in by single sign-on, added by an administrator on
    /admin/sso; the server's TRACKER_SSO_REQUIRED_DOMAINS add to these (tracker/auth/sso_domains.py)."""

    __tablename__ = "sso_required_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(sa.String(253), unique=True)  # lower case, without the @
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    added_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SsoRequiredDomain {self.domain}>"
