"""Security headers on every response, and the reverse proxy's word on HTTPS when configured to trust it.

A small `after_request` rather than a library: Flask-Talisman, the usual choice, is no longer
maintained, and what this service needs is a fixed set of headers plus a per-request nonce for the
one inline script GOV.UK's page template carries (the `js-enabled` class on `<body>`). See
docs/security.md.
"""

import secrets

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Scripts run only from this site or with this response's nonce; no inline style either (the
# charts size themselves with the `app-chart` class). `data:` images are the empty favicon.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"  # one year; sent over HTTPS only

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Trust `TRACKER_PROXY_HOPS` proxies' X-Forwarded-* headers, give templates the nonce,
    add the headers."""
    hops = app.config.get("TRACKER_PROXY_HOPS", 0)
    if hops:
        # Flask's documented way to wrap its WSGI app, which its types declare a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    app.after_request(add_security_headers)


def csp_nonce() -> str:
    """This response's nonce: an inline `<script nonce="...">` runs only with it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(nonce=csp_nonce())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
        # pages carry what the person may see and their forms' tokens, and every download (an export, an
        # evidence file) what they may read: no copy kept in a browser's or a proxy's cache after they sign
        # out. Styles may be kept.
        response.headers["Cache-Control"] = "no-store"
    return response


def without_nonce(page: str) -> tuple[str, ...]:
    """A rendered page fit to keep and serve again: the parts between its nonces.

    Parts rather than a placeholder to replace later: no text in the page (a finding's title, say)
    can then pass for the place of a nonce. Text cannot hold the nonce itself, which is random and
    new with this response.
    """
    return tuple(page.split(csp_nonce()))


def with_nonce(parts: tuple[str, ...]) -> str:
    """A kept page with this response's nonce put back where the rendered one was."""
    return csp_nonce().join(parts)
