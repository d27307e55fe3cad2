"""Single sign-on pages: the start (the sign-in page's button, a link), the provider's answer, and the
signed-out page that offers the provider's own sign-out. The rules are in sso.py.

The start is a GET: it changes nothing here and signs nobody in, it only sends the browser to the provider
with a new state kept in this browser's session. What stops a forged sign-in (someone else's code sent to
this browser) is that state, which only the session that started the sign-in holds, once; a POST would add
nothing to it, and the pages' Content-Security-Policy (form-action 'self') would have to let forms go to the
provider, since browsers check a form's redirects too. The provider's answer is a GET (the browser follows
its redirect), guarded by the same state.
"""

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.auth import bp, sso
from tracker.auth.sessions import start_session
from tracker.permissions import SSO_SESSION_KEY, home_for

SIGNED_OUT_KEY = "sso_signed_out"  # after sign-out: the id token, only to offer the provider's sign-out


def problem(failure: sso.SsoFailure):
    """A clear page for a single sign-on that did not sign anyone in, the outcome audited."""
    if not failure.recorded and failure.reason != "not_configured":
        sso.record_failure(failure.reason)
    return render_template("auth/sso_problem.html", message=str(failure)), failure.status


@bp.route("/login/sso")
def sso_start():
    """Send the browser to the organisation's sign-in service."""
    if current_user.is_authenticated:
        return redirect(url_for(home_for(current_user)))
    try:
        return sso.authorize_redirect(url_for("auth.sso_callback", _external=True))
    except sso.SsoFailure as failure:
        return problem(failure)


@bp.route("/login/sso/callback")
def sso_callback():
    """The sign-in service's answer: the id token verified, then the tracker's own account signed in."""
    try:
        claims, id_token = sso.finish(request.args.get("error"))
        user = sso.sign_in_account(claims)
    except sso.SsoFailure as failure:
        return problem(failure)
    start_session(user)
    session[SSO_SESSION_KEY] = {"id_token": id_token}
    return redirect(url_for(home_for(user)))


def signed_out_by_sso(id_token: str | None):
    """After the tracker's sign-out of someone who came by single sign-on: the page offering the
    provider's."""
    session[SIGNED_OUT_KEY] = {"id_token": id_token}
    return redirect(url_for("auth.signed_out"))


@bp.route("/signed-out")
def signed_out():
    """You are signed out of the tracker; a button signs you out of the organisation's account too."""
    kept = session.pop(SIGNED_OUT_KEY, None)
    provider_logout = None
    if isinstance(kept, dict) and sso.settings() is not None:
        provider_logout = sso.logout_url(kept.get("id_token"), url_for("auth.login", _external=True))
    configured = sso.settings()
    entra = configured is not None and configured.entra
    return render_template(
        "auth/signed_out.html",
        provider_logout=provider_logout,
        provider_account="your Microsoft account" if entra else "your organisation's account",
    )
