"""The read-only JSON API under /api/v1 for Power BI and other reports (docs/api.md), and the account page
where people make and revoke their personal API tokens (/account/api-tokens).

Two blueprints: `api` reads no session, only a token (tracker/api/access.py registers its reader with
permissions.CREDENTIAL_READERS), answers every error as RFC 9457 problem+json and is exempt from CSRF (it
changes nothing); `api_tokens` is an ordinary signed-in page.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
tokens_bp = Blueprint("api_tokens", __name__)  # its page lives under /account, beside Your sessions

from tracker.api import (  # noqa: E402,F401
    access,
    account_views,
    analysts,  # the page for analysts: connecting Power BI
    history,  # readiness snapshots and the flat readiness history
    logs,
    problems,
    resources,
    resources_more,  # progress updates, evidence, measures, surveys
)

logs.install()  # before any server logs a request: no ?key= in Werkzeug's request log
