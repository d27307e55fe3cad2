"""The email domains whose people must sign in by single sign-on, kept by administrators on /admin/sso.

The server's configuration (TRACKER_SSO_REQUIRED_DOMAINS) may name some too: the page shows them, and only the
configuration can remove them. Sign-in reads both through `sso.required_domains()`. A domain is added only
while single sign-on is set up, and never so that no administrator could still sign in (docs/sso.md).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.auth import sso
from tracker.auth.models import SsoRequiredDomain, User
from tracker.auth.services import AuthError
from tracker.extensions import db
from tracker.models import Role

# a domain name's shape (RFC 1035 and 5890): dot-separated labels of letters, digits and hyphens, none
# starting or ending with a hyphen, each up to 63 characters; a top-level label of letters, or IDNA's `xn--`
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"(?:{LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})")
MAX_LENGTH = 253


@dataclass(frozen=True)
class RequiredDomain:
    """One row of the page: a domain, and whether the server's configuration requires it."""

    domain: str
    row: SsoRequiredDomain | None  # None: from the configuration alone

    @property
    def configured(self) -> bool:
        return self.row is None


def normalise_domain(text: str) -> str:
    """The domain as it is kept: trimmed, lower case, without a leading @; AuthError for anything that is not
    a domain name."""
    domain = text.strip().lower().removeprefix("@").rstrip(".")
    if not domain:
        raise AuthError("Enter a domain, like council.gov.uk.", "domain")
    if "@" in domain:
        raise AuthError("Enter the domain only, the part after the @, like council.gov.uk.", "domain")
    if len(domain) > MAX_LENGTH or not DOMAIN.fullmatch(domain):
        raise AuthError(
            "Enter a domain name, like council.gov.uk: letters, numbers, hyphens and dots, with no spaces.",
            "domain",
        )
    return domain


def list_required_domains() -> list[RequiredDomain]:
    """Every required domain in alphabetical order: the configuration's, then any the page added too."""
    rows = db.session.scalars(sa.select(SsoRequiredDomain).options(selectinload(SsoRequiredDomain.added_by)))
    added = {row.domain: row for row in rows}
    configured = sso.configured_domains()
    return [
        RequiredDomain(domain, None if domain in configured else added[domain])
        for domain in sorted(configured | set(added))
    ]


def _admins_left_to_sign_in(domains: set[str], actor: User, actor_uses_sso: bool) -> Sequence[User]:
    """The active administrators who could still sign in were these domains required: by password outside
    them, or the one making the change, if they signed in by single sign-on (it works for them)."""
    admins = db.session.scalars(sa.select(User).where(User.role == Role.ADMIN, User.active.is_(True))).all()
    return [
        admin
        for admin in admins
        if admin.email.rpartition("@")[2] not in domains or (admin.id == actor.id and actor_uses_sso)
    ]


def add_required_domain(actor: User, text: str, actor_uses_sso: bool) -> SsoRequiredDomain:
    """Require single sign-on for one more domain; recorded in the audit log. `actor_uses_sso`: the actor
    signed in to this session by single sign-on."""
    domain = normalise_domain(text)
    configured = sso.settings()
    if configured is None:
        raise AuthError(
            "Single sign-on is not set up for this service, so nobody can use it: requiring it for "
            f"{domain} would lock those people out. Set up single sign-on first (TRACKER_OIDC_CLIENT_ID).",
            "domain",
        )
    if domain in sso.configured_domains():
        raise AuthError(
            f"{domain} must already use single sign-on: the server's configuration says so.", "domain"
        )
    if db.session.scalar(sa.select(SsoRequiredDomain).where(SsoRequiredDomain.domain == domain)) is not None:
        raise AuthError(f"{domain} must already use single sign-on.", "domain")
    if not _admins_left_to_sign_in(sso.required_domains() | {domain}, actor, actor_uses_sso):
        raise AuthError(
            f"Requiring single sign-on for {domain} would leave no administrator able to sign in: every "
            f"administrator's address would have to use '{configured.label}', and you have not shown that it "
            "works for you. Sign in with it yourself first, then add the domain.",
            "domain",
        )
    row = SsoRequiredDomain(domain=domain, added_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "sso_domain.added", row, after={"domain": domain})
    db.session.commit()
    return row


def remove_required_domain(actor: User, row: SsoRequiredDomain) -> None:
    """Let a domain's people use their passwords again (unless the configuration requires it); recorded in
    the audit log."""
    audit.record(actor, "sso_domain.removed", row, before={"domain": row.domain})
    db.session.delete(row)
    db.session.commit()
