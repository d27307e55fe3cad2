"""Security headers on every response: pages, error pages and static files (tracker/security.py)."""

import re

import pytest

from config import TestConfig
from tests import factories
from tracker import create_app

FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources."""
    directives = [
        part.split() for part in response.headers["Content-Security-Policy"].split(";") if part.strip()
    ]
    return {words[0]: words[1:] for words in directives}


def assert_secure_headers(response) -> None:
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, name
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


@pytest.mark.parametrize("who", ["anonymous", "leader"])
def test_a_page_an_error_page_and_a_static_file_carry_every_header(client, leader_client, who):
    browser = client if who == "anonymous" else leader_client
    page = browser.get("/login" if who == "anonymous" else "/findings")
    missing = browser.get("/no-such-page")
    static = browser.get("/static/dist/app.css")
    assert (page.status_code, missing.status_code, static.status_code) == (200, 404, 200)
    for response in (page, missing, static):
        assert_secure_headers(response)
        response.close()


def test_a_refused_page_and_a_server_error_carry_the_headers_too(app, viewer_client, monkeypatch):
    assert_secure_headers(viewer_client.get("/findings/new"))  # 403

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("tracker.plan.action_views.list_actions", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = viewer_client.get("/actions")
    assert response.status_code == 500 and "Sorry, there is a problem" in response.get_data(as_text=True)
    assert_secure_headers(response)


def test_the_inline_script_runs_only_with_this_responses_nonce(client):
    first, second = client.get("/login"), client.get("/login")
    nonces = []
    for response in (first, second):
        sources = policy(response)["script-src"]
        nonce_sources = [source for source in sources if source.startswith("'nonce-")]
        assert sources[0] == "'self'" and len(nonce_sources) == 1
        nonce = nonce_sources[0][len("'nonce-") : -1]
        html = response.get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert inline == [f' nonce="{nonce}"'], "every inline script carries the nonce"
        assert "js-enabled" in html
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22


def test_no_page_uses_inline_styles_the_policy_would_block(leader_client):
    measure = factories.ReadingFactory().measure
    for url in ("/", f"/measures/{measure.id}", "/findings"):
        html = leader_client.get(url).get_data(as_text=True)
        assert " style=" not in html and "<style" not in html, url


def test_pages_are_not_kept_by_the_browser_for_after_sign_out(leader_client):
    assert leader_client.get("/findings").headers["Cache-Control"] == "no-store"
    with leader_client.get("/static/dist/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")  # styles may be kept


def test_hsts_is_sent_only_over_https(client):
    over_https = client.get("/login", base_url="https://localhost")
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_behind_a_proxy_https_is_read_from_x_forwarded_proto_only_when_configured(database_uri):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    for hops, expect_hsts in ((0, False), (1, True)):

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = database_uri
            TRACKER_PROXY_HOPS = hops

        proxied = create_app(Config)
        response = proxied.test_client().get("/healthz", headers=forwarded)
        assert ("Strict-Transport-Security" in response.headers) is expect_hsts, hops
