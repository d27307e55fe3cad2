"""Signing in and out through the form."""

import re

import sqlalchemy as sa

from tests import factories
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.models import Role


def sign_in_form(client, email, password, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_each_role_signs_in_with_the_form_and_lands_where_it_works(client):
    """Officers on My actions, which opens with what needs their attention (tests/http/test_attention_panel.py
    follows each landing through the two-step code and a recovery code too)."""
    landings = [
        (Role.LEADER, "/"),
        (Role.OFFICER, "/actions/mine"),
        (Role.VIEWER, "/"),
        (Role.ADMIN, "/admin/users"),
    ]
    for role, landing in landings:
        user = factories.UserFactory(role=role)
        response = sign_in_form(client, user.email, factories.PASSWORD)
        assert response.status_code == 302 and response.headers["Location"] == landing
        client.post("/logout")


def test_sign_in_is_recorded_in_the_audit_log(client):
    user = factories.UserFactory()
    sign_in_form(client, user.email.upper(), factories.PASSWORD)
    verbs = db.session.scalars(sa.select(AuditEvent.verb).where(AuditEvent.actor_id == user.id)).all()
    assert "user.signed_in" in verbs


def test_a_wrong_password_and_an_unknown_email_get_the_same_message_and_keep_the_email(client):
    user = factories.UserFactory()
    wrong = sign_in_form(client, user.email, "not-the-password").get_data(as_text=True)
    unknown = sign_in_form(client, "nobody@council.example", "whatever-password").get_data(as_text=True)
    for page in (wrong, unknown):
        assert "There is a problem" in page
        assert "Enter a correct email address and password." in page
        assert "<title>Error: Sign in" in page
    assert f'value="{user.email}"' in wrong


def test_empty_sign_in_form_says_what_is_missing(client):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Enter your email address." in page and "Enter your password." in page
    assert 'href="#email"' in page


def test_a_deactivated_user_cannot_sign_in(client):
    user = factories.UserFactory(active=False)
    page = sign_in_form(client, user.email, factories.PASSWORD).get_data(as_text=True)
    assert "This account has been deactivated" in page
    assert client.get("/findings").status_code == 302


def test_next_is_followed_only_inside_the_site(client):
    user = factories.UserFactory()
    assert (
        sign_in_form(client, user.email, factories.PASSWORD, "/measures").headers["Location"] == "/measures"
    )
    for hostile in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        client.post("/logout")
        response = sign_in_form(client, user.email, factories.PASSWORD, hostile)
        assert response.headers["Location"] == "/actions/mine", hostile  # an officer's home


def test_sign_out_is_a_post_and_ends_the_session(client):
    user = factories.UserFactory()
    sign_in_form(client, user.email, factories.PASSWORD)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", follow_redirects=True)
    assert "You have been signed out." in response.get_data(as_text=True)
    assert client.get("/findings").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_with_a_clear_page(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": "a@b.example", "password": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_a_form_token_from_before_sign_in_is_refused_after_it(app, client):
    """Signing in makes a new CSRF secret: a token someone saw on the sign-in page cannot be replayed."""
    user = factories.UserFactory(role=Role.LEADER)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        before = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)
        ).group(1)
        assert (
            client.post(
                "/login", data={"csrf_token": before, "email": user.email, "password": factories.PASSWORD}
            ).status_code
            == 302
        )
        stale = client.post("/logout", data={"csrf_token": before})
        page = client.get("/findings").get_data(as_text=True)
        after = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        signed_out = client.post("/logout", data={"csrf_token": after}, follow_redirects=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert stale.status_code == 400 and "The form had expired" in stale.get_data(as_text=True)
    assert "You have been signed out." in signed_out.get_data(as_text=True)
