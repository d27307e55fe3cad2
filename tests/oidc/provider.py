"""A real OpenID Connect provider for the single sign-on tests: tests/oidc/provider.mjs (the certified
oidc-provider package) started with Node on a loopback port, and a person signing in on its pages."""

import html
import json
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from config import BASE_DIR

SCRIPT = BASE_DIR / "tests" / "oidc" / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "tracker", "client-secret-for-the-tests-only"
# the people the provider knows: a login typed on its sign-in page picks one
ACCOUNTS = {
    "known": {"email": "Known.Person@Council.example", "email_verified": True, "name": "Known Person"},
    "stranger": {"email": "stranger@council.example", "email_verified": True, "name": "Sam Stranger"},
    "unverified": {"email": "known.person@council.example", "email_verified": False, "name": "Not Verified"},
    # as Entra ID's id tokens are: the sign-in name, and an email it has not checked (no email_verified)
    "entra": {"preferred_username": "Known.Person@council.example", "email": "typed@elsewhere.example"},
}


@dataclass
class RunningProvider:
    url: str  # where it is served
    issuer: str  # what it calls itself

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def settings(self) -> dict:
        """The tracker's settings for it, as monkeypatch.setitem takes them."""
        return {
            "TRACKER_OIDC_METADATA_URL": self.metadata_url,
            "TRACKER_OIDC_CLIENT_ID": CLIENT_ID,
            "TRACKER_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }


@contextmanager
def oidc_provider(
    tracker_url: str = "http://localhost",
    issuer_path: str = "",
    issuer: str | None = None,
    clock_offset_seconds: int = 0,
    id_token: dict | None = None,
) -> Iterator[RunningProvider]:
    """Run the provider for `tracker_url`'s callback until the block ends. `issuer_path` names it by an
    address it is not served at, or `issuer` by another name altogether; `clock_offset_seconds` moves its
    clock; `id_token` re-signs its id tokens with another `aud`, `iss` or `nonce`, or with `otherKey` (a key
    it does not publish)."""
    settings = {
        "port": 0,
        "issuer": issuer or "http://127.0.0.1:{port}" + issuer_path,
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{tracker_url}/login/sso/callback"],
            "post_logout_redirect_uris": [f"{tracker_url}/login"],
        },
        "accounts": ACCOUNTS,
        "clockOffsetSeconds": clock_offset_seconds,
        "idToken": id_token or {},
    }
    process = subprocess.Popen(
        ["node", str(SCRIPT), json.dumps(settings)],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.fullmatch(r"listening (\d+)\n", line)
        assert match, f"the OpenID Connect provider did not start: {line!r}"
        url = f"http://127.0.0.1:{match.group(1)}"
        yield RunningProvider(url=url, issuer=issuer or url + issuer_path)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def sign_in_at_provider(authorize_url: str, login: str, tracker_url: str = "http://localhost") -> str:
    """Follow the tracker's redirect to the provider, sign in there as `login` (any password), and return the
    address the provider sends the browser back to (the tracker's callback, with the code and state)."""
    browser = requests.Session()
    response = _follow(browser, browser.get(authorize_url, allow_redirects=False), tracker_url)
    form_action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1))
    posted = browser.post(
        urljoin(response.url, form_action),
        data={"prompt": "login", "login": login, "password": "anything"},
        allow_redirects=False,
    )
    return _follow(browser, posted, tracker_url).url


def _follow(browser: requests.Session, response: requests.Response, tracker_url: str) -> requests.Response:
    """Follow the provider's redirects until a page, or until it sends the browser back to the tracker (whose
    address is given back as the response's url, not requested)."""
    while response.is_redirect:
        target = urljoin(response.url, response.headers["Location"])
        if target.startswith(tracker_url):
            response.url = target
            return response
        response = browser.get(target, allow_redirects=False)
    return response
