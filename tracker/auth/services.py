"""Creating users, checking passwords and changing roles, for the views, the admin pages and the CLI."""

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email

from tracker import audit
from tracker.auth.models import User
from tracker.extensions import db
from tracker.models import Role, utcnow

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class AuthError(Exception):
    """A rule about users or sign-in was broken; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


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


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters long.", "password")
    if len(set(password)) < 5:
        raise AuthError("Password is too easy to guess: use a mix of different characters.", "password")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def create_user(actor: User | None, email: str, name: str, role: Role, password: str) -> User:
    """Add a person who can sign in, refusing a duplicate email or a weak password."""
    email = normalise_email(email)
    if not name.strip():
        raise AuthError("Enter the person's name.", "name")
    if find_user_by_email(email) is not None:
        raise AuthError(f"A user with the email {email} already exists.", "email")
    check_password_strength(password)
    user = User(email=email, name=name.strip(), role=role, password_hash=_hasher.hash(password))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, after={"email": email, "name": user.name, "role": role})
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """Return the active user with this email and password; one message for every failure."""
    user = find_user_by_email(email)
    failure = AuthError("Enter a correct email address and password.")
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so timing reveals nothing
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure
    if not user.active:
        raise AuthError("This account has been deactivated. Ask your administrator to restore it.")
    user.last_signed_in_at = utcnow()
    audit.record(user, "user.signed_in", user)
    db.session.commit()
    return user


def record_sign_out(user: User) -> None:
    audit.record(user, "user.signed_out", user)
    db.session.commit()


def update_user(actor: User, user: User, name: str, role: Role, active: bool) -> None:
    """Change a person's name, role or whether they may sign in; admins cannot lock themselves out."""
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise AuthError("You cannot remove your own administrator role or deactivate yourself.", "role")
    if not name.strip():
        raise AuthError("Enter the person's name.")
    before = {"name": user.name, "role": user.role, "active": user.active}
    after = {"name": name.strip(), "role": role, "active": active}
    if before == after:
        return
    user.name, user.role, user.active = after["name"], role, active
    audit.record(actor, "user.updated", user, before=before, after=after)
    db.session.commit()


def list_users() -> list[User]:
    """Everyone who can or could sign in: active people first."""
    return db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
