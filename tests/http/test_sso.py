"""Single sign-on by OpenID Connect against a real provider (tests/oidc/provider.mjs, the certified
oidc-provider package on a loopback port): the flow with state, nonce and PKCE; each way an id token can be
wrong (audience, issuer, expiry, signature, nonce) refused with a clear page; a state used twice refused; the
provider down or the person cancelling; accounts matched by verified email, made as viewers only when allowed,
deactivated ones refused; domains that must use single sign-on; sign-out offering the provider's; every
outcome audited without a token."""

import json
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests
import sqlalchemy as sa

from tests import factories
from tests.oidc.provider import oidc_provider, sign_in_at_provider
from tracker import audit
from tracker.audit import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.models import Role, utcnow


@pytest.fixture(scope="module")
def provider():
    with oidc_provider() as running:
        yield running


@pytest.fixture
def use_provider(app, monkeypatch):
    """use_provider(running): the tracker set up to sign in with that provider."""

    def use(running):
        for key, value in running.settings().items():
            monkeypatch.setitem(app.config, key, value)
        # the client is kept per settings, with the metadata it read: a provider started on a port an earlier
        # test's had used would otherwise meet that one's metadata
        app.extensions.pop("tracker_sso", None)
        return running

    return use


@pytest.fixture
def known_leader():
    return factories.UserFactory(email="known.person@council.example", name="Kim Leader", role=Role.LEADER)


def start(client) -> str:
    response = client.get("/login/sso")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def sign_in(client, login: str = "known"):
    """The whole flow: the tracker's button, the provider's sign-in page, and the tracker's callback."""
    callback = sign_in_at_provider(start(client), login)
    return client.get(callback), callback


def events(verb: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == verb)))


def refusal_reasons() -> list[str]:
    return [event.after["reason"] for event in events("user.sign_in_refused")]


def assert_no_token_in_the_audit_log() -> None:
    for event in db.session.scalars(sa.select(AuditEvent)):
        assert "eyJ" not in json.dumps([event.before, event.after])  # no JWT (id, access) was recorded


def test_a_known_person_signs_in_with_the_role_the_administrator_gave(
    app, client, provider, use_provider, known_leader, monkeypatch
):
    use_provider(provider)
    monkeypatch.setitem(app.config, "TRACKER_TWO_STEP_REQUIRED_ROLES", "leader,admin")
    authorize = urlsplit(start(client))
    asked = parse_qs(authorize.query)
    assert authorize.geturl().startswith(provider.url + "/auth")
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) >= 43
    assert asked["state"][0] and asked["nonce"][0] and asked["scope"] == ["openid email profile"]

    response, _ = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "<title>Dashboard" in page and "Sign out" in page  # no two-step set-up asked of a leader
    [event] = events("user.signed_in")
    assert event.actor_id == known_leader.id and event.after == {"method": "sso"}
    assert db.session.get(User, known_leader.id).role is Role.LEADER
    assert_no_token_in_the_audit_log()


def test_the_email_is_matched_whatever_its_case(client, provider, use_provider):
    use_provider(provider)
    officer = factories.UserFactory(email="KNOWN.PERSON@council.example", role=Role.OFFICER)
    response, _ = sign_in(client)
    assert response.headers["Location"] == "/actions/mine"
    assert events("user.signed_in")[0].actor_id == officer.id


def test_someone_without_an_account_is_told_to_ask_the_administrator(client, provider, use_provider):
    use_provider(provider)
    response, _ = sign_in(client, "stranger")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "There is no account for stranger@council.example in this tracker" in page
    assert "Ask your administrator to add you" in page
    assert refusal_reasons() == ["no_account"]
    assert db.session.scalar(sa.select(User).where(User.email == "stranger@council.example")) is None


def test_someone_without_an_account_is_made_a_viewer_when_the_administrator_allows_it(
    app, client, provider, use_provider, monkeypatch
):
    use_provider(provider)
    monkeypatch.setitem(app.config, "TRACKER_OIDC_CREATE_VIEWERS", True)
    response, _ = sign_in(client, "stranger")
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "stranger@council.example"))
    assert user.role is Role.VIEWER and user.name == "Sam Stranger"
    [created] = events("user.created")
    assert created.after == {
        "email": "stranger@council.example",
        "name": "Sam Stranger",
        "role": "viewer",
        "method": "sso",
    }
    assert client.get("/").status_code == 200


def test_an_email_the_provider_has_not_verified_matches_nobody(client, provider, use_provider, known_leader):
    use_provider(provider)
    response, _ = sign_in(client, "unverified")
    assert response.status_code == 403
    assert "did not confirm your email address" in response.get_data(as_text=True)
    assert refusal_reasons() == ["no_verified_email"] and events("user.signed_in") == []


def test_a_deactivated_account_is_refused(client, provider, use_provider, known_leader):
    use_provider(provider)
    known_leader.active = False
    db.session.commit()
    response, _ = sign_in(client)
    assert response.status_code == 403
    assert "This account has been deactivated" in response.get_data(as_text=True)
    assert refusal_reasons() == ["deactivated"]
    assert events("user.sign_in_refused")[0].entity_id == known_leader.id


def test_a_state_used_once_is_refused_the_second_time(client, provider, use_provider, known_leader):
    use_provider(provider)
    first, callback = sign_in(client)
    assert first.status_code == 302
    client.post("/logout")
    again = client.get(callback)
    assert again.status_code == 400
    assert "already been used or has expired" in again.get_data(as_text=True)
    made_up = client.get("/login/sso/callback?code=abc&state=not-one-we-made")
    assert made_up.status_code == 400 and "already been used" in made_up.get_data(as_text=True)
    assert refusal_reasons() == ["unknown_state", "unknown_state"]


def test_a_replay_with_the_earlier_cookie_is_refused_by_the_provider(
    app, client, provider, use_provider, known_leader
):
    """A copy of the browser's cookie taken before the callback still holds the state; the code in the address
    is single-use at the provider, so the replay signs nobody in."""
    use_provider(provider)
    callback = sign_in_at_provider(start(client), "known")
    copied = client.get_cookie("session").value
    assert client.get(callback).status_code == 302
    other = app.test_client()
    other.set_cookie("session", copied, domain="localhost")
    replay = other.get(callback)
    assert replay.status_code == 400
    assert "refused to finish signing you in" in replay.get_data(as_text=True)
    assert refusal_reasons() == ["code_refused"] and len(events("user.signed_in")) == 1


@pytest.mark.parametrize(
    ("tampered", "reason", "words"),
    [
        ({"aud": "another-service"}, "invalid_aud", "it was made for another service"),
        ({"iss": "http://127.0.0.1:1/elsewhere"}, "invalid_iss", "does not trust"),
        ({"nonce": "a-nonce-from-another-sign-in"}, "invalid_nonce", "it did not belong to this sign-in"),
        ({"otherKey": True}, "bad_signature", "its signature did not match"),
    ],
    ids=["wrong audience", "wrong issuer", "wrong nonce", "bad signature"],
)
def test_an_id_token_that_is_wrong_is_refused_with_a_clear_page(
    client, use_provider, known_leader, tampered, reason, words
):
    version = audit.data_version()
    with oidc_provider(id_token=tampered) as running:
        use_provider(running)
        response, _ = sign_in(client)
    page = response.get_data(as_text=True)
    assert audit.data_version() == version  # a refusal is recorded, but the dashboard's kept page stays
    assert response.status_code == 400
    assert "You have not been signed in" in page and words in page
    assert refusal_reasons() == [reason] and events("user.signed_in") == []
    assert client.get("/").status_code == 302  # still not signed in
    assert_no_token_in_the_audit_log()


def test_an_expired_id_token_is_refused(client, use_provider, known_leader):
    with oidc_provider(clock_offset_seconds=-2 * 3600) as running:  # its id tokens expired an hour ago
        use_provider(running)
        response, _ = sign_in(client)
    assert response.status_code == 400
    assert "it had expired" in response.get_data(as_text=True)
    assert refusal_reasons() == ["expired_token"]


def test_a_provider_that_names_another_issuer_is_not_trusted(client, use_provider, known_leader):
    with oidc_provider(issuer_path="/somewhere-else") as running:
        use_provider(running)
        response = client.get("/login/sso")
    assert response.status_code == 502
    assert "not the one this tracker is set up to trust" in response.get_data(as_text=True)
    assert refusal_reasons() == ["wrong_issuer"]


def test_cancelling_at_the_provider_says_so(client, provider, use_provider, known_leader):
    use_provider(provider)
    browser = requests.Session()
    login_page = browser.get(start(client))  # followed to the provider's sign-in page
    cancelled = browser.get(login_page.url.rstrip("/") + "/abort", allow_redirects=False)
    while not cancelled.headers["Location"].startswith("http://localhost/"):
        cancelled = browser.get(cancelled.headers["Location"], allow_redirects=False)
    assert "error=access_denied" in cancelled.headers["Location"]
    response = client.get(cancelled.headers["Location"])
    assert response.status_code == 400
    assert "You cancelled signing in" in response.get_data(as_text=True)
    assert refusal_reasons() == ["cancelled"]


def test_a_provider_that_does_not_answer_gets_a_clear_page(
    app, client, use_provider, known_leader, monkeypatch
):
    with oidc_provider() as running:
        use_provider(running)
        callback = sign_in_at_provider(start(client), "known")
    response = client.get(callback)  # the provider stopped before the code could be exchanged
    assert response.status_code == 503
    assert "The sign-in service did not answer" in response.get_data(as_text=True)
    closed = "http://127.0.0.1:9/.well-known/openid-configuration"  # nothing listens there
    monkeypatch.setitem(app.config, "TRACKER_OIDC_METADATA_URL", closed)
    fresh = app.test_client().get("/login/sso")  # nor can anyone start when its metadata cannot be read
    assert fresh.status_code == 503
    assert refusal_reasons() == ["provider_unreachable", "provider_unreachable"]


def test_sign_out_ends_the_session_and_offers_the_providers_sign_out(
    client, provider, use_provider, known_leader
):
    use_provider(provider)
    sign_in(client)
    response = client.post("/logout")
    assert response.headers["Location"] == "/signed-out"
    page = client.get("/signed-out").get_data(as_text=True)
    assert "You have been signed out" in page and "Sign out of your organisation&#39;s account too" in page
    link = page.split('id="provider-sign-out"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    asked = parse_qs(urlsplit(link).query)
    assert link.startswith(provider.url + "/session/end")
    assert asked["post_logout_redirect_uri"] == ["http://localhost/login"] and asked["id_token_hint"][0]
    assert requests.get(link, timeout=10).status_code == 200  # the provider accepts it: its confirmation page
    assert client.get("/").status_code == 302  # the tracker's session has ended
    assert [event.actor_id for event in events("user.signed_out")] == [known_leader.id]
    assert "provider-sign-out" not in client.get("/signed-out").get_data(as_text=True)  # offered once


def test_a_domain_that_must_use_single_sign_on_cannot_use_a_password(
    app, client, provider, use_provider, monkeypatch
):
    use_provider(provider)
    monkeypatch.setitem(app.config, "TRACKER_SSO_REQUIRED_DOMAINS", "nhs.example, council.example")
    factories.UserFactory(email="pat@council.example", role=Role.OFFICER)
    partner = factories.UserFactory(email="parent@forum.example", role=Role.VIEWER)
    refused = client.post("/login", data={"email": "pat@council.example", "password": factories.PASSWORD})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "use the &#39;Sign in with your organisation&#39;s account&#39; button" in page
    assert events("user.signed_in") == []
    allowed = client.post("/login", data={"email": partner.email, "password": factories.PASSWORD})
    assert allowed.status_code == 302  # a parent carer forum member keeps their password


def test_a_domain_added_on_the_admin_page_refuses_its_passwords_and_admits_single_sign_on(
    client, client_as, provider, use_provider, known_leader
):
    use_provider(provider)
    admin = client_as(factories.UserFactory(email="it@partner.example", role=Role.ADMIN))
    assert admin.post("/admin/sso", data={"domain": "Council.example"}).status_code == 302
    refused = client.post("/login", data={"email": known_leader.email, "password": factories.PASSWORD})
    page = refused.get_data(as_text=True)
    assert "use the &#39;Sign in with your organisation&#39;s account&#39; button" in page
    assert events("user.signed_in") == []
    response, _ = sign_in(client)  # the provider vouches for known.person@council.example
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert [event.after for event in events("user.signed_in")] == [{"method": "sso"}]


def test_a_domain_added_between_the_password_and_the_code_refuses_the_code(
    client, client_as, provider, use_provider
):
    use_provider(provider)
    secret = pyotp.random_base32()
    person = factories.UserFactory(
        email="pat@nhs.example", role=Role.OFFICER, totp_secret=secret, totp_enabled_at=utcnow()
    )
    first = client.post("/login", data={"email": person.email, "password": factories.PASSWORD})
    assert first.headers["Location"] == "/login/code"
    client_as(Role.ADMIN).post("/admin/sso", data={"domain": "nhs.example"})
    answer = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Your organisation signs you in with its own account" in page
    assert events("user.signed_in") == [] and client.get("/").status_code == 302
    assert client.get("/login/code").headers["Location"] == "/login"  # the password step is forgotten


def test_the_first_single_sign_on_links_the_account_so_a_changed_email_still_finds_it(
    app, client, provider, use_provider, known_leader
):
    use_provider(provider)
    sign_in(client)
    db.session.refresh(known_leader)
    assert (known_leader.sso_issuer, known_leader.sso_subject) == (provider.url, "known")
    [linked] = events("user.sso_linked")
    assert linked.entity_id == known_leader.id and linked.after == {
        "issuer": provider.url,
        "subject": "known",
    }
    client.post("/logout")
    # the tracker's address for them changes (or the provider's for them does): the link still finds them
    known_leader.email = "kim.leader@council.example"
    db.session.commit()
    again = app.test_client()
    response, _ = sign_in(again)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert [event.actor_id for event in events("user.signed_in")] == [known_leader.id, known_leader.id]
    assert len(events("user.sso_linked")) == 1  # linked once
    assert audit.verify_data().problems == []


def test_an_account_linked_to_another_single_sign_on_account_is_refused(client, provider, use_provider):
    """Someone given a leaver's address at the same provider does not get the leaver's account."""
    use_provider(provider)
    factories.UserFactory(
        email="known.person@council.example", sso_issuer=provider.url, sso_subject="the-leaver"
    )
    response, _ = sign_in(client)
    assert response.status_code == 403
    assert "is linked to a different account at the sign-in service" in response.get_data(as_text=True)
    assert refusal_reasons() == ["linked_elsewhere"] and events("user.signed_in") == []


def test_an_administrator_unlinks_an_account_so_its_next_single_sign_on_links_it_again(
    client, client_as, provider, use_provider
):
    """The provider gave the person a new account (a tenant moved): the administrator unlinks the old one."""
    use_provider(provider)
    person = factories.UserFactory(
        email="known.person@council.example", name="Kim Moved", sso_issuer=provider.url, sso_subject="old"
    )
    admin = client_as(Role.ADMIN)
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert f"Linked to their account at {provider.url}" in page
    unlinked = admin.post(f"/admin/users/{person.id}/sso-link/remove", follow_redirects=True)
    assert "Kim Moved&#39;s account is no longer linked to a single sign-on account." in unlinked.get_data(
        as_text=True
    )
    [event] = events("user.sso_unlinked")
    assert event.actor_id == admin.user.id and event.before == {"issuer": provider.url, "subject": "old"}
    again = admin.post(f"/admin/users/{person.id}/sso-link/remove", follow_redirects=True)
    assert "Kim Moved&#39;s account is not linked to a single sign-on account." in again.get_data(
        as_text=True
    )
    response, _ = sign_in(client)
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.sso_subject == "known" and len(events("user.sso_linked")) == 1


def test_without_settings_there_is_no_button_and_no_single_sign_on(client):
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    response = client.get("/login/sso")
    assert response.status_code == 404 and "not set up" in response.get_data(as_text=True)


def test_the_sign_in_page_shows_the_button_with_its_label(app, client, provider, use_provider, monkeypatch):
    use_provider(provider)
    monkeypatch.setitem(app.config, "TRACKER_OIDC_BUTTON_LABEL", "Sign in with Microsoft")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Microsoft" in page and 'href="/login/sso"' in page


def test_an_entra_tenant_is_trusted_by_its_issuer_and_matched_by_sign_in_name(app, monkeypatch):
    from tracker.auth import sso

    monkeypatch.setitem(app.config, "TRACKER_OIDC_TENANT_ID", "6f1e0c8a-0000-4000-8000-000000000001")
    monkeypatch.setitem(app.config, "TRACKER_OIDC_CLIENT_ID", "app-id")
    with app.test_request_context():
        configured = sso.settings()
    tenant = "https://login.microsoftonline.com/6f1e0c8a-0000-4000-8000-000000000001/v2.0"
    assert configured.issuer == tenant
    assert configured.metadata_url == tenant + "/.well-known/openid-configuration"
    assert configured.label == "Sign in with Microsoft" and configured.entra
    # Entra vouches for the sign-in name; an `email` claim (which a guest may have typed) is not used
    claims = {"preferred_username": "Kim@Council.example", "email": "someone@else.example"}
    assert sso.verified_email(claims, entra=True) == "kim@council.example"
    assert sso.verified_email({"email": "kim@council.example", "email_verified": True}, entra=False)
    assert sso.verified_email({"email": "kim@council.example"}, entra=False) is None


def test_with_a_tenant_id_the_entra_sign_in_name_is_matched_and_its_unchecked_email_is_not(
    app, client, known_leader, monkeypatch
):
    """The provider is named as Entra ID names a tenant (served here, its metadata address given), and its id
    token carries the sign-in name and an email nobody checked, as Entra's do."""
    tenant = "6f1e0c8a-0000-4000-8000-000000000001"
    with oidc_provider(issuer=f"https://login.microsoftonline.com/{tenant}/v2.0") as running:
        for key, value in running.settings().items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.config, "TRACKER_OIDC_TENANT_ID", tenant)
        assert "Sign in with Microsoft" in client.get("/login").get_data(as_text=True)
        response, _ = sign_in(client, "entra")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert events("user.signed_in")[0].actor_id == known_leader.id
    assert db.session.scalar(sa.select(User).where(User.email == "typed@elsewhere.example")) is None
