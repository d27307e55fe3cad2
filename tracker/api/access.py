"""Who an API request is from, how often they may ask, and what the API never does with a session.

- **The token.** `read_token_user` is registered with `permissions.CREDENTIAL_READERS` for the `api`
  blueprint: `authorise_request` asks it instead of the session, then asks the route's predicate about the
  person it names, as for any page. No valid token is a 401 problem, never a redirect to the sign-in page.
- **The rate limit** is counted per token (its hash: the store never holds a token), in Redis when
  RATELIMIT_STORAGE_URI points at it, like the sign-in limits; a request with no token is counted per
  address. TRACKER_API_RATE_LIMIT, "120 per minute" unless set.
- **No session, no CSRF.** The API changes nothing, so it is exempt from CSRF; it never reads the session
  cookie, and the session is not saved, so no cookie is set.
"""

from flask import current_app, g, session
from flask_limiter.util import get_remote_address

from tracker.api import bp
from tracker.api.problems import ApiProblem
from tracker.api.tokens import TokenRefused, digest, presented_value, user_for_request
from tracker.auth.models import User
from tracker.extensions import csrf, limiter
from tracker.permissions import CREDENTIAL_READERS


def read_token_user() -> User:
    try:
        user = user_for_request()
    except TokenRefused as refused:
        raise ApiProblem(401, str(refused)) from None
    g.api_user_id = user.id
    return user


CREDENTIAL_READERS[bp.name] = read_token_user


def rate_key() -> str:
    value, _ = presented_value()
    return "api-token-" + digest(value)[:32] if value else "api-address-" + get_remote_address()


def _rate_limit() -> str:
    return current_app.config["TRACKER_API_RATE_LIMIT"]


limiter.limit(_rate_limit, key_func=rate_key)(bp)
csrf.exempt(bp)


@bp.after_request
def no_session(response):
    """The API answers for the token, never for a browser's session: nothing is saved in it, no cookie set,
    and every answer says it varies by the Authorization header."""

    session.modified = False
    response.vary.add("Authorization")
    return response
