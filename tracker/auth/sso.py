"""Single sign-on by OpenID Connect (Authlib): Microsoft Entra ID by its tenant id, or any provider by its
metadata address. The pages are in sso_views.py; docs/sso.md says how to set it up and why each rule is so.

`authorize_redirect` starts the authorisation code flow with a random state and nonce kept in this browser's
session and a PKCE (S256) challenge. `finish` takes the provider's answer back: the state must be one this
session started and not used yet (Authlib removes it as it reads it), the code is exchanged for tokens, and
the id token is verified: its signature by the provider's published keys (JWKS), its issuer (the one this
tracker expects, not just the one the provider claims), its audience (our client id), its expiry and its
nonce.

`sign_in_account` finds the tracker's account by the single sign-on account it was linked to (the id token's
issuer and subject, remembered at the first sign-in this way), else by a verified email; roles stay in the
tracker. Every outcome
is audited, without tokens. The person's own id token is kept in their session only to offer the provider's
sign-out afterwards.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import requests
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask, current_app

from tracker import audit
from tracker.auth.models import SsoRequiredDomain, User
from tracker.auth.services import AuthError, find_user_by_email, normalise_email
from tracker.extensions import db
from tracker.models import Role, utcnow

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
WELL_KNOWN = "/.well-known/openid-configuration"
SCOPE = "openid email profile"
LEEWAY_SECONDS = 60  # clocks may differ this much; an id token older than its expiry by more is refused
TIMEOUT_SECONDS = 10  # the provider's metadata, keys and token endpoint must answer within this


@dataclass(frozen=True)
class SsoSettings:
    metadata_url: str
    client_id: str
    client_secret: str
    issuer: str  # the issuer every id token must name
    entra: bool
    label: str


class SsoFailure(AuthError):
    """Single sign-on did not end with a signed-in person: `reason` is recorded, the message shown."""

    def __init__(self, reason: str, message: str, status: int = 400):
        super().__init__(message)
        self.reason, self.status, self.recorded = reason, status, False


class _NoAccount:
    """The audit event's record when nobody was matched: the user table, no row."""

    __tablename__ = "user"
    id = None


def settings() -> SsoSettings | None:
    """The configured provider, or None when single sign-on is off (no client id)."""
    config = current_app.config
    client_id = config.get("TRACKER_OIDC_CLIENT_ID", "")
    tenant = config.get("TRACKER_OIDC_TENANT_ID", "").strip()
    metadata_url = config.get("TRACKER_OIDC_METADATA_URL", "").strip()
    if not client_id or not (tenant or metadata_url):
        return None
    if tenant:
        issuer = f"{ENTRA_AUTHORITY}/{tenant}/v2.0"
        metadata_url = metadata_url or issuer + WELL_KNOWN
    else:  # OpenID Connect Discovery 4.3: the issuer is the address the metadata is read under
        issuer = config.get("TRACKER_OIDC_ISSUER", "").strip() or metadata_url.removesuffix(WELL_KNOWN)
    label = config.get("TRACKER_OIDC_BUTTON_LABEL", "").strip()
    default_label = "Sign in with Microsoft" if tenant else "Sign in with your organisation's account"
    return SsoSettings(
        metadata_url=metadata_url,
        client_id=client_id,
        client_secret=config.get("TRACKER_OIDC_CLIENT_SECRET", ""),
        issuer=issuer,
        entra=bool(tenant),
        label=label or default_label,
    )


def configured_domains() -> set[str]:
    """The domains the configuration requires (TRACKER_SSO_REQUIRED_DOMAINS): no page removes these."""
    raw = current_app.config.get("TRACKER_SSO_REQUIRED_DOMAINS", "")
    return {part.strip().lower().lstrip("@") for part in raw.split(",") if part.strip()}


def required_domains() -> set[str]:
    """The email domains whose people must sign in by single sign-on: the configuration's and those an
    administrator added on /admin/sso (tracker/auth/sso_domains.py). Sign-in reads only this."""
    added = db.session.scalars(sa.select(SsoRequiredDomain.domain))
    return configured_domains() | set(added)


def refuse_password_if_required(email: str) -> None:
    """Refuse a password sign-in for an address in a domain that must use single sign-on (before the password
    is looked at, so the answer says nothing about the account)."""
    configured = settings()
    if configured is not None and email.rpartition("@")[2].strip().lower() in required_domains():
        raise AuthError(
            f"Your organisation signs you in with its own account: use the '{configured.label}' button, "
            "not a password.",
            "email",
        )


def client(app: Flask | None = None) -> Any:
    """The Authlib client for the configured provider, made once per set of settings (its metadata and keys
    are kept with it)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    configured = settings()
    if configured is None:
        raise SsoFailure("not_configured", "Single sign-on is not set up for this service.", 404)
    made = app.extensions.get("tracker_sso")
    if made is None or made[0] != configured:
        # Authlib and the cryptography under it add 16 MB to every worker: only a service that signs people
        # in this way loads them, when the first person does
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
        oauth.register(
            "provider",
            client_id=configured.client_id,
            client_secret=configured.client_secret,
            server_metadata_url=configured.metadata_url,
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": TIMEOUT_SECONDS,
            },
        )
        made = (configured, oauth.provider)
        app.extensions["tracker_sso"] = made
    return made[1]


def unreachable() -> SsoFailure:
    return SsoFailure(
        "provider_unreachable",
        "The sign-in service did not answer. Try again in a few minutes, or sign in with your email address "
        "and password if you have one.",
        503,
    )


def authorize_redirect(redirect_uri: str):
    """The redirect to the provider's sign-in page, with state, nonce and a PKCE challenge."""
    provider = client()
    try:
        metadata = provider.load_server_metadata()
    except (requests.RequestException, ValueError):
        raise unreachable()
    if metadata.get("issuer") != settings().issuer:  # type: ignore[union-attr]
        raise SsoFailure(
            "wrong_issuer",
            "The sign-in service is not the one this tracker is set up to trust, so you cannot sign in "
            "with it. Tell your administrator.",
            502,
        )
    try:
        return provider.authorize_redirect(redirect_uri, nonce=secrets.token_urlsafe(24))
    except RuntimeError:  # its metadata names no sign-in page
        raise misconfigured()


def misconfigured() -> SsoFailure:
    return SsoFailure(
        "provider_misconfigured",
        "The sign-in service's settings are incomplete, so you cannot sign in with it now. Tell your "
        "administrator.",
        502,
    )


REFUSED_TOKEN = (
    "The sign-in service's answer could not be trusted ({why}), so you have not been signed in. "
    "Try again; if it happens again, tell your administrator."
)


def finish(error: str | None) -> tuple[dict, str]:
    """The verified id token's claims and the id token itself, from the provider's answer to this request;
    SsoFailure otherwise."""
    if error == "access_denied":
        raise SsoFailure("cancelled", "You cancelled signing in, or the sign-in service refused it.")
    if error:
        raise SsoFailure("provider_error", "The sign-in service could not sign you in. Try again.")
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError

    configured = settings()
    provider = client()
    options = {
        "iss": {"essential": True, "value": configured.issuer},  # type: ignore[union-attr]
        "aud": {"essential": True, "value": configured.client_id},  # type: ignore[union-attr]
        "exp": {"essential": True},
    }
    try:
        token = provider.authorize_access_token(claims_options=options, leeway=LEEWAY_SECONDS)
    except MismatchingStateError:
        raise SsoFailure(
            "unknown_state",
            "This sign-in link has already been used or has expired. Start signing in again.",
        )
    except OAuthError:  # the provider refused the code: used already, expired, or not for us
        raise SsoFailure("code_refused", "The sign-in service refused to finish signing you in. Try again.")
    except (requests.RequestException, ValueError):
        raise unreachable()
    except ExpiredTokenError:
        raise SsoFailure("expired_token", REFUSED_TOKEN.format(why="it had expired"))
    except BadSignatureError:
        raise SsoFailure("bad_signature", REFUSED_TOKEN.format(why="its signature did not match"))
    except ClaimError as claim_error:
        raise SsoFailure(
            f"invalid_{claim_error.claim}",
            REFUSED_TOKEN.format(why=CLAIM_WORDS.get(claim_error.claim, "one of its claims was wrong")),
        )
    except JoseError:
        raise SsoFailure("invalid_token", REFUSED_TOKEN.format(why="it was not a valid id token"))
    except RuntimeError:  # its metadata names no token endpoint or no keys
        raise misconfigured()
    claims = token.get("userinfo")
    if not claims:  # no id token at all: nothing says who this is
        raise SsoFailure("no_id_token", REFUSED_TOKEN.format(why="it held no id token"))
    return dict(claims), token["id_token"]


CLAIM_WORDS = {
    "aud": "it was made for another service",
    "iss": "it came from a sign-in service this tracker does not trust",
    "nonce": "it did not belong to this sign-in",
    "exp": "it had expired",
}


def verified_email(claims: dict, entra: bool) -> str | None:
    """The email the provider vouches for. Any provider: `email` with `email_verified` true. Entra ID: its id
    tokens carry no `email_verified`, and `email` may be an address a guest typed, so the sign-in name
    (`preferred_username`, or `upn`) is used: in a tenant's own tokens it is the tenant's user principal name,
    in a domain the tenant has proved it owns (docs/sso.md)."""
    if entra:
        candidate = claims.get("preferred_username") or claims.get("upn")
    elif claims.get("email_verified") is True:
        candidate = claims.get("email")
    else:
        candidate = None
    if not isinstance(candidate, str) or "@" not in candidate:
        return None
    try:
        return normalise_email(candidate)
    except AuthError:
        return None


def sign_in_account(claims: dict) -> User:
    """The active account for these verified claims, made as a viewer when the administrator allows it;
    the sign-in (or the account's creation) is audited and committed. SsoFailure when nobody may sign in."""
    configured = settings()
    email = verified_email(claims, configured.entra)  # type: ignore[union-attr]
    if email is None:
        raise failed(
            "no_verified_email",
            "The sign-in service did not confirm your email address, so we cannot tell which account is "
            "yours. Ask your administrator.",
        )
    subject = subject_of(claims)
    user = (linked_account(*subject) if subject else None) or find_user_by_email(email)
    if user is not None and user.sso_subject is not None and (user.sso_issuer, user.sso_subject) != subject:
        raise failed(
            "linked_elsewhere",
            f"The account for {email} is linked to a different account at the sign-in service, so you cannot "
            "use it. Ask your administrator.",
            user=user,
        )
    if user is None:
        if not current_app.config.get("TRACKER_OIDC_CREATE_VIEWERS"):
            raise failed(
                "no_account",
                f"There is no account for {email} in this tracker. Ask your administrator to add you.",
                detail={"email": email},
            )
        user = create_viewer(email, claims.get("name"))
    if not user.active:
        raise failed(
            "deactivated",
            "This account has been deactivated. Ask your administrator to restore it.",
            user=user,
        )
    user.last_signed_in_at = utcnow()
    if user.sso_subject is None and subject:  # the first single sign-on: remembered, so a changed email still
        user.sso_issuer, user.sso_subject = subject  # finds the account
        audit.record(user, "user.sso_linked", user, after={"issuer": subject[0], "subject": subject[1]})
    audit.record(user, "user.signed_in", user, after={"method": "sso"})
    db.session.commit()
    return user


def subject_of(claims: dict) -> tuple[str, str] | None:
    """Who the provider says this is, for good: the id token's issuer and subject (OpenID Connect Core 2:
    never reassigned within the issuer); None when either is missing or too long to keep."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not isinstance(subject, str) or not issuer or not subject:
        return None
    return (issuer, subject) if max(len(issuer), len(subject)) <= 255 else None


def linked_account(issuer: str, subject: str) -> User | None:
    """The account linked to this single sign-on account (the id token's issuer and subject), if any."""
    return db.session.scalar(sa.select(User).where(User.sso_issuer == issuer, User.sso_subject == subject))


def unlink_account(actor: User, user: User) -> None:
    """An administrator forgets which single sign-on account an account is linked to (the provider gave the
    person a new one, or the service moved to another provider): their next single sign-on links it again,
    by their verified email. Recorded in the audit log."""
    if user.sso_subject is None:
        raise AuthError(f"{user.name}'s account is not linked to a single sign-on account.")
    audit.record(
        actor, "user.sso_unlinked", user, before={"issuer": user.sso_issuer, "subject": user.sso_subject}
    )
    user.sso_issuer, user.sso_subject = None, None
    db.session.commit()


def create_viewer(email: str, name: Any) -> User:
    """A viewer's account for someone the provider vouches for (TRACKER_OIDC_CREATE_VIEWERS); they have no
    password they could know, so they sign in only by single sign-on until an administrator sets one."""
    display = name.strip()[:200] if isinstance(name, str) and name.strip() else email.partition("@")[0]
    user = User(
        email=email,
        name=display,
        role=Role.VIEWER,
        password_hash=PasswordHasher().hash(secrets.token_urlsafe(32)),
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    after = {"email": email, "name": display, "role": Role.VIEWER, "method": "sso"}
    audit.record(None, "user.created", user, after=after)
    return user


def failed(reason: str, message: str, user: User | None = None, detail: dict | None = None) -> SsoFailure:
    """Record a single sign-on that did not sign anyone in (never a token), and the failure to raise."""
    record_failure(reason, user, detail)
    failure = SsoFailure(reason, message, 403)
    failure.recorded = True
    return failure


def record_failure(reason: str, user: User | None = None, detail: dict | None = None) -> None:
    db.session.rollback()
    entity = user if user is not None else _NoAccount()
    after = {"method": "sso", "reason": reason, **(detail or {})}
    audit.record(user, "user.sign_in_refused", entity, after=after)
    db.session.commit()


def logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The provider's own sign-out address (RP-initiated logout), or None when it has none or cannot be
    read."""
    try:
        provider = client()
        metadata = provider.load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        return provider.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            client_id=settings().client_id,  # type: ignore[union-attr]
        )["url"]
    except (SsoFailure, requests.RequestException, ValueError, RuntimeError):
        return None
