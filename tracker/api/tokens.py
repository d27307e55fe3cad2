"""Personal API tokens: made, listed, revoked, and read from a request (docs/api.md).

A token's value is `irt_` and 43 URL-safe characters (`secrets.token_urlsafe(32)`: 256 random bits). Only its
SHA-256 is stored, so a copy of the database holds nothing that opens the API; the value is shown once, on
the page that made it. A token acts as the person who made it, through the same predicates as their pages:
their role as it is now (a change applies at once), nothing once they are deactivated.
"""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, request

from tracker import audit
from tracker.api.models import ApiToken
from tracker.auth.models import User
from tracker.dates import LONDON, today
from tracker.errors import UserError
from tracker.extensions import db
from tracker.models import utcnow
from tracker.permissions import can_view_plan

PREFIX = "irt_"  # "inspection readiness tracker": recognisable to secret scanners and to people
LONGEST_DAYS = 366  # a token lasts a year at most: a leaked one cannot outlive that
EXPIRY_CHOICES = (30, 90, 180, 365)  # days offered on the page; a date of one's own is offered too


class ApiTokenError(UserError):
    """A token could not be made or revoked; the message is shown beside the field it names."""


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def expiry_moment(last_day: date) -> datetime:
    """A token made to expire on a day works until the end of that day, London time."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def make_token(actor: User, name: str, last_day: date) -> tuple[ApiToken, str]:
    """A new token for `actor`, working until the end of `last_day`: the record and its value, which is
    never stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ApiTokenError("Enter a name for the token.", "name")
    if len(name) > 80:
        raise ApiTokenError("The name must be 80 characters or fewer.", "name")
    if not can_view_plan(actor):
        raise ApiTokenError("Only people who read the plan can make API tokens.")
    if last_day <= today():
        raise ApiTokenError("The last day must be after today.", "expires_on")
    if last_day > today() + timedelta(days=LONGEST_DAYS - 1):
        raise ApiTokenError("A token can last a year at most: choose an earlier last day.", "expires_on")
    taken = db.session.scalar(
        sa.select(ApiToken.id).where(
            ApiToken.user_id == actor.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    )
    if taken:
        raise ApiTokenError(f"You already have a token called {name}: choose another name.", "name")
    value = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        user_id=actor.id,
        token_hash=digest(value),
        hint=value[:8],
        created_at=utcnow(),
        expires_at=expiry_moment(last_day),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.created", token, after={"name": name, "expires_at": token.expires_at})
    db.session.commit()
    return token, value


def tokens_of(user: User) -> Sequence[ApiToken]:
    """This person's tokens, newest first."""
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def revoke_token(actor: User, token: ApiToken) -> None:
    """The token stops working at once; revoking it again changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record(
        actor, "api_token.revoked", token, before={"revoked_at": None}, after={"revoked_at": token.revoked_at}
    )
    db.session.commit()


def presented_value() -> tuple[str | None, str]:
    """The token this request carries and how: `Authorization: Bearer <token>`, or `?key=<token>` for
    Power BI's scheduled refresh, which cannot send a header. (None, "") when it carries none."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        return (value.strip() or None, "header") if scheme.lower() == "bearer" else (None, "header")
    key = request.args.get("key")
    return (key.strip() or None, "key") if key is not None else (None, "")


class TokenRefused(Exception):
    """No valid token: the message says why, in words the analyst can act on."""


def user_for_request() -> User:
    """The person a valid token acts as, with its use recorded; TokenRefused otherwise."""
    value, how = presented_value()
    if value is None:
        if how == "header":
            raise TokenRefused("Send the token as 'Authorization: Bearer <token>'.")
        raise TokenRefused(
            "This address needs an API token: make one on the API tokens page of your account."
        )
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(value)))
    now = utcnow()
    if token is None:
        raise TokenRefused("The API token is not one this service made. Check it was copied whole.")
    if token.revoked_at is not None:
        raise TokenRefused("This API token has been revoked. Make a new one on the API tokens page.")
    if now >= token.expires_at:
        raise TokenRefused("This API token has expired. Make a new one on the API tokens page.")
    if not token.user.active:
        raise TokenRefused("The person who made this API token can no longer sign in.")
    note_use(token, how, now)
    return token.user


def note_use(token: ApiToken, how: str, now: datetime) -> None:
    """Record that the token was used: an audit event and `last_used_at`, at most once per
    TRACKER_API_USE_RECORDED_SECONDS for each token (a Power BI refresh is a burst of requests; each burst is
    one event). 0 records every request. A request between two records writes nothing."""
    every = timedelta(seconds=current_app.config["TRACKER_API_USE_RECORDED_SECONDS"])
    if token.last_used_at is not None and now - token.last_used_at < every:
        return
    token.last_used_at = now
    audit.record(token.user, "api_token.used", token, after={"path": request.path, "by": how})
    db.session.commit()
